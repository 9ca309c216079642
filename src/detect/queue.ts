// Bounds detection work: at most `concurrency` frames run, at most `maxWaiting` wait; past
// that a frame is refused at once with `overloaded` (HTTP 503 + Retry-After) instead of
// piling up memory and latency. A waiting frame whose signal aborts (its client went away)
// leaves the queue with `client_closed` and never runs.
import { clientClosed, overloaded } from '../errors.js';

interface Waiter {
  /** Hands a free slot to this waiter. */
  start(): void;
}

export class DetectionQueue {
  private running = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly retryAfterSeconds = 1,
  ) {}

  /** Frames running and waiting now, and the waiting bound (the web console's /system). */
  get load(): { running: number; waiting: number; maxWaiting: number } {
    return { running: this.running, waiting: this.waiters.length, maxWaiting: this.maxWaiting };
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw clientClosed();
    if (this.running >= this.concurrency) {
      if (this.waiters.length >= this.maxWaiting) throw overloaded(this.retryAfterSeconds);
      await this.wait(signal);
      if (signal?.aborted) {
        this.release();
        throw clientClosed();
      }
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Resolves when a slot is handed over; rejects (and gives up its place) if `signal` aborts first. */
  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(clientClosed());
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next.start();
    else this.running--;
  }
}
