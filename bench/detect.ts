// npm run bench:detect — prints figures, asserts nothing.
// Per-stage latency and frames/s of the detection pipeline on the fixture photos, with a
// generated model of YOLOv8n's cost, next to onnxruntime's raw session.run on the same
// model in the same run. Target: everything but session.run ≤ 10 % of end-to-end.
import { mkdir, writeFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../src/config/config.js';
import { createPipeline, type DetectionResponse } from '../src/detect/pipeline.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { buildCostModel } from './yolo-cost-model.js';
import { fmt, median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WARMUP = 3;
const STAGES = ['decode', 'preprocess', 'inference', 'postprocess', 'total'] as const;

async function rawSessionRun(modelPath: string): Promise<number> {
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const input = new ort.Tensor('float32', new Float32Array(3 * 640 * 640).fill(0.45), [1, 3, 640, 640]);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + RUNS * 2; i++) {
    const start = performance.now();
    await session.run({ images: input });
    if (i >= WARMUP) samples.push(performance.now() - start);
  }
  await session.release();
  return median(samples);
}

async function runPipeline(label: string, env: Record<string, string>): Promise<{ totals: number[]; inference: number[] }> {
  const config = loadConfig(env);
  const pipeline = await createPipeline(config.detect, createMetrics(config.metrics, { runtime: false }).detection);
  console.log(`\n${label} (model_type ${pipeline.modelType}), ${RUNS} runs per photo after ${WARMUP} warm-up, medians in ms`);
  console.log(`  ${'photo'.padEnd(14)}${STAGES.map((s) => s.padStart(12)).join('')}${'frames/s'.padStart(10)}`);
  const all: Record<(typeof STAGES)[number], number[]> = { decode: [], preprocess: [], inference: [], postprocess: [], total: [] };
  const wallStart = performance.now();
  let frames = 0;
  for (const name of FIXTURE_NAMES) {
    const photo = await readFixture(name);
    const timings: DetectionResponse['timings_ms'][] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const result = await pipeline.detect(photo, 'bench');
      if (!result.ok) throw result.error;
      if (i >= WARMUP) {
        timings.push(result.value.timings_ms);
        frames++;
      }
    }
    const medians = STAGES.map((stage) => median(timings.map((t) => t[stage])));
    STAGES.forEach((stage) => all[stage].push(...timings.map((t) => t[stage])));
    const sharp = await import('sharp');
    const meta = await sharp.default(photo).metadata();
    console.log(`  ${`${name} ${meta.width}x${meta.height}`.padEnd(14).slice(0, 22)}${medians.map((m) => fmt(m).padStart(12)).join('')}${fmt(1000 / medians[4]!, 1).padStart(10)}`);
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  console.log(`  ${'all photos'.padEnd(14)}${STAGES.map((s) => fmt(median(all[s])).padStart(12)).join('')}${fmt(1000 / median(all.total), 1).padStart(10)}`);
  console.log(`  sequential throughput incl. warm-up: ${fmt((frames + WARMUP * FIXTURE_NAMES.length) / wallSeconds, 1)} frames/s`);
  await pipeline.close();
  return { totals: all.total, inference: all.inference };
}

await mkdir('.bench', { recursive: true });
const { bytes, macs } = buildCostModel();
const modelPath = '.bench/yolov8n-cost.onnx';
await writeFile(modelPath, bytes);
console.log(`model: ${modelPath}, ${fmt(bytes.length / 1e6, 1)} MB, ${fmt((2 * macs) / 1e9)} GFLOPs at 640x640 (YOLOv8n: 8.7), random weights`);

const raw = await rawSessionRun(modelPath);
console.log(`onnxruntime raw session.run on the main thread (baseline): ${fmt(raw)} ms median`);

const yolo = await runPipeline('YOLOv8n-cost model through algo', { ALGO_MODEL_PATH: modelPath });
const total = median(yolo.totals);
const inference = median(yolo.inference);
const overhead = yolo.totals.map((t, i) => t - yolo.inference[i]!);
console.log(`\nend-to-end ${fmt(total)} ms vs session.run ${fmt(inference)} ms inside algo (raw baseline ${fmt(raw)} ms)`);
console.log(`everything but session.run: ${fmt(median(overhead))} ms = ${fmt((100 * median(overhead)) / total, 1)} % of end-to-end (target <= 10 %)`);

await runPipeline('Built-in HOG people detector', {});
