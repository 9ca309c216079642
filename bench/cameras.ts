// npm run bench:cameras — prints figures, asserts nothing.
// N simulated cameras (MJPEG over HTTP on loopback, one camera process serving every stream;
// with taskset it and algo's ffmpeg children share core 1, algo and its detector core 0), read by algo's one-ffmpeg-per-camera
// ingest at detect_fps, offering more frames than the detector can take. Measured in the same
// run, alternating: the detector alone on the same letterboxed frames (the detector-bound
// rate) and the cameras end to end. Reported: detections/s vs that rate (target ≥ 0.9×),
// ffmpeg's CPU share (from /proc), algo's own CPU, and RSS over the run (flat = no leak).
// Model: the generated YOLOv8n-cost graph. BENCH_CAMERAS (4) cameras; --quick runs 15 s instead of 60.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { letterboxGeometry, PAD_VALUE } from '../src/detect/letterbox.js';
import { createPipeline } from '../src/detect/pipeline.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { startService } from '../src/service.js';
import { ffmpegPids, writeCamerasFile } from '../test/helpers/cameras.js';
import { fixturePath, readFixture } from '../test/helpers/images.js';
import { spawnMjpegCamera } from '../test/helpers/mjpeg-camera.js';
import { parseCameras } from '../src/cameras/camera-config.js';
import { ffmpegArgs } from '../src/cameras/ffmpeg-args.js';
import { buildCostModel } from './yolo-cost-model.js';
import { announce, scaled } from './quick.js';
import { fmt, printVerdict } from './stats.js';

const SECONDS = scaled(60, 15);
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 4);
const BASELINE_SECONDS = scaled(10, 4);
const WARMUP_SECONDS = scaled(5, 2);
announce('bench:cameras', { full: 200, quick: 65 });
const TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

await mkdir('.bench', { recursive: true });
const modelPath = '.bench/yolov8n-cost.onnx';
await writeFile(modelPath, buildCostModel().bytes);
const env = { ALGO_MODEL_PATH: modelPath, PORT: '0', HOST: '127.0.0.1', ALGO_LOG_LEVEL: 'warn' };

/** The detector alone, sequentially, on a camera-sized photo letterboxed as ffmpeg delivers it. */
async function detectorRate(seconds: number): Promise<{ rate: number; core: number }> {
  const config = loadConfig(env);
  const pipeline = await createPipeline(config.detect, createMetrics(config.metrics, { runtime: false }).detection);
  const { width, height } = pipeline.inputSize;
  const g = letterboxGeometry(1280, 720, width, height);
  const pixels = await sharp(await readFixture('person'))
    .resize(g.resizedWidth, g.resizedHeight, { fit: 'fill' })
    .extend({
      left: g.padLeft,
      top: g.padTop,
      right: width - g.resizedWidth - g.padLeft,
      bottom: height - g.resizedHeight - g.padTop,
      background: { r: PAD_VALUE, g: PAD_VALUE, b: PAD_VALUE },
    })
    .removeAlpha()
    .raw()
    .toBuffer();
  const frame = () => ({ pixels: new Uint8Array(pixels), sourceWidth: 1280, sourceHeight: 720 });
  for (let i = 0; i < 3; i++) await pipeline.detectLetterboxed(frame(), 'warm-up');
  let frames = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const result = await pipeline.detectLetterboxed(frame(), 'bench');
    if (!result.ok) throw result.error;
    frames++;
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await pipeline.close();
  return { rate: frames / wall, core: (used.user + used.system) / 1e6 / wall };
}

/**
 * The detector alone while the same N ffmpeg readers decode the same streams into /dev/null:
 * the detector-bound rate with ingest's CPU cost taken out of the machine, so the camera run
 * is compared with what the detector can do next to its ffmpeg children.
 */
async function detectorRateBesideFfmpeg(
  seconds: number,
  detectFps: number,
  port: number,
  width: number,
  height: number,
): Promise<{ rate: number; core: number }> {
  const yaml = `cameras:\n${Array.from({ length: CAMERAS }, (_, i) => `  - id: load-${i}\n    url: http://127.0.0.1:${port}/load/${i}\n    detect_fps: ${detectFps}\n`).join('')}`;
  const children = parseCameras(yaml, 'bench', CAMERAS).map((camera) =>
    spawn('ffmpeg', ffmpegArgs(camera, { format: 'rgb', width, height }), { stdio: ['ignore', 'ignore', 'ignore'] }),
  );
  if (pin) for (const child of children) spawnSync('taskset', ['-a', '-p', '-c', '1', String(child.pid)]);
  await sleep(2000);
  try {
    return await detectorRate(seconds);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  }
}

/** CPU seconds (user + system) of every ffmpeg whose command line holds `needle`. */
async function ffmpegCpuSeconds(needle: string): Promise<{ seconds: number; processes: number }> {
  let ticks = 0;
  let processes = 0;
  for (const pid of await ffmpegPids(needle)) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    processes++;
  }
  return { seconds: ticks / TICKS, processes };
}

async function camerasRun(
  detectFps: number,
  port: number,
): Promise<{ rate: number; busy: number; offered: number; ffmpegCore: number; ffmpegProcesses: number; algoCore: number; rss: number[] }> {
  const needle = `bench-cam-${port}`;
  const file = await writeCamerasFile(
    Array.from({ length: CAMERAS }, (_, i) => ({ id: `cam-${i}`, url: `http://127.0.0.1:${port}/${needle}/${i}`, detect_fps: detectFps })),
  );
  const config = loadConfig({ ...env, ALGO_CAMERAS_FILE: file });
  const service = await startService(config, { logger: createLogger('warn') });
  const cameras = service.cameras!;
  const detected = (): number => cameras.list().reduce((sum, camera) => sum + camera.counts.detected, 0);
  // ffmpeg runs beside the camera server, leaving algo's core to the detector.
  if (pin) {
    await sleep(2000);
    for (const pid of await ffmpegPids(needle)) spawnSync('taskset', ['-a', '-p', '-c', '1', String(pid)]);
  }
  const busySeconds = async (): Promise<number> => {
    const families = await service.metrics.registry.getMetricsAsJSON();
    const latency = families.find((family) => family.name === 'detection_latency_seconds');
    return (
      latency?.values
        .filter((v) => (v as { metricName?: string }).metricName === 'detection_latency_seconds_sum')
        .reduce((sum, v) => sum + v.value, 0) ?? 0
    );
  };
  const received = (): number => cameras.list().reduce((sum, camera) => sum + camera.counts.frames, 0);
  await sleep(WARMUP_SECONDS * 1000);
  const rss: number[] = [];
  const [d0, f0, c0, b0, cpu0, t0] = [
    detected(),
    received(),
    await ffmpegCpuSeconds(needle),
    await busySeconds(),
    process.cpuUsage(),
    performance.now(),
  ];
  for (let elapsed = 0; elapsed < SECONDS; elapsed += 5) {
    rss.push(process.memoryUsage().rss);
    await sleep(Math.min(5, SECONDS - elapsed) * 1000);
  }
  rss.push(process.memoryUsage().rss);
  const [d1, f1, c1, b1, cpu1, t1] = [
    detected(),
    received(),
    await ffmpegCpuSeconds(needle),
    await busySeconds(),
    process.cpuUsage(cpu0),
    performance.now(),
  ];
  const wall = (t1 - t0) / 1000;
  await service.stop('bench');
  return {
    rate: (d1 - d0) / wall,
    busy: (b1 - b0) / wall,
    offered: (f1 - f0) / wall,
    ffmpegCore: (c1.seconds - c0.seconds) / wall,
    ffmpegProcesses: c1.processes,
    algoCore: (cpu1.user + cpu1.system) / 1e6 / wall,
    rss,
  };
}

const pin: boolean = process.env.BENCH_PIN !== '0' && spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]).status === 0;
const source = await spawnMjpegCamera({ fps: 10, width: 1280, height: 720, photo: fixturePath('person') });
if (pin && source.child.pid !== undefined) spawnSync('taskset', ['-a', '-p', '-c', '1', String(source.child.pid)]);
console.log(
  `cameras: ${CAMERAS} MJPEG 1280x720 @10 fps streams on loopback${pin ? ' (camera server and the ffmpeg children on core 1, algo and its detector on core 0)' : ''}`,
);

const round1 = await detectorRate(BASELINE_SECONDS);
const before = round1.rate;
// Offer about 1.5× what the detector can take, so detection, not ingest, is the bound.
const detectFps = Math.max(0.5, Math.ceil((before * 1.5 * 2) / CAMERAS) / 2);
console.log(
  `detector alone (round 1): ${fmt(before)} detections/s, algo CPU ${fmt(round1.core * 100, 1)} % of a core → detect_fps ${detectFps} per camera (${fmt(detectFps * CAMERAS, 1)} frames/s offered)`,
);
const run = await camerasRun(detectFps, source.port);
const round2 = await detectorRate(BASELINE_SECONDS);
const afterRate = round2.rate;
console.log(`detector alone (round 2): ${fmt(afterRate)} detections/s, algo CPU ${fmt(round2.core * 100, 1)} % of a core`);
const input = await (async () => {
  const config = loadConfig(env);
  const pipeline = await createPipeline(config.detect, createMetrics(config.metrics, { runtime: false }).detection);
  const size = pipeline.inputSize;
  await pipeline.close();
  return size;
})();
const beside = await detectorRateBesideFfmpeg(BASELINE_SECONDS, detectFps, source.port, input.width, input.height);
console.log(
  `detector alone next to ${CAMERAS} ffmpeg readers of the same streams: ${fmt(beside.rate)} detections/s, algo CPU ${fmt(beside.core * 100, 1)} % of a core`,
);
const bound = (before + afterRate) / 2;
await source.kill();

const mb = (bytes: number): string => fmt(bytes / 2 ** 20, 0);
console.log(`\n${CAMERAS} cameras × detect_fps ${detectFps}, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up`);
console.log(`  frames received from ffmpeg: ${fmt(run.offered)} /s`);
console.log(
  `  detections:                  ${fmt(run.rate)} /s vs detector alone ${fmt(bound)} /s = ${fmt(run.rate / bound)}×; vs detector next to the same ffmpeg load ${fmt(beside.rate)} /s = ${fmt(run.rate / beside.rate)}×`,
);
printVerdict('detections / detector alone:', run.rate / bound, { text: '>= 0.9', meets: (r) => r >= 0.9 }, 2);
console.log(`  detector busy (sum of detection latency / wall time, concurrency 1): ${fmt(run.busy * 100, 1)} %`);
console.log(
  `  ffmpeg CPU: ${fmt(run.ffmpegCore * 100, 1)} % of a core for ${run.ffmpegProcesses} processes (${fmt((run.ffmpegCore * 100) / Math.max(1, run.ffmpegProcesses), 1)} % each)`,
);
console.log(`  algo process CPU (main thread + detector workers): ${fmt(run.algoCore * 100, 1)} % of a core`);
console.log(
  `  RSS every 5 s (MiB): ${run.rss.map(mb).join(' ')}; last - first = ${mb(run.rss[run.rss.length - 1]! - run.rss[0]!)} MiB, max ${mb(Math.max(...run.rss))} MiB`,
);
