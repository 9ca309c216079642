// npm run bench:throughput — prints figures, asserts nothing.
// How many frames algo detects per second at each ALGO_DETECT_CONCURRENCY, against what the
// machine can infer at all, in one run with alternating rounds:
// (a) the inference ceiling: k raw onnxruntime session.run loops in parallel (one 1-thread
//     session per worker thread), k = 1 … cores; at k = cores also right after the camera path
//     at auto, whose target is judged per round against the mean of the ceilings around it;
// (b) camera frames/s through algo: N MJPEG cameras read by algo's ffmpeg readers, offering
//     more frames than it can detect, at concurrency 1, 2, … and auto;
// (c) HTTP JPEG frames/s at the same settings, from a closed-loop client in another process;
// (d) per setting: the event loop's delay p99 and algo's RSS;
// (e) at auto, the camera path with scene analytics on (a zone and a line per camera) vs off.
// The server needs every core here (that is what is measured), so it is not pinned; the HTTP
// client is a separate process doing little work per request.
// Model: the built-in CenterNet, BENCH_MODEL=yolov8n-cost for a graph of YOLOv8n's cost (built
// here, bench/yolo-cost-model.ts), or ALGO_MODEL_PATH=… for your own. 2 rounds of 15 s runs;
// --quick: 1 round of 5 s runs. BENCH_CAMERAS (default: enough to saturate, see below).
// For the camera path it also prints the CPU used per detected frame, by algo (event loop,
// workers, helpers) and by its ffmpeg readers, beside what one inference costs at the ceiling.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { BUILTIN_MODEL } from '../src/detect/builtin-model.js';
import { widenStoredWeights } from '../src/detect/onnx/stored-weights.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/logger.js';
import { startService, portOf, type RunningService } from '../src/service.js';
import { writeCamerasFile } from '../test/helpers/cameras.js';
import { fixturePath } from '../test/helpers/images.js';
import { spawnMjpegCamera } from '../test/helpers/mjpeg-camera.js';
import { cpuSeconds, cpuUsedBetween } from './cpu-time.js';
import { announce, scaled } from './quick.js';
import { buildCostModel } from './yolo-cost-model.js';
import { fmt, median, printVerdict } from './stats.js';

const SECONDS = scaled(15, 5);
const ROUNDS = scaled(2, 1);
// Cameras at 10 frames/s each: BENCH_CAMERAS, or enough to offer 1.3× the inference ceiling at
// k = cores measured in round 1 (at least 4), so the camera path is saturated, not starved.
let cameras = Number(process.env.BENCH_CAMERAS ?? 4);
const CAMERA_FPS = 10;
const CORES = availableParallelism();
async function benchModel(): Promise<string> {
  if (process.env.BENCH_MODEL === 'yolov8n-cost') {
    await mkdir('.bench', { recursive: true });
    await writeFile('.bench/yolov8n-cost.onnx', buildCostModel().bytes);
    return '.bench/yolov8n-cost.onnx';
  }
  return process.env.ALGO_MODEL_PATH ?? BUILTIN_MODEL.path;
}
const MODEL = await benchModel();
const SETTINGS: string[] = [...Array.from({ length: CORES }, (_, i) => String(i + 1)), 'auto'];
const HTTP_CLIENTS = 2 * CORES + 2;

const runs = SETTINGS.length * 2 + CORES + 2;
const estimate = (rounds: number, seconds: number): number => rounds * runs * (seconds + 6);
announce('bench:throughput', { full: estimate(2, 15), quick: estimate(1, 5) });
console.log(`${MODEL.replace(/^.*\//, '')}, ${CORES} cores, ${ROUNDS} round(s) × ${runs} runs of ${SECONDS} s`);

/** (a) k session.run loops in parallel for `seconds`; runs per second in all. */
async function inferenceCeiling(k: number, seconds: number): Promise<number> {
  const model = widenStoredWeights(await readFile(MODEL));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const ort = require(workerData.ort);
    (async () => {
      const session = await ort.InferenceSession.create(workerData.model, { intraOpNumThreads: 1, executionMode: 'sequential',
        extra: { session: { intra_op: { allow_spinning: '0' } } } });
      const meta = session.inputMetadata[0];
      const shape = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.45);
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
      await session.run(feeds);
      parentPort.postMessage('ready');
      const go = await new Promise((resolve) => parentPort.once('message', resolve));
      let n = 0;
      const end = performance.now() + go * 1000;
      while (performance.now() < end) { await session.run(feeds); n++; }
      parentPort.postMessage(n);
    })();`;
  const ort = import.meta.resolve('onnxruntime-node').replace('file://', '');
  const workers = Array.from({ length: k }, () => new Worker(code, { eval: true, workerData: { model, ort } }));
  await Promise.all(workers.map((worker) => once(worker, 'message')));
  const counts = workers.map((worker) => once(worker, 'message').then(([n]) => n as number));
  const start = performance.now();
  for (const worker of workers) worker.postMessage(seconds);
  const total = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
  const wall = (performance.now() - start) / 1000;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return total / wall;
}

interface PathFigures {
  fps: number;
  /** CPU ms per detected frame: algo's process, its ffmpeg readers (camera path only). */
  cpuMsPerFrame?: { algo: number; ffmpeg: number };
  loopP99Ms: number;
  rssMiB: number;
  workers: number;
}

async function withService(env: Record<string, string>, run: (service: RunningService) => Promise<number>): Promise<PathFigures> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ALGO_LOG_LEVEL: 'warn', ALGO_SHUTDOWN_DELAY_MS: '0', ...env });
  const service = await startService(config, { logger: createLogger('warn') });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  try {
    await sleep(3000); // warm-up: cameras connected, workers hot
    delay.enable();
    const fps = await run(service);
    delay.disable();
    return {
      fps,
      loopP99Ms: delay.percentile(99) / 1e6,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      workers: service.pipeline?.concurrency ?? 0,
    };
  } finally {
    await service.stop('bench');
  }
}

/** (b) detections per second over all cameras. */
/** Scene analytics per camera: off (`track: false`), or a zone and a line across the frame. */
const SCENE_OFF = { track: false };
const SCENE_ON = {
  zones: [
    {
      name: 'left',
      points: [
        [0, 0],
        [0.5, 0],
        [0.5, 1],
        [0, 1],
      ],
    },
  ],
  lines: [{ name: 'middle', from: [0.5, 0], to: [0.5, 1], in: 'left_to_right' }],
};

async function cameraPath(setting: string, cameraPort: number, scene: object = SCENE_OFF): Promise<PathFigures> {
  const file = await writeCamerasFile(
    Array.from({ length: cameras }, (_, i) => ({
      id: `cam-${i}`,
      url: `http://127.0.0.1:${cameraPort}/tp/${i}`,
      detect_fps: CAMERA_FPS,
      ...scene,
    })),
  );
  let cpuMs = { algo: NaN, ffmpeg: NaN };
  const figures = await withService(
    { ALGO_DETECT_CONCURRENCY: setting, ALGO_CAMERAS_FILE: file, ...(MODEL === BUILTIN_MODEL.path ? {} : { ALGO_MODEL_PATH: MODEL }) },
    async (service) => {
      const detected = (): number => service.cameras!.list().reduce((sum, camera) => sum + camera.counts.detected, 0);
      const d0 = detected();
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      await sleep(SECONDS * 1000);
      const frames = detected() - d0;
      const used = cpuUsedBetween(cpu0, cpuSeconds());
      cpuMs = { algo: (1000 * (used.get('algo') ?? 0)) / frames, ffmpeg: (1000 * (used.get('child ffmpeg') ?? 0)) / frames };
      return frames / ((performance.now() - t0) / 1000);
    },
  );
  return { ...figures, cpuMsPerFrame: cpuMs };
}

/** (c) answered JPEG POSTs per second from HTTP_CLIENTS closed-loop clients in a child process. */
async function httpPath(setting: string): Promise<PathFigures> {
  return withService(
    { ALGO_DETECT_CONCURRENCY: setting, ...(MODEL === BUILTIN_MODEL.path ? {} : { ALGO_MODEL_PATH: MODEL }) },
    async (service) => {
      const url = `http://127.0.0.1:${portOf(service.app)}/api/v1/detect`;
      const client = `
      const { readFileSync } = require('node:fs');
      const body = readFileSync(${JSON.stringify(fixturePath('person'))});
      const end = Date.now() + ${SECONDS * 1000};
      let ok = 0;
      const loop = async () => { while (Date.now() < end) { const r = await fetch(${JSON.stringify(url)}, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' } }); await r.arrayBuffer(); if (r.ok) ok++; } };
      Promise.all(Array.from({ length: ${HTTP_CLIENTS} }, loop)).then(() => console.log(ok));`;
      const child = spawn(process.execPath, ['-e', client], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const t0 = performance.now();
      await once(child, 'exit');
      return Number(out.trim()) / ((performance.now() - t0) / 1000);
    },
  );
}

// Enough frames to keep every worker busy (CAMERAS × 10 fps offered), at a size whose decoding
// leaves most of the CPU to inference: a camera's sub-stream, as people point algo at.
const camera = await spawnMjpegCamera({ fps: CAMERA_FPS, width: 640, height: 360, photo: fixturePath('person') });
const ceiling = new Map<number, number[]>();
const cameraFigures = new Map<string, PathFigures[]>();
const httpFigures = new Map<string, PathFigures[]>();
const sceneOn = new Map<string, PathFigures[]>();
/** Per round: the camera path at auto over the ceiling at k = cores measured around it. */
const pairedCeiling: number[] = [];
const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => void map.set(key, [...(map.get(key) ?? []), value]);
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
    const ks = Array.from({ length: CORES }, (_, i) => (round % 2 === 0 ? i + 1 : CORES - i));
    for (const k of ks) push(ceiling, k, await inferenceCeiling(k, SECONDS));
    if (round === 0 && process.env.BENCH_CAMERAS === undefined) {
      cameras = Math.max(4, Math.ceil((1.3 * median(ceiling.get(CORES) ?? [0])) / CAMERA_FPS));
      console.log(`  ${cameras} cameras × ${CAMERA_FPS} frames/s offered (1.3× the ceiling at k=${CORES})`);
    }
    const before = ceiling.get(CORES)!.at(-1)!;
    for (const setting of order) {
      const cam = await cameraPath(setting, camera.port);
      push(cameraFigures, setting, cam);
      if (setting === 'auto') {
        // The ceiling again right after: this shared machine's speed drifts within minutes, so the
        // camera path is set against the mean of the ceilings measured just before and after it.
        const after = await inferenceCeiling(CORES, SECONDS);
        pairedCeiling.push(cam.fps / ((before + after) / 2));
        console.log(
          `  round ${round + 1} ceiling at k=${CORES}: ${fmt(before, 1)} runs/s before, ${fmt(after, 1)} after the camera path at auto`,
        );
      }
      const http = await httpPath(setting);
      push(httpFigures, setting, http);
      console.log(
        `  round ${round + 1} concurrency ${setting.padEnd(4)} (${cam.workers} workers): cameras ${fmt(cam.fps, 1)} frames/s, HTTP ${fmt(http.fps, 1)} frames/s`,
      );
    }
    // Scene analytics on vs off on the camera path at auto (the runs above are off).
    const on = await cameraPath('auto', camera.port, SCENE_ON);
    push(sceneOn, 'auto', on);
    console.log(
      `  round ${round + 1} concurrency auto, scene analytics on (a zone and a line per camera): cameras ${fmt(on.fps, 1)} frames/s`,
    );
  }
} finally {
  await camera.kill();
}
const ceilingByK = new Map<number, number>();
for (let k = 1; k <= CORES; k++) ceilingByK.set(k, median(ceiling.get(k) ?? []));

console.log('\n(a) inference ceiling — k parallel 1-thread session.run loops (runs/s, median of rounds)');
for (const [k, rate] of ceilingByK) console.log(`  k=${k}: ${fmt(rate, 1)} runs/s`);
const top = ceilingByK.get(CORES)!;
const m = (list: PathFigures[] | undefined, pick: (f: PathFigures) => number): number => median((list ?? []).map(pick));
console.log('\n(b) camera path, (c) HTTP JPEG path, (d) event loop and memory — medians of rounds');
console.log('  setting | workers | cameras frames/s | × ceiling | HTTP frames/s | loop p99 (cam / HTTP) ms | RSS MiB');
for (const setting of SETTINGS) {
  const cam = cameraFigures.get(setting);
  const http = httpFigures.get(setting);
  console.log(
    `  ${setting.padEnd(7)} | ${String(m(cam, (f) => f.workers)).padEnd(7)} | ${fmt(
      m(cam, (f) => f.fps),
      1,
    ).padEnd(16)} | ${fmt(m(cam, (f) => f.fps) / top, 2).padEnd(9)} | ${fmt(
      m(http, (f) => f.fps),
      1,
    ).padEnd(13)} | ${fmt(
      m(cam, (f) => f.loopP99Ms),
      1,
    )} / ${fmt(
      m(http, (f) => f.loopP99Ms),
      1,
    )}`.padEnd(100) +
      ` | ${fmt(
        Math.max(
          m(cam, (f) => f.rssMiB),
          m(http, (f) => f.rssMiB),
        ),
        0,
      )}`,
  );
}
const verdict = (label: string, value: number, target: number): void =>
  printVerdict(`${label} =`, value, { text: `>= ${target}`, meets: (ratio) => ratio >= target }, 2);
console.log(
  `\nscene analytics on the camera path at auto: on ${fmt(
    m(sceneOn.get('auto'), (f) => f.fps),
    1,
  )} frames/s, off ${fmt(
    m(cameraFigures.get('auto'), (f) => f.fps),
    1,
  )} frames/s`,
);
const cpuAt = (setting: string, pick: (cpu: { algo: number; ffmpeg: number }) => number): number =>
  m(cameraFigures.get(setting), (f) => (f.cpuMsPerFrame === undefined ? NaN : pick(f.cpuMsPerFrame)));
console.log(
  `\nCPU per detected camera frame at auto: algo ${fmt(
    cpuAt('auto', (c) => c.algo),
    1,
  )} ms, its ffmpeg readers ${fmt(
    cpuAt('auto', (c) => c.ffmpeg),
    1,
  )} ms; one inference at the ceiling (k=${CORES}) ${fmt((1000 * CORES) / top, 1)} ms — the rest is the path's own cost` +
    ` (decoding every offered frame, moving pixels, the tensor, results)`,
);
console.log('\nTargets');
verdict(
  'camera path with scene analytics on / off (issue 19)',
  m(sceneOn.get('auto'), (f) => f.fps) / m(cameraFigures.get('auto'), (f) => f.fps),
  0.97,
);
const ofCeiling = m(cameraFigures.get('auto'), (f) => f.fps) / top;
// A path cannot beat raw inference on the same cores: above it, the machine's load changed
// between the ceiling's runs and the path's, and this run settles nothing.
if (ofCeiling > 1.05)
  console.log(
    `  UNSETTLED: camera path at auto / inference ceiling at k=${CORES} = ${fmt(ofCeiling, 2)}, above 1: the load changed between runs (target >= 0.85); run again on a quiet machine`,
  );
else {
  console.log(`  (ratio of the medians of rounds: ${fmt(ofCeiling, 2)})`);
  printVerdict(
    `camera path at auto / inference ceiling at k=${CORES} measured around it, paired rounds: median`,
    pairedCeiling,
    { text: '>= 0.85', meets: (ratio) => ratio >= 0.85 },
    2,
  );
}
verdict(
  'camera frames at auto / at concurrency 1',
  m(cameraFigures.get('auto'), (f) => f.fps) / m(cameraFigures.get('1'), (f) => f.fps),
  1.35,
);
verdict(
  'HTTP JPEG frames at auto / at concurrency 1',
  m(httpFigures.get('auto'), (f) => f.fps) / m(httpFigures.get('1'), (f) => f.fps),
  1.25,
);
