// A tiny model with an Ultralytics YOLOv8 export's signature — input `images` [1,3,S,S],
// output `output0` [1, 4+C, N], `names`/`imgsz`/`description` metadata — whose boxes are
// known in advance, so decoding, NMS and the letterbox mapping can be checked exactly.
// Anchor 5's class-0 score is the mean of the red input channel, which ties the output to
// the preprocessing (RGB order, 0..1 scaling, gray 114 padding).
import { encodeModel } from './onnx-writer.js';

export const TEST_MODEL_SIZE = 320;
export const TEST_CLASS_NAMES = ['person', 'kite', "dog's toy"];
export const TEST_ANCHORS = 6;

/** [cx, cy, w, h, scores per class] in model-input pixels. */
export const TEST_ANCHOR_ROWS: Array<[number, number, number, number, number[]]> = [
  [100, 120, 40, 100, [0.9, 0, 0]], // person A
  [104, 122, 42, 98, [0.8, 0, 0]], // overlaps A, same class: removed by NMS
  [104, 122, 42, 98, [0, 0.7, 0]], // same box, other class: kept (class-wise NMS)
  [220, 120, 40, 100, [0.6, 0, 0]], // person B
  [60, 250, 30, 30, [0, 0, 0.1]], // below the confidence threshold
  [160, 160, 50, 50, [0, 0, 0]], // class 0 score = mean red level, set by the graph
];

/**
 * extraChannels > 0 adds that many all-zero channels after the class scores, as a pose
 * (keypoints) or segment (mask coefficients) export has.
 */
export function buildTestModel(extraMetadata: Record<string, string> = {}, extraChannels = 0): Uint8Array {
  const channels = 4 + TEST_CLASS_NAMES.length + extraChannels;
  const base = new Float32Array(channels * TEST_ANCHORS);
  TEST_ANCHOR_ROWS.forEach(([cx, cy, w, h, scores], anchor) => {
    [cx, cy, w, h, ...scores].forEach((value, row) => (base[row * TEST_ANCHORS + anchor] = value));
  });
  const mask = new Float32Array(channels * TEST_ANCHORS);
  mask[4 * TEST_ANCHORS + 5] = 1;
  const S = TEST_MODEL_SIZE;
  return encodeModel({
    inputs: [{ name: 'images', dims: [1, 3, S, S] }],
    outputs: [{ name: 'output0', dims: [1, channels, TEST_ANCHORS] }],
    initializers: [
      { name: 'base', dims: [1, channels, TEST_ANCHORS], data: base },
      { name: 'mask', dims: [1, channels, TEST_ANCHORS], data: mask },
      { name: 'starts', dims: [1], data: { int64: [0] } },
      { name: 'ends', dims: [1], data: { int64: [1] } },
      { name: 'axes', dims: [1], data: { int64: [1] } },
      { name: 'scalar_shape', dims: [3], data: { int64: [1, 1, 1] } },
    ],
    nodes: [
      { op: 'Slice', inputs: ['images', 'starts', 'ends', 'axes'], outputs: ['red'] },
      { op: 'ReduceMean', inputs: ['red'], outputs: ['red_mean'], attributes: { keepdims: 1 } },
      { op: 'Reshape', inputs: ['red_mean', 'scalar_shape'], outputs: ['red_scalar'] },
      { op: 'Mul', inputs: ['red_scalar', 'mask'], outputs: ['red_cell'] },
      { op: 'Add', inputs: ['base', 'red_cell'], outputs: ['output0'] },
    ],
    metadata: {
      description: 'Ultralytics YOLOv8n model trained on algo-test.yaml',
      author: 'algo tests',
      task: 'detect',
      stride: '32',
      batch: '1',
      imgsz: `[${S}, ${S}]`,
      end2end: 'False',
      names: `{0: 'person', 1: 'kite', 2: "dog's toy"}`,
      ...extraMetadata,
    },
  });
}
