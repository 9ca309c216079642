// Main-thread side of the detector workers: starts them, waits until each engine has
// loaded, hands every frame to an idle worker and replaces a worker that dies.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LetterboxGeometry } from '../letterbox.js';
import type { Candidate, StageTimings } from '../types.js';
import type { EngineInfo, EngineSpec, FrameRequest, WorkerReply } from './protocol.js';

export interface EngineResult {
  candidates: Candidate[];
  timings: StageTimings;
}

interface Pending {
  resolve(result: EngineResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  busy: boolean;
}

// Built, the worker is a .js file. Run from sources under tsx (tests, benchmarks) it is .ts,
// and on Node 20 a worker does not get tsx's loader from --import: a small bootstrap
// registers it inside the worker before importing the entry.
const SOURCE_EXTENSION = extname(fileURLToPath(import.meta.url));
const WORKER_URL = new URL(`./detector-worker${SOURCE_EXTENSION}`, import.meta.url);

function createWorker(spec: EngineSpec): Worker {
  if (SOURCE_EXTENSION !== '.ts') return new Worker(WORKER_URL, { workerData: spec });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: spec, execArgv: [] });
}

export class EngineLoadError extends Error {}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly spec: EngineSpec,
    readonly info: EngineInfo,
    /** The first worker's resident size, measured at start-up. */
    readonly workerBytes: number,
  ) {}

  /**
   * Starts the first worker, then as many more as `size` asks for given the first one's
   * resident size in bytes (the process' RSS growth while it loaded its model).
   */
  static async start(
    spec: EngineSpec,
    size: number | ((workerBytes: number) => number),
    onWorkerExit?: (message: string) => void,
  ): Promise<WorkerPool> {
    const before = process.memoryUsage.rss();
    const first = await WorkerPool.spawn(spec);
    const workerBytes = Math.max(0, process.memoryUsage.rss() - before);
    const pool = new WorkerPool(spec, first.info, workerBytes);
    pool.onWorkerExit = onWorkerExit;
    pool.adopt(first.worker);
    const total = typeof size === 'number' ? size : size(workerBytes);
    for (let i = 1; i < total; i++) pool.adopt((await WorkerPool.spawn(spec)).worker);
    return pool;
  }

  /** Workers running (or being replaced). */
  get size(): number {
    return this.slots.length;
  }

  private onWorkerExit: ((message: string) => void) | undefined;

  private static spawn(spec: EngineSpec): Promise<{ worker: Worker; info: EngineInfo }> {
    return new Promise((resolve, reject) => {
      const worker = createWorker(spec);
      const fail = (message: string): void => {
        void worker.terminate();
        reject(new EngineLoadError(message));
      };
      worker.once('message', (message: WorkerReply) => {
        worker.removeAllListeners('error');
        worker.removeAllListeners('exit');
        if (message.type === 'ready') resolve({ worker, info: message.info });
        else fail(message.type === 'failed' ? message.message : `unexpected first message ${message.type}`);
      });
      worker.once('error', (error) => fail(error.message));
      worker.once('exit', (code) => fail(`worker exited with code ${code} while loading`));
    });
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, pending: new Map(), busy: false };
    worker.on('message', (message: WorkerReply) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const pending = slot.pending.get(message.id);
      if (pending === undefined) return;
      slot.pending.delete(message.id);
      if (message.type === 'result') pending.resolve({ candidates: message.candidates, timings: message.timings });
      else pending.reject(new Error(message.message));
      this.release(slot);
    });
    const lost = (reason: string): void => {
      if (!this.slots.includes(slot)) return;
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const pending of slot.pending.values()) pending.reject(new Error(`detector worker stopped: ${reason}`));
      slot.pending.clear();
      if (this.closed) return;
      this.onWorkerExit?.(reason);
      WorkerPool.spawn(this.spec).then(
        ({ worker: replacement }) => (this.closed ? void replacement.terminate() : this.adopt(replacement)),
        (error: unknown) => this.onWorkerExit?.(`replacement failed to load: ${String(error)}`),
      );
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.slots.push(slot);
    this.release(slot);
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const next = this.waiting.shift();
    if (next !== undefined) {
      slot.busy = true;
      next(slot);
    }
  }

  private acquire(): Promise<Slot> {
    const idle = this.slots.find((slot) => !slot.busy);
    if (idle !== undefined) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async run(pixels: Uint8Array, width: number, height: number, geometry?: LetterboxGeometry): Promise<EngineResult> {
    if (this.closed) throw new Error('detector is closed');
    const slot = await this.acquire();
    const id = this.nextId++;
    return new Promise<EngineResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const frame: FrameRequest = geometry === undefined ? { id, pixels, width, height } : { id, pixels, width, height, geometry };
      // Hand the pixel memory over instead of copying it when it is not shared with anything else.
      const ownsBuffer = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength && pixels.buffer instanceof ArrayBuffer;
      slot.worker.postMessage(frame, ownsBuffer ? [pixels.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
