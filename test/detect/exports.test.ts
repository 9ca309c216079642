// Every Ultralytics detection export algo reads, on small graphs with Ultralytics' metadata
// and outputs known in advance: boxes, classes and scores checked against hand-computed values
// after the letterbox mapping (a 640×480 frame into the model's input).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createDetector } from '../../src/detect/create-detector.js';
import { probeImage } from '../../src/detect/decode.js';
import type { DetectedObject, Detector } from '../../src/detect/types.js';
import { outputKindOf } from '../../src/detect/formats/yolo-signature.js';
import { fromHalf, toHalf } from '../../src/detect/worker/float16.js';
import { buildExportModel, padRows, ultralyticsMetadata } from '../helpers/export-models.js';
import { solidImage } from '../helpers/images.js';
import { writeTempFile } from '../helpers/models.js';
import { testConfig } from '../helpers/service.js';

const NAMES = ['person', 'car', 'dog'];
const opened: Detector[] = [];
after(async () => Promise.all(opened.map((detector) => detector.close())));

async function load(file: string, model: Uint8Array): Promise<Detector> {
  const detector = await createDetector(
    testConfig({ ALGO_MODEL_PATH: await writeTempFile(file, model), ALGO_DETECT_CONCURRENCY: '1' }).detect,
  );
  opened.push(detector);
  return detector;
}

/** Objects found in a gray 640×480 frame: into 320×320 that is scale 0.5 with 40 px of padding on top. */
async function detect640x480(detector: Detector): Promise<DetectedObject[]> {
  return (await detector.detect(await probeImage(await solidImage(640, 480, [90, 90, 90]), 40_000_000))).objects;
}

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

// x1, y1, x2, y2 (input pixels), score, class: two overlapping persons (both kept: no NMS
// again), a car below the 0.25 threshold, a dog; then zero rows up to max_det.
const END2END_ROWS = [
  [100, 140, 200, 240, 0.9, 0],
  [110, 150, 210, 250, 0.8, 0],
  [0, 40, 40, 80, 0.1, 1],
  [20, 60, 60, 100, 0.5, 2],
];
const END2END_EXPECTED: DetectedObject[] = [
  { label: 'person', class_id: 0, score: 0.9, box: box(200, 200, 200, 200) },
  { label: 'person', class_id: 0, score: 0.8, box: box(220, 220, 200, 200) },
  { label: 'dog', class_id: 2, score: 0.5, box: box(40, 40, 80, 80) },
];

function end2endModel(description: string, extra: Record<string, string>, type?: 'float16'): Uint8Array {
  return buildExportModel({
    height: 320,
    width: 320,
    outputDims: [1, 300, 6],
    values: padRows(END2END_ROWS, 6, 300),
    metadata: ultralyticsMetadata(description, NAMES, [320, 320], extra),
    ...(type === undefined ? {} : { type }),
  });
}

describe('Ultralytics detection exports', () => {
  test('YOLO26 default export (end-to-end [1, 300, 6]): boxes in input pixels mapped back, no NMS again, threshold applied', async () => {
    const detector = await load('yolo26n.onnx', end2endModel('Ultralytics YOLO26n model trained on coco.yaml', { end2end: 'True' }));
    assert.equal(detector.modelType, 'yolo26n');
    assert.deepEqual(await detect640x480(detector), END2END_EXPECTED);
  });

  test('YOLOv10 default export (end-to-end [1, 300, 6]) reads the same way', async () => {
    const detector = await load('yolov10n.onnx', end2endModel('Ultralytics YOLOv10n model trained on coco.yaml', { end2end: 'True' }));
    assert.equal(detector.modelType, 'yolov10n');
    assert.deepEqual(await detect640x480(detector), END2END_EXPECTED);
  });

  test('a YOLOv8 export made with nms=True ([1, 300, 6], told by its args) reads the same way', async () => {
    const model = end2endModel('Ultralytics YOLOv8n model trained on coco.yaml', { args: "{'batch': 1, 'half': False, 'nms': True}" });
    const detector = await load('yolov8n-nms.onnx', model);
    assert.equal(detector.modelType, 'yolov8n');
    assert.deepEqual(await detect640x480(detector), END2END_EXPECTED);
  });

  test('ALGO_MAX_DETECTIONS still caps an end-to-end export, best scores first', async () => {
    const file = await writeTempFile('yolo26n-cap.onnx', end2endModel('Ultralytics YOLO26n model', { end2end: 'True' }));
    const detector = await createDetector(
      testConfig({ ALGO_MODEL_PATH: file, ALGO_MAX_DETECTIONS: '2', ALGO_DETECT_CONCURRENCY: '1' }).detect,
    );
    opened.push(detector);
    assert.deepEqual(await detect640x480(detector), END2END_EXPECTED.slice(0, 2));
  });

  test('RT-DETR ([1, 300, 4 + classes], normalised cx, cy, w, h): the best class per query, no NMS', async () => {
    const queries = [
      [150 / 320, 190 / 320, 100 / 320, 100 / 320, 0.9, 0.1, 0.05],
      [40 / 320, 80 / 320, 40 / 320, 40 / 320, 0.2, 0.3, 0.85],
      [0.5, 0.5, 0.2, 0.2, 0.1, 0.2, 0.24],
    ];
    const model = buildExportModel({
      height: 320,
      width: 320,
      outputDims: [1, 300, 7],
      values: padRows(queries, 7, 300),
      metadata: ultralyticsMetadata('Ultralytics rtdetr-l model trained on coco.yaml', NAMES, [320, 320]),
    });
    const detector = await load('rtdetr-l.onnx', model);
    assert.equal(detector.modelType, 'rtdetr-l');
    assert.deepEqual(await detect640x480(detector), [
      { label: 'person', class_id: 0, score: 0.9, box: box(200, 200, 200, 200) },
      { label: 'dog', class_id: 2, score: 0.85, box: box(40, 40, 80, 80) },
    ]);
  });

  test('a rectangular input (imgsz=[192, 320]) is read from the model and letterboxed to it', async () => {
    // Head [1, 4 + 3, 2]: one person at cx 160, cy 96, 80 × 40 in input pixels.
    const model = buildExportModel({
      height: 192,
      width: 320,
      outputDims: [1, 7, 2],
      values: [160, 0, 96, 0, 80, 0, 40, 0, 0.9, 0, 0, 0, 0, 0],
      metadata: ultralyticsMetadata('Ultralytics YOLO11n model trained on coco.yaml', NAMES, [192, 320]),
    });
    const detector = await load('yolo11n-rect.onnx', model);
    assert.deepEqual(detector.inputSize, { width: 320, height: 192 });
    // 640×480 → scale 0.4 (256×192), 32 px of padding left and right.
    assert.deepEqual(await detect640x480(detector), [{ label: 'person', class_id: 0, score: 0.9, box: box(220, 190, 200, 100) }]);
  });

  test('a half=True export (float16 input and output) runs on the CPU with the same boxes', async () => {
    const detector = await load(
      'yolo26n-half.onnx',
      end2endModel('Ultralytics YOLO26n model', { end2end: 'True', args: "{'half': True}" }, 'float16'),
    );
    const objects = await detect640x480(detector);
    assert.deepEqual(
      objects.map(({ label, box: b }) => ({ label, box: b })),
      END2END_EXPECTED.map(({ label, box: b }) => ({ label, box: b })),
    );
    objects.forEach((object, i) => assert.ok(Math.abs(object.score - END2END_EXPECTED[i]!.score) < 1e-3, `score ${object.score}`));
  });

  test('a head whose channels are not 4 + its named classes is refused naming what was found', async () => {
    const model = buildExportModel({
      height: 64,
      width: 64,
      outputDims: [1, 6, 8],
      values: new Array(48).fill(0),
      metadata: ultralyticsMetadata('Ultralytics YOLOv8n model', NAMES, [64, 64]),
    });
    const path = await writeTempFile('yolov8n-6-channels.onnx', model);
    await assert.rejects(
      createDetector(testConfig({ ALGO_MODEL_PATH: path, ALGO_DETECT_CONCURRENCY: '1' }).detect),
      /the output has 6 channels per anchor, but a detection export with 3 class names has 4 \+ 3 = 7/,
    );
  });
});

test('a classify export is refused by its task, with the export command, whatever its output shape', async () => {
  const model = buildExportModel({
    height: 64,
    width: 64,
    outputDims: [1, 3],
    values: [0.1, 0.2, 0.7],
    metadata: { ...ultralyticsMetadata('Ultralytics YOLOv8n-cls model', NAMES, [64, 64]), task: 'classify' },
  });
  await assert.rejects(
    createDetector(testConfig({ ALGO_MODEL_PATH: await writeTempFile('yolov8n-cls.onnx', model), ALGO_DETECT_CONCURRENCY: '1' }).detect),
    /task=classify\); algo needs a detection export \(yolo export model=<detection model>\.pt format=onnx, task=detect\)/,
  );
});

describe('telling export layouts apart', () => {
  const names = new Map(NAMES.map((name, id) => [id, name]));
  const none = new Map<string, string>();
  test('metadata decides first: end2end or nms=True is end-to-end, an RT-DETR description is RT-DETR', () => {
    assert.equal(outputKindOf([1, 300, 6], names, new Map([['end2end', 'True']]), 'm.onnx'), 'end2end');
    assert.equal(outputKindOf([1, 300, 6], names, new Map([['args', "{'nms': True}"]]), 'm.onnx'), 'end2end');
    assert.equal(
      outputKindOf(
        [1, 300, 6],
        new Map([
          [0, 'a'],
          [1, 'b'],
        ]),
        new Map([['description', 'Ultralytics rtdetr-l model']]),
        'm.onnx',
      ),
      'rtdetr',
    );
    assert.equal(outputKindOf([1, 300, 84], undefined, none, '/models/rtdetr-x.onnx'), 'rtdetr');
  });

  test('without the end2end key the shape decides: 4 + classes rows a head, 4 + classes columns RT-DETR, 6 columns end-to-end', () => {
    assert.equal(outputKindOf([1, 7, 8400], names, none, 'm.onnx'), 'head');
    assert.equal(outputKindOf([1, 7, 6], names, none, 'm.onnx'), 'head');
    assert.equal(outputKindOf([1, 300, 7], names, none, 'm.onnx'), 'rtdetr');
    assert.equal(outputKindOf([1, 300, 6], names, none, 'm.onnx'), 'end2end');
    assert.equal(outputKindOf([1, 'anchors', 6], undefined, none, 'm.onnx'), 'end2end');
    assert.equal(outputKindOf([1, 84, 8400], undefined, none, 'm.onnx'), 'head');
  });

  test('[1, K, 6] with two classes is end-to-end when the model says it is a YOLO, RT-DETR when it says so, whatever the file is called', () => {
    const two = new Map([
      [0, 'helmet'],
      [1, 'head'],
    ]);
    const yolo = new Map([['description', 'Ultralytics YOLOv10n model']]);
    assert.equal(outputKindOf([1, 300, 6], two, yolo, 'm.onnx'), 'end2end');
    assert.equal(outputKindOf([1, 300, 6], two, new Map([['description', 'Ultralytics rtdetr-l model']]), 'm.onnx'), 'rtdetr');
    assert.equal(outputKindOf([1, 300, 6], two, none, 'helmets-yolo26n.onnx'), 'end2end');
    // The file name counts only without a description.
    const yolo11 = new Map([['description', 'Ultralytics YOLO11n model']]);
    assert.equal(outputKindOf([1, 7, 2], names, yolo11, '/m/yolo11n-distilled-from-rtdetr.onnx'), 'head');
  });

  test('an export that says end2end False is never read as end-to-end from its shape', () => {
    assert.equal(outputKindOf([1, 56, 6], names, new Map([['end2end', 'False']]), 'm.onnx'), 'head');
  });

  test('float16 conversion round-trips the values a detector outputs and rounds to nearest even', () => {
    for (const value of [0, 1, -2, 0.5, 0.9, 320, 639.5, 65504, 6e-8]) {
      assert.ok(Math.abs(fromHalf(toHalf(value)) - value) <= Math.abs(value) * 1e-3 + 6e-8, `${value}`);
    }
    assert.equal(toHalf(1), 0x3c00);
    assert.equal(toHalf(1 + 2 ** -11), 0x3c00, 'a tie rounds to the even mantissa');
    assert.equal(toHalf(1e6), 0x7c00, 'overflow is infinity');
    assert.ok(Number.isNaN(fromHalf(toHalf(Number.NaN))));
  });
});
