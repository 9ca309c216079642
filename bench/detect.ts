// npm run bench:detect — prints figures, asserts nothing.
// The built-in CenterNet side by side with a generated model of YOLOv8n's cost, in one run:
//  1. onnxruntime's raw session.run on the main thread, the two models alternating round by round;
//  2. each through algo's detection pipeline on the fixture photos (per-stage medians), and
//     the old HOG people detector (OpenCV.js, installed into .reference/ on first use) as the
//     baseline, all three alternating frame by frame.
// Targets: CenterNet's session.run ≤ 0.8× the YOLOv8n-cost model's; CenterNet's end to end
// ≥ 5× faster than HOG's; everything but session.run ≤ 10 % of end to end.
import { mkdir, writeFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadConfig } from '../src/config/config.js';
import { BUILTIN_MODEL } from '../src/detect/builtin-model.js';
import { createPipeline } from '../src/detect/pipeline.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { loadHogBaseline } from './hog-baseline.js';
import { fmt, median } from './stats.js';
import { buildCostModel } from './yolo-cost-model.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WARMUP = 3;
const STAGES = ['decode', 'preprocess', 'inference', 'postprocess', 'total'] as const;
type Timings = Record<(typeof STAGES)[number], number>;

interface RawModel {
  label: string;
  path: string;
  input: string;
  output: string;
  dims: number[];
  fill: number;
}

/** session.run medians of each model, alternating which goes first every round. */
async function rawSessionRuns(models: RawModel[]): Promise<number[]> {
  const sessions = await Promise.all(models.map((model) => ort.InferenceSession.create(model.path, { graphOptimizationLevel: 'all', executionMode: 'sequential' })));
  const inputs = models.map((model) => new ort.Tensor('float32', new Float32Array(model.dims.reduce((a, b) => a * b)).fill(model.fill), model.dims));
  const samples: number[][] = models.map(() => []);
  for (let round = 0; round < WARMUP + RUNS * 2; round++) {
    const order = round % 2 === 0 ? models.map((_, i) => i) : models.map((_, i) => models.length - 1 - i);
    for (const i of order) {
      const start = performance.now();
      await sessions[i]!.run({ [models[i]!.input]: inputs[i]! }, [models[i]!.output]);
      if (round >= WARMUP) samples[i]!.push(performance.now() - start);
    }
  }
  await Promise.all(sessions.map((session) => session.release()));
  return samples.map(median);
}

interface Contender {
  label: string;
  detect(photo: Buffer): Promise<Timings>;
  close(): Promise<void>;
}

async function pipelineContender(label: string, env: Record<string, string>): Promise<Contender> {
  const config = loadConfig(env);
  const pipeline = await createPipeline(config.detect, createMetrics(config.metrics, { runtime: false }).detection);
  return {
    label: `${label} (model_type ${pipeline.modelType})`,
    async detect(photo) {
      const result = await pipeline.detect(photo, 'bench');
      if (!result.ok) throw result.error;
      return result.value.timings_ms;
    },
    close: () => pipeline.close(),
  };
}

async function hogContender(): Promise<Contender> {
  const detect = await loadHogBaseline();
  return {
    label: 'HOG people detector (OpenCV.js, the old default; main thread)',
    async detect(photo) {
      const start = performance.now();
      const { decodeMs, inferenceMs } = await detect(photo);
      const total = performance.now() - start;
      return { decode: decodeMs, preprocess: 0, inference: inferenceMs, postprocess: total - decodeMs - inferenceMs, total };
    },
    close: async () => undefined,
  };
}

/** Every contender on every photo, alternating frame by frame; per-photo timings per contender. */
async function runAll(contenders: Contender[]): Promise<Array<Map<string, Timings[]>>> {
  const results = contenders.map(() => new Map<string, Timings[]>());
  for (const name of FIXTURE_NAMES) {
    const photo = await readFixture(name);
    results.forEach((result) => result.set(name, []));
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [index, contender] of contenders.entries()) {
        const timings = await contender.detect(photo);
        if (i >= WARMUP) results[index]!.get(name)!.push(timings);
      }
    }
  }
  return results;
}

interface Summary {
  inference: number;
  total: number;
  overhead: number;
}

async function printTable(label: string, byPhoto: Map<string, Timings[]>): Promise<Summary> {
  console.log(`\n${label}: ${RUNS} runs per photo after ${WARMUP} warm-up, medians in ms`);
  console.log(`  ${'photo'.padEnd(22)}${STAGES.map((s) => s.padStart(12)).join('')}${'frames/s'.padStart(10)}`);
  const all: Timings[] = [];
  for (const [name, timings] of byPhoto) {
    const meta = await sharp(await readFixture(name as (typeof FIXTURE_NAMES)[number])).metadata();
    const medians = STAGES.map((stage) => median(timings.map((t) => t[stage])));
    console.log(`  ${`${name} ${meta.width}x${meta.height}`.padEnd(22)}${medians.map((m) => fmt(m).padStart(12)).join('')}${fmt(1000 / medians[4]!, 1).padStart(10)}`);
    all.push(...timings);
  }
  const overall = Object.fromEntries(STAGES.map((stage) => [stage, median(all.map((t) => t[stage]))])) as Timings;
  console.log(`  ${'all photos'.padEnd(22)}${STAGES.map((s) => fmt(overall[s]).padStart(12)).join('')}${fmt(1000 / overall.total, 1).padStart(10)}`);
  const overhead = median(all.map((t) => t.total - t.inference));
  console.log(`  everything but inference: ${fmt(overhead)} ms = ${fmt((100 * overhead) / overall.total, 1)} % of end to end`);
  return { inference: overall.inference, total: overall.total, overhead };
}

await mkdir('.bench', { recursive: true });
const { bytes, macs } = buildCostModel();
const costPath = '.bench/yolov8n-cost.onnx';
await writeFile(costPath, bytes);
console.log(`YOLOv8n-cost: ${costPath}, ${fmt(bytes.length / 1e6, 1)} MB, ${fmt((2 * macs) / 1e9)} GFLOPs at 640x640 (YOLOv8n: 8.7), random weights`);
console.log(`CenterNet (built-in): ${BUILTIN_MODEL.path}, 512x512 NHWC`);

const [centernetRaw, costRaw] = await rawSessionRuns([
  { label: 'centernet', path: BUILTIN_MODEL.path, input: 'tower_0/images:0', output: 'tower_0/detections', dims: [1, 512, 512, 3], fill: 114 },
  { label: 'yolov8n-cost', path: costPath, input: 'images', output: 'output0', dims: [1, 3, 640, 640], fill: 0.45 },
]);
console.log(`\nraw session.run on the main thread, medians of ${RUNS * 2} alternating rounds: CenterNet ${fmt(centernetRaw!)} ms, YOLOv8n-cost ${fmt(costRaw!)} ms`);

const contenders = [await pipelineContender('CenterNet, the built-in default', {}), await pipelineContender('YOLOv8n-cost model', { ALGO_MODEL_PATH: costPath }), await hogContender()];
const results = await runAll(contenders);
const summaries: Summary[] = [];
for (const [i, contender] of contenders.entries()) summaries.push(await printTable(contender.label, results[i]!));
const [centernet, cost, hog] = summaries;
await Promise.all(contenders.map((contender) => contender.close()));

console.log('\nsummary (medians over all photos, ms)');
console.log(`  ${''.padEnd(34)}${'CenterNet'.padStart(12)}${'YOLOv8n-cost'.padStart(14)}${'HOG'.padStart(10)}`);
const row = (label: string, values: number[]): void => console.log(`  ${label.padEnd(34)}${values.map((v, i) => fmt(v).padStart(i === 1 ? 14 : i === 0 ? 12 : 10)).join('')}`);
row('session.run, raw (main thread)', [centernetRaw!, costRaw!, Number.NaN]);
row('session.run inside algo', [centernet!.inference, cost!.inference, hog!.inference]);
row('end to end', [centernet!.total, cost!.total, hog!.total]);
row('everything but inference', [centernet!.overhead, cost!.overhead, hog!.overhead]);
console.log(`  CenterNet session.run / YOLOv8n-cost: raw ${fmt(centernetRaw! / costRaw!)}x, inside algo ${fmt(centernet!.inference / cost!.inference)}x (target <= 0.8x)`);
console.log(`  CenterNet end to end is ${fmt(hog!.total / centernet!.total, 1)}x faster than HOG's (target >= 5x)`);
