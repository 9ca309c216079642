import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { letterboxGeometry, toDetectedObjects, unletterbox } from '../../src/detect/letterbox.js';
import { iou, nonMaxSuppression } from '../../src/detect/nms.js';
import type { Candidate } from '../../src/detect/types.js';
import { decodeYoloOutput } from '../../src/detect/formats/yolo-output.js';
import { decodeDetectionRows } from '../../src/detect/formats/centernet-signature.js';
import { classNamesFor, COCO80, modelTypeFor, parseUltralyticsNames } from '../../src/detect/formats/class-names.js';

const box = (classId: number, score: number, x1: number, y1: number, x2: number, y2: number): Candidate => ({
  classId,
  score,
  x1,
  y1,
  x2,
  y2,
});

describe('letterbox geometry', () => {
  test('a landscape frame is scaled to the input width and padded evenly top and bottom', () => {
    assert.deepEqual(letterboxGeometry(640, 424, 640, 640), {
      scale: 1,
      padLeft: 0,
      padTop: 108,
      resizedWidth: 640,
      resizedHeight: 424,
      inputWidth: 640,
      inputHeight: 640,
    });
    const g = letterboxGeometry(1352, 900, 640, 640);
    assert.equal(g.resizedWidth, 640);
    assert.equal(g.resizedHeight, 426);
    assert.equal(g.padTop, 107);
  });

  test('a portrait frame is padded left and right', () => {
    const g = letterboxGeometry(352, 448, 320, 320);
    assert.equal(g.resizedHeight, 320);
    assert.equal(g.resizedWidth, 251);
    assert.equal(g.padLeft, 34);
    assert.equal(g.padTop, 0);
  });

  test('boxes map back through the letterbox and are clipped to the image', () => {
    const g = letterboxGeometry(640, 424, 320, 320);
    assert.deepEqual(unletterbox(80, 70, 120, 170, g, 640, 424), { x: 160, y: 32, width: 80, height: 200 });
    assert.deepEqual(unletterbox(-10, 40, 330, 300, g, 640, 424), { x: 0, y: 0, width: 640, height: 424 });
  });
});

describe('boxes back to original pixels', () => {
  test('a box crossing the image edge is clipped, one wholly in the padding is dropped, one thinner than the rounding is dropped', () => {
    // 640×424 into 320×320: scale 0.5, 54 px of padding above and below.
    const g = letterboxGeometry(640, 424, 320, 320);
    const objects = toDetectedObjects(
      [box(0, 0.91234, 80, 40, 120, 170), box(1, 0.8, 10, 280, 60, 318), box(2, 0.7, 100, 100, 100.001, 150)],
      g,
      { width: 640, height: 424 },
      ['person', 'kite'],
    );
    assert.deepEqual(objects, [{ label: 'person', class_id: 0, score: 0.9123, box: { x: 160, y: 0, width: 80, height: 232 } }]);
  });
});

describe('YOLO head decoding and NMS', () => {
  test('decodes [1, 4+C, N] anchors, keeping the best class above the threshold', () => {
    // 2 classes, 3 anchors; rows: cx, cy, w, h, class0, class1
    const output = Float32Array.from([10, 50, 90, 20, 50, 80, 4, 10, 20, 8, 10, 40, 0.1, 0.9, 0.3, 0.6, 0.2, 0.1]);
    const candidates = decodeYoloOutput(output, 2, 3, 0.25);
    assert.deepEqual(candidates, [
      box(1, Math.fround(0.6), 8, 16, 12, 24),
      box(0, Math.fround(0.9), 45, 45, 55, 55),
      box(0, Math.fround(0.3), 80, 60, 100, 100),
    ]);
  });

  test('class-wise NMS removes same-class overlaps and keeps other classes', () => {
    const kept = nonMaxSuppression(
      [box(0, 0.8, 0, 0, 10, 10), box(0, 0.9, 1, 1, 11, 11), box(1, 0.7, 1, 1, 11, 11), box(0, 0.5, 50, 50, 60, 60)],
      0.45,
      100,
    );
    assert.deepEqual(
      kept.map((c) => [c.classId, c.score]),
      [
        [0, 0.9],
        [1, 0.7],
        [0, 0.5],
      ],
    );
  });

  test('NMS stops at the detection cap', () => {
    const many = Array.from({ length: 20 }, (_, i) => box(0, 1 - i / 100, i * 20, 0, i * 20 + 10, 10));
    assert.equal(nonMaxSuppression(many, 0.45, 5).length, 5);
  });

  test('iou of disjoint, identical and half-overlapping boxes', () => {
    assert.equal(iou(box(0, 1, 0, 0, 10, 10), box(0, 1, 20, 20, 30, 30)), 0);
    assert.equal(iou(box(0, 1, 0, 0, 10, 10), box(0, 1, 0, 0, 10, 10)), 1);
    assert.equal(iou(box(0, 1, 0, 0, 10, 10), box(0, 1, 5, 0, 15, 10)), 50 / 150);
  });
});

describe('CenterNet detections decoding and class-agnostic suppression', () => {
  test('rows of x1, y1, x2, y2, score, class above the threshold become candidates; padding rows and bad classes are skipped', () => {
    const rows = Float32Array.from([
      10,
      20,
      30,
      60,
      0.8,
      0,
      12,
      22,
      31,
      61,
      0.5,
      16,
      0,
      0,
      0,
      0,
      0,
      0,
      5,
      5,
      9,
      9,
      0.9,
      Number.NaN,
      1,
      1,
      2,
      2,
      0.2,
      3,
    ]);
    assert.deepEqual(decodeDetectionRows(rows, 5, 0.3), [
      box(0, Math.fround(0.8), 10, 20, 30, 60),
      box(16, Math.fround(0.5), 12, 22, 31, 61),
    ]);
  });

  test('class-agnostic NMS removes one box labelled with two classes, class-wise keeps both', () => {
    const twice = [box(19, 0.36, 400, 136, 600, 338), box(18, 0.34, 402, 135, 601, 340), box(0, 0.76, 190, 103, 273, 381)];
    assert.deepEqual(
      nonMaxSuppression(twice, 0.45, 100, true).map((c) => c.classId),
      [0, 19],
    );
    assert.deepEqual(
      nonMaxSuppression(twice, 0.45, 100).map((c) => c.classId),
      [0, 19, 18],
    );
  });
});

describe('model metadata', () => {
  test('Ultralytics names parse, including quotes inside names', () => {
    const names = parseUltralyticsNames(`{0: 'person', 1: 'kite', 2: "dog's toy", 3: 'a \\'quoted\\' one'}`);
    assert.deepEqual(
      [...(names ?? new Map()).entries()],
      [
        [0, 'person'],
        [1, 'kite'],
        [2, "dog's toy"],
        [3, "a 'quoted' one"],
      ],
    );
    assert.equal(parseUltralyticsNames('not a dict'), undefined);
  });

  test('class names fall back to COCO-80 without metadata and to class_<id> beyond it', () => {
    assert.deepEqual(classNamesFor(80, undefined), [...COCO80]);
    assert.deepEqual(classNamesFor(2, new Map([[0, 'a']])), ['a', 'class_1']);
  });

  test('model_type comes from the description, else the file name', () => {
    assert.equal(modelTypeFor('Ultralytics YOLOv8n model trained on coco.yaml', '/m/x.onnx'), 'yolov8n');
    assert.equal(modelTypeFor('Ultralytics YOLO11s model trained on coco.yaml', '/m/x.onnx'), 'yolo11s');
    assert.equal(modelTypeFor(undefined, '/models/yolov8m-custom.onnx'), 'yolov8m-custom');
    assert.equal(modelTypeFor(undefined, '/models/People Net.onnx'), 'people_net');
  });
});
