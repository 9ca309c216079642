// The built-in detector on real photos, and the YOLO path checked against boxes known in advance.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { createDetector } from '../../src/detect/create-detector.js';
import { probeImage } from '../../src/detect/decode.js';
import type { Box, Detector } from '../../src/detect/types.js';
import { testConfig } from '../helpers/service.js';
import { FIXTURE_NAMES, readFixture, solidImage } from '../helpers/images.js';
import { writeNonDetectorModel, writeTempFile, writeTestModel } from '../helpers/models.js';
import { AlgoError } from '../../src/errors.js';
import { BUILTIN_MODEL } from '../../src/detect/builtin-model.js';
import { buildTestModel } from '../helpers/yolo-test-model.js';

async function detectIn(detector: Detector, encoded: Buffer) {
  return detector.detect(await probeImage(encoded, 40_000_000));
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

describe('YOLOv8 detector on the generated model', () => {
  let detector: Detector;
  before(async () => {
    detector = await createDetector(testConfig({ ALGO_MODEL_PATH: await writeTestModel() }).detect);
  });
  after(() => detector?.close());

  test('model type and class names come from the model metadata', () => {
    assert.equal(detector.modelType, 'yolov8n');
  });

  test('decoding, class-wise NMS and the letterbox mapping give the known boxes', async () => {
    const { objects } = await detectIn(detector, await readFixture('person'));
    // person.jpg is 640×424 → scale 0.5 into 320×320, 54 px of padding on top.
    const known = objects.filter((object) => object.box.width !== 100);
    assert.deepEqual(known, [
      { label: 'person', class_id: 0, score: 0.9, box: { x: 160, y: 32, width: 80, height: 200 } },
      { label: 'kite', class_id: 1, score: 0.7, box: { x: 166, y: 38, width: 84, height: 196 } },
      { label: 'person', class_id: 0, score: 0.6, box: { x: 400, y: 32, width: 80, height: 200 } },
    ]);
  });

  test('preprocessing is RGB in 0..1: a red frame scores 1 on the red-driven anchor, a blue one 0', async () => {
    const red = (await detectIn(detector, await solidImage(320, 320, [255, 0, 0]))).objects;
    assert.deepEqual(red[0], { label: 'person', class_id: 0, score: 1, box: { x: 135, y: 135, width: 50, height: 50 } });
    const blue = (await detectIn(detector, await solidImage(320, 320, [0, 0, 255]))).objects;
    assert.equal(
      blue.some((object) => object.box.width === 50),
      false,
    );
  });

  test('letterbox padding is gray 114: a white 2:1 frame averages white and pad', async () => {
    const { objects } = await detectIn(detector, await solidImage(640, 320, [255, 255, 255]));
    const driven = objects.find((object) => object.box.width === 100);
    // Half the input is the image (1.0), half the 114/255 padding.
    const expected = 0.5 + 0.5 * (114 / 255);
    assert.ok(Math.abs((driven?.score ?? 0) - expected) < 5e-4, `score ${driven?.score} vs ${expected}`);
    // Mapped back: anchor (135..185, 135..185) in a frame scaled 0.5 with 80 px padding on top.
    assert.deepEqual(driven?.box, { x: 270, y: 110, width: 100, height: 100 });
  });

  test('every fixture photo runs through the model', async () => {
    for (const name of FIXTURE_NAMES) {
      const { objects, timings } = await detectIn(detector, await readFixture(name));
      assert.ok(objects.length >= 3, name);
      assert.ok(timings.inference >= 0 && timings.preprocess > 0);
    }
  });
});

describe('built-in COCO detector (CenterNet) on the fixture photos', () => {
  let detector: Detector;
  before(async () => {
    detector = await createDetector(testConfig().detect);
  });
  after(() => detector?.close());

  const PERSON: Box = { x: 190, y: 103, width: 83, height: 278 };
  const labels = async (encoded: Buffer): Promise<string[]> => (await detectIn(detector, encoded)).objects.map((object) => object.label);
  const count = (found: string[], label: string): number => found.filter((name) => name === label).length;

  test('is the default when no model is configured, with the 512x512 input and COCO names', () => {
    assert.equal(detector.modelType, 'centernet-mbv3-coco');
    assert.deepEqual(detector.inputSize, { width: 512, height: 512 });
  });

  test('person.jpg: the person, where the person is', async () => {
    const { objects } = await detectIn(detector, await readFixture('person'));
    const people = objects.filter((object) => object.label === 'person');
    assert.equal(people.length, 1);
    assert.ok(overlap(people[0]!.box, PERSON) > 0.8, JSON.stringify(people[0]));
  });

  test('horses.jpg: at least two horses', async () => {
    assert.ok(count(await labels(await readFixture('horses')), 'horse') >= 2);
  });

  test('kite.jpg: a kite and at least three people', async () => {
    const found = await labels(await readFixture('kite'));
    assert.ok(found.includes('kite'), found.join());
    assert.ok(count(found, 'person') >= 3, found.join());
  });

  test('eagle.jpg: a bird', async () => {
    assert.ok((await labels(await readFixture('eagle'))).includes('bird'));
  });

  test('dog.jpg: a dog and a bicycle, and no person in the porch wall', async () => {
    const found = await labels(await readFixture('dog'));
    assert.ok(found.includes('dog') && found.includes('bicycle'), found.join());
    assert.equal(count(found, 'person'), 0);
  });

  test('grayscale and RGBA versions of the photo find the same person', async () => {
    const photo = await readFixture('person');
    for (const encoded of [await sharp(photo).grayscale().jpeg().toBuffer(), await sharp(photo).ensureAlpha(1).png().toBuffer()]) {
      const { objects } = await detectIn(detector, encoded);
      assert.ok(
        objects.some((object) => object.label === 'person' && overlap(object.box, PERSON) > 0.8),
        JSON.stringify(objects),
      );
    }
  });

  test('a large photo is decoded straight to the model size and boxes come back in original pixels', async () => {
    const photo = await sharp(await readFixture('person'))
      .resize(1280, 848)
      .jpeg()
      .toBuffer();
    const { objects } = await detectIn(detector, photo);
    const doubled: Box = { x: PERSON.x * 2, y: PERSON.y * 2, width: PERSON.width * 2, height: PERSON.height * 2 };
    assert.ok(
      objects.some((object) => object.label === 'person' && overlap(object.box, doubled) > 0.8),
      JSON.stringify(objects),
    );
  });

  test('a frame already letterboxed to the input size (as cameras send) gives the same objects as the photo, in source pixels', async () => {
    const photo = await readFixture('horses');
    const { width, height } = await sharp(photo).metadata();
    const { width: size } = detector.inputSize;
    const gray = { r: 114, g: 114, b: 114 };
    const pixels = await sharp(photo)
      .resize(size, size, { fit: 'contain', background: gray, kernel: 'linear' })
      .removeAlpha()
      .raw()
      .toBuffer();
    const letterboxed = await detector.detectLetterboxed({ pixels, sourceWidth: width!, sourceHeight: height! });
    const encoded = await detectIn(detector, photo);
    assert.deepEqual(
      letterboxed.objects.map((object) => object.label),
      encoded.objects.map((object) => object.label),
    );
    letterboxed.objects.forEach((object, i) =>
      assert.ok(overlap(object.box, encoded.objects[i]!.box) > 0.9, JSON.stringify([object, encoded.objects[i]])),
    );
    assert.equal(letterboxed.timings.decode, 0);
    await assert.rejects(
      detector.detectLetterboxed({ pixels: pixels.subarray(0, 100), sourceWidth: width!, sourceHeight: height! }),
      /wants 512x512 RGB/,
    );
  });

  test('a tiny or blank frame gives no objects rather than an error', async () => {
    assert.deepEqual((await detectIn(detector, await solidImage(4, 4, [10, 20, 30]))).objects, []);
    assert.deepEqual((await detectIn(detector, await solidImage(640, 480, [128, 128, 128]))).objects, []);
  });
});

describe('model loading', () => {
  async function loadError(modelPath: string, env: Record<string, string> = {}): Promise<AlgoError> {
    try {
      const detector = await createDetector(testConfig({ ALGO_MODEL_PATH: modelPath, ...env }).detect);
      await detector.close();
    } catch (error) {
      assert.ok(error instanceof AlgoError);
      assert.equal(error.code, 'model_load_failed');
      return error;
    }
    assert.fail('expected the model to be refused');
  }

  test('a missing model file is a start-up error naming the file', async () => {
    const error = await loadError('/nonexistent/yolov8n.onnx');
    assert.equal(error.message, 'Cannot load model /nonexistent/yolov8n.onnx: file not found');
  });

  test('a corrupt model file is a start-up error naming the file', async () => {
    const path = await writeTempFile('corrupt.onnx', Buffer.from('this is not a protobuf at all'.repeat(100)));
    const error = await loadError(path);
    assert.ok(error.message.startsWith(`Cannot load model ${path}: `), error.message);
  });

  test('an empty model file is refused as empty (0 bytes), not as a protobuf without a graph', async () => {
    const path = await writeTempFile('empty.onnx', Buffer.alloc(0));
    assert.equal((await loadError(path)).message, `Cannot load model ${path}: the file is empty (0 bytes)`);
  });

  test('a truncated model file is refused', async () => {
    const whole = await writeTestModel();
    const { readFile } = await import('node:fs/promises');
    const path = await writeTempFile('truncated.onnx', (await readFile(whole)).subarray(0, 300));
    assert.ok((await loadError(path)).message.includes(path));
  });

  test('an ONNX model that is not a detector is refused with the reason', async () => {
    const path = await writeNonDetectorModel();
    assert.match(
      (await loadError(path)).message,
      /expected one detection output \[1, A, B\].*algo reads YOLOv8\/11 \[1, 4 \+ classes, anchors\]/,
    );
  });

  test('a directory is not a model', async () => {
    const path = await writeTestModel();
    const dir = path.replace(/\/[^/]+$/, '');
    await writeFile(`${dir}/keep`, '');
    assert.match((await loadError(dir)).message, /not a regular file/);
  });

  for (const [task, article] of [
    ['pose', 'a pose'],
    ['segment', 'a segment'],
  ] as const) {
    test(`an Ultralytics ${task} export (task=${task} metadata) is refused as not a detection export`, async () => {
      const path = await writeTempFile(`yolov8n-${task}.onnx`, buildTestModel({ task }, task === 'pose' ? 51 : 32));
      assert.equal(
        (await loadError(path)).message,
        `Cannot load model ${path}: ${article} export (task=${task}); algo needs a detection export (yolo export model=<detection model>.pt format=onnx, task=detect)`,
      );
    });
  }

  test('an export whose output channels are not 4 + the named classes is refused, even when its task metadata says detect', async () => {
    // A pose export's [1, 56, N] head with 3 names and task=detect: keypoints would be read as class scores.
    const path = await writeTempFile('yolov8n-pose-notask.onnx', buildTestModel({ task: 'detect' }, 49));
    assert.match(
      (await loadError(path)).message,
      /the output has 56 channels per anchor, but a detection export with 3 class names has 4 \+ 3 = 7 \(a pose or segment export\?\); algo needs a detection export/,
    );
  });

  test('a YOLO export read as CenterNet (ALGO_DETECTOR=centernet) is refused with the layout it expected', async () => {
    const path = await writeTestModel();
    assert.match((await loadError(path, { ALGO_DETECTOR: 'centernet' })).message, /expected one image input \[1, H, W, 3\]/);
  });

  test('the built-in model read as a YOLO export is refused with the reason', async () => {
    assert.match((await loadError(BUILTIN_MODEL.path, { ALGO_DETECTOR: 'yolov8' })).message, /expected one image input \[1, 3, H, W\]/);
  });
});
