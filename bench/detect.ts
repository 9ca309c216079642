// npm run bench:detect — prints figures, asserts nothing.
// The built-in CenterNet side by side with a generated model of YOLOv8n's cost, in one run:
//  1. onnxruntime's raw session.run on the main thread, the two models alternating round by round;
//  2. each through algo's detection pipeline on the fixture photos (per-stage medians), and
//     the old HOG people detector (OpenCV.js, installed into .reference/ on first use) as the
//     baseline, all three alternating frame by frame.
// The issue's targets, each printed as met / not met with the paired ratios' median and
// p25–p75 (ratios of the two sides measured back to back in the same round or frame):
// CenterNet's session.run ≤ 0.8× the YOLOv8n-cost model's; CenterNet's end to end ≥ 5×
// faster than HOG's. Everything but inference is printed as a share of end to end, a figure
// without a target. 10 runs per photo, 3 with --quick (raw session.run gets 3× as many rounds).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadConfig } from '../src/config/config.js';
import { BUILTIN_MODEL } from '../src/detect/builtin-model.js';
import { createPipeline } from '../src/detect/pipeline.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { loadHogBaseline } from './hog-baseline.js';
import { announce, scaled } from './quick.js';
import { fmt, median, percentile, verdictOf } from './stats.js';
import { buildCostModel } from './yolo-cost-model.js';

const RUNS = scaled(10, 3);
const RAW_ROUNDS = RUNS * 3;
const WARMUP = 3;
const STAGES = ['decode', 'preprocess', 'inference', 'postprocess', 'total'] as const;
announce('bench:detect', { full: 380, quick: 35 });
type Timings = Record<(typeof STAGES)[number], number>;

interface RawModel {
  label: string;
  path: string;
  input: string;
  output: string;
  dims: number[];
  fill: number;
}

/** session.run samples of each model (one per round, same index = same round), alternating which goes first every round. */
async function rawSessionRuns(models: RawModel[]): Promise<number[][]> {
  const sessions = await Promise.all(
    models.map((model) => ort.InferenceSession.create(model.path, { graphOptimizationLevel: 'all', executionMode: 'sequential' })),
  );
  const inputs = models.map(
    (model) => new ort.Tensor('float32', new Float32Array(model.dims.reduce((a, b) => a * b)).fill(model.fill), model.dims),
  );
  const samples: number[][] = models.map(() => []);
  for (let round = 0; round < WARMUP + RAW_ROUNDS; round++) {
    const order = round % 2 === 0 ? models.map((_, i) => i) : models.map((_, i) => models.length - 1 - i);
    for (const i of order) {
      const start = performance.now();
      await sessions[i]!.run({ [models[i]!.input]: inputs[i]! }, [models[i]!.output]);
      if (round >= WARMUP) samples[i]!.push(performance.now() - start);
    }
  }
  await Promise.all(sessions.map((session) => session.release()));
  return samples;
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
      return { decode: decodeMs, preprocess: Number.NaN, inference: inferenceMs, postprocess: total - decodeMs - inferenceMs, total };
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

/** A figure or "–" when there is none (HOG has no preprocess stage and no raw session.run). */
const cell = (value: number, digits = 2): string => (Number.isFinite(value) ? fmt(value, digits) : '–');

/** "median [p25–p75]" of samples. */
function spread(values: number[], digits = 2): string {
  return values.length === 0
    ? '–'
    : `${fmt(median(values), digits)} [${fmt(percentile(values, 25), digits)}–${fmt(percentile(values, 75), digits)}]`;
}

/** Frame-order samples of one contender over all photos (same index = same frame for every contender). */
function allFrames(byPhoto: Map<string, Timings[]>): Timings[] {
  return [...byPhoto.values()].flat();
}

async function printTable(label: string, byPhoto: Map<string, Timings[]>): Promise<void> {
  console.log(`\n${label}: ${RUNS} runs per photo after ${WARMUP} warm-up, medians in ms`);
  console.log(`  ${'photo'.padEnd(22)}${STAGES.map((s) => s.padStart(12)).join('')}${'frames/s'.padStart(10)}`);
  for (const [name, timings] of byPhoto) {
    const meta = await sharp(await readFixture(name as (typeof FIXTURE_NAMES)[number])).metadata();
    const medians = STAGES.map((stage) => median(timings.map((t) => t[stage])));
    console.log(
      `  ${`${name} ${meta.width}x${meta.height}`.padEnd(22)}${medians.map((m) => cell(m).padStart(12)).join('')}${fmt(1000 / medians[4]!, 1).padStart(10)}`,
    );
  }
  const all = allFrames(byPhoto);
  const overall = STAGES.map((stage) => median(all.map((t) => t[stage])));
  console.log(
    `  ${`all photos (n=${all.length})`.padEnd(22)}${overall.map((m) => cell(m).padStart(12)).join('')}${fmt(1000 / overall[4]!, 1).padStart(10)}`,
  );
}

/** Prints one of the issue's targets as MET, NOT MET or UNSETTLED (the p25–p75 spread straddles it) from paired ratios. */
function verdict(name: string, ratios: number[], target: number, meets: (ratio: number) => boolean): void {
  const [p25, p75] = [percentile(ratios, 25), percentile(ratios, 75)];
  console.log(
    `  ${verdictOf(ratios, meets)}: ${name}: median ${fmt(median(ratios))}x, p25–p75 ${fmt(p25)}–${fmt(p75)}x over n=${ratios.length} pairs (target ${target}x)`,
  );
}

await mkdir('.bench', { recursive: true });
const { bytes, macs } = buildCostModel();
const costPath = '.bench/yolov8n-cost.onnx';
await writeFile(costPath, bytes);
console.log(
  `YOLOv8n-cost: ${costPath}, ${fmt(bytes.length / 1e6, 1)} MB, ${fmt((2 * macs) / 1e9)} GFLOPs at 640x640 (YOLOv8n: 8.7), random weights`,
);
console.log(`CenterNet (built-in): ${BUILTIN_MODEL.path}, 512x512 NHWC`);
console.log(
  `load average at start: ${loadavg()
    .map((l) => fmt(l))
    .join(' ')} on ${availableParallelism()} cores`,
);

const [centernetRaw, costRaw] = await rawSessionRuns([
  {
    label: 'centernet',
    path: BUILTIN_MODEL.path,
    input: 'tower_0/images:0',
    output: 'tower_0/detections',
    dims: [1, 512, 512, 3],
    fill: 114,
  },
  { label: 'yolov8n-cost', path: costPath, input: 'images', output: 'output0', dims: [1, 3, 640, 640], fill: 0.45 },
]);
console.log(
  `\nraw session.run on the main thread, ${RAW_ROUNDS} alternating rounds after ${WARMUP} warm-up, median [p25–p75] ms: CenterNet ${spread(centernetRaw!)}, YOLOv8n-cost ${spread(costRaw!)}`,
);

const contenders = [
  await pipelineContender('CenterNet, the built-in default', {}),
  await pipelineContender('YOLOv8n-cost model', { ALGO_MODEL_PATH: costPath }),
  await hogContender(),
];
const results = await runAll(contenders);
for (const [i, contender] of contenders.entries()) await printTable(contender.label, results[i]!);
await Promise.all(contenders.map((contender) => contender.close()));
const [centernet, cost, hog] = results.map(allFrames) as [Timings[], Timings[], Timings[]];
const pick = (frames: Timings[], of: (t: Timings) => number): number[] => frames.map(of);
const inference = (t: Timings): number => t.inference;
const total = (t: Timings): number => t.total;
const overhead = (t: Timings): number => t.total - t.inference;

console.log(
  `\nsummary, ms: median [p25–p75]; raw session.run over ${RAW_ROUNDS} rounds, the rest over ${centernet.length} frames (${FIXTURE_NAMES.length} photos × ${RUNS})`,
);
const widths = [36, 24, 24, 26];
const row = (label: string, values: string[]): void =>
  console.log(`  ${label.padEnd(widths[0]!)}${values.map((v, i) => v.padStart(widths[i + 1]!)).join('')}`);
row('', ['CenterNet', 'YOLOv8n-cost', 'HOG']);
row('session.run, raw (main thread)', [spread(centernetRaw!), spread(costRaw!), '–']);
row("session.run inside algo's worker", [spread(pick(centernet, inference)), spread(pick(cost, inference)), '–']);
row('HOG detectMultiScale (main thread)', ['–', '–', spread(pick(hog, inference))]);
row('end to end', [spread(pick(centernet, total)), spread(pick(cost, total)), spread(pick(hog, total))]);
row('everything but inference', [spread(pick(centernet, overhead)), spread(pick(cost, overhead)), spread(pick(hog, overhead))]);
const share = (frames: Timings[]): string => `${fmt(100 * median(frames.map((t) => overhead(t) / t.total)), 1)} %`;
row('  … as a share of end to end (median)', [share(centernet), share(cost), share(hog)]);

console.log('\ntargets (issue 12), from paired ratios');
const ratios = (a: number[], b: number[]): number[] => a.map((value, i) => value / b[i]!);
verdict('CenterNet raw session.run / YOLOv8n-cost raw session.run <= 0.8', ratios(centernetRaw!, costRaw!), 0.8, (r) => r <= 0.8);
verdict('HOG end to end / CenterNet end to end >= 5', ratios(pick(hog, total), pick(centernet, total)), 5, (r) => r >= 5);
console.log(
  `  (for information, not a target: CenterNet / YOLOv8n-cost session.run inside algo ${spread(ratios(pick(centernet, inference), pick(cost, inference)))}x)`,
);
