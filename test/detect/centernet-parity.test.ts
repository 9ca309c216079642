// The parity oracle: algo's whole path (decode, letterbox, onnxruntime, suppression, mapping
// back) gives the detections the original TensorFlow.js model gives on the fixture photos,
// as recorded in test/fixtures/centernet-golden.json by `npm run model:golden`.
// Limitation: the reference was fed the input tensor algo's own decode + letterbox built, so
// this file proves the model, suppression and mapping back, not the decoding and letterbox: a
// bug there would be on both sides. letterbox-independent.test.ts checks those against ffmpeg.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { BUILTIN_MODEL } from '../../src/detect/builtin-model.js';
import { widenStoredWeights } from '../../src/detect/onnx/stored-weights.js';
import { createDetector } from '../../src/detect/create-detector.js';
import { probeImage } from '../../src/detect/decode.js';
import type { DetectedObject, Detector } from '../../src/detect/types.js';
import type { GoldenDetection, GoldenFile } from '../../scripts/model-golden.js';
import { FIXTURE_NAMES, readFixture } from '../helpers/images.js';
import { testConfig } from '../helpers/service.js';

const SCORE_TOLERANCE = 1e-3;
const BOX_TOLERANCE_PX = 1;

const edges = ({ box }: { box: DetectedObject['box'] }): number[] => [box.x, box.y, box.x + box.width, box.y + box.height];
const same = (a: DetectedObject, b: GoldenDetection): boolean =>
  a.class_id === b.class_id &&
  a.label === b.label &&
  Math.abs(a.score - b.score) <= SCORE_TOLERANCE &&
  edges(a).every((edge, i) => Math.abs(edge - edges(b)[i]!) <= BOX_TOLERANCE_PX);

describe('built-in detector parity with the original TensorFlow.js model', () => {
  let golden: GoldenFile;
  let detector: Detector;
  before(async () => {
    golden = JSON.parse(await readFile(new URL('../fixtures/centernet-golden.json', import.meta.url), 'utf8')) as GoldenFile;
    detector = await createDetector(testConfig().detect);
  });
  after(() => detector?.close());

  test('the golden file was made from the shipped model (as onnxruntime runs it) with the default thresholds', async () => {
    assert.equal(
      golden.onnx_sha256,
      createHash('sha256')
        .update(widenStoredWeights(await readFile(BUILTIN_MODEL.path)))
        .digest('hex'),
    );
    assert.equal(golden.confidence_threshold, 0.3);
    assert.equal(golden.iou_threshold, testConfig().detect.iouThreshold);
    assert.deepEqual(Object.keys(golden.photos).sort(), [...FIXTURE_NAMES].sort());
  });

  for (const name of FIXTURE_NAMES) {
    test(`${name}.jpg: same classes, scores within 1e-3, boxes within 1 px`, async () => {
      const { objects } = await detector.detect(await probeImage(await readFixture(name), 40_000_000));
      const expected = golden.photos[name]!;
      // A detection this close to the threshold may fall either side of it on either runtime.
      const borderline = (score: number): boolean => score < golden.confidence_threshold + SCORE_TOLERANCE;
      const unmatched = [...objects];
      for (const reference of expected) {
        const index = unmatched.findIndex((object) => same(object, reference));
        if (index >= 0) unmatched.splice(index, 1);
        else assert.ok(borderline(reference.score), `${name}: no match for ${JSON.stringify(reference)} in ${JSON.stringify(objects)}`);
      }
      assert.deepEqual(
        unmatched.filter((object) => !borderline(object.score)),
        [],
        `${name}: detections the original model does not give`,
      );
    });
  }
});
