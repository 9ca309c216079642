import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { letterboxGeometry, PAD_VALUE, type LetterboxGeometry } from '../../src/detect/letterbox.js';
import { letterboxToTensor, type TensorLayout } from '../../src/detect/worker/letterbox-tensor.js';

const NCHW: TensorLayout = { order: 'nchw', scale: 1 / 255 };
const NHWC: TensorLayout = { order: 'nhwc', scale: 1 };

const PAD = PAD_VALUE / 255;
const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} vs ${expected}`);
const gray = (...levels: number[]): Uint8Array => Uint8Array.from(levels.flatMap((level) => [level, level, level]));

/** The first plane's row y, in 0..255. */
function redRow(tensor: Float32Array, geometry: LetterboxGeometry, y: number): number[] {
  const start = y * geometry.inputWidth;
  return [...tensor.subarray(start, start + geometry.inputWidth)].map((value) => Math.round(value * 255 * 100) / 100);
}

describe('letterbox into the input tensor', () => {
  test('a frame at the resized size is copied into the planes and surrounded by gray padding', () => {
    // 4x2 frame into a 4x4 input: one row of padding above and below.
    const geometry = letterboxGeometry(4, 2, 4, 4);
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, ...gray(1, 2, 3, 4)]);
    const tensor = letterboxToTensor(pixels, 4, 2, geometry, new Float32Array(48), NCHW);
    const plane = 16;
    for (let c = 0; c < 3; c++) {
      for (const i of [0, 1, 2, 3, 12, 13, 14, 15]) close(tensor[c * plane + i]!, PAD);
    }
    assert.deepEqual([tensor[4], tensor[plane + 4], tensor[2 * plane + 4]], [1, 0, 0]);
    assert.deepEqual([tensor[5], tensor[plane + 5], tensor[2 * plane + 5]], [0, 1, 0]);
    assert.deepEqual([tensor[6], tensor[plane + 6], tensor[2 * plane + 6]], [0, 0, 1]);
    close(tensor[2 * plane + 7]!, 30 / 255);
    assert.deepEqual(redRow(tensor, geometry, 2), [1, 2, 3, 4]);
  });

  test('enlarging samples like OpenCV INTER_LINEAR: pixel centres aligned, edges clamped', () => {
    const geometry: LetterboxGeometry = {
      scale: 2,
      padLeft: 0,
      padTop: 0,
      resizedWidth: 4,
      resizedHeight: 2,
      inputWidth: 4,
      inputHeight: 2,
    };
    const tensor = letterboxToTensor(gray(0, 255), 2, 1, geometry, new Float32Array(24), NCHW);
    // cv2.resize(np.array([[0, 255]], np.uint8), (4, 2), interpolation=cv2.INTER_LINEAR) → [0, 64, 191, 255]
    assert.deepEqual(redRow(tensor, geometry, 0), [0, 63.75, 191.25, 255]);
    assert.deepEqual(redRow(tensor, geometry, 1), [0, 63.75, 191.25, 255]);
  });

  test('enlarging blends rows as well as columns, and pads around the enlarged frame', () => {
    const geometry = letterboxGeometry(2, 2, 6, 4);
    assert.deepEqual([geometry.resizedWidth, geometry.resizedHeight, geometry.padLeft], [4, 4, 1]);
    const tensor = letterboxToTensor(gray(0, 0, 255, 255), 2, 2, geometry, new Float32Array(72), NCHW);
    assert.deepEqual(redRow(tensor, geometry, 0), [PAD_VALUE, 0, 0, 0, 0, PAD_VALUE]);
    assert.deepEqual(redRow(tensor, geometry, 1), [PAD_VALUE, 63.75, 63.75, 63.75, 63.75, PAD_VALUE]);
    assert.deepEqual(redRow(tensor, geometry, 2), [PAD_VALUE, 191.25, 191.25, 191.25, 191.25, PAD_VALUE]);
    assert.deepEqual(redRow(tensor, geometry, 3), [PAD_VALUE, 255, 255, 255, 255, PAD_VALUE]);
  });

  test('a frame of the wrong byte length is refused rather than read past', () => {
    const geometry = letterboxGeometry(4, 4, 4, 4);
    assert.throws(() => letterboxToTensor(new Uint8Array(10), 4, 4, geometry, new Float32Array(48), NCHW), /expected 4x4x3/);
  });

  test('NHWC in 0..255 holds the same values as NCHW in 0..1, interleaved per pixel, gray 114 padding included', () => {
    const cases: Array<[Uint8Array, number, number, LetterboxGeometry]> = [
      [Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37) % 256), 4, 2, letterboxGeometry(4, 2, 4, 4)],
      [Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 53) % 256), 3, 2, letterboxGeometry(3, 2, 7, 7)],
    ];
    for (const [pixels, width, height, geometry] of cases) {
      const plane = geometry.inputWidth * geometry.inputHeight;
      const planar = letterboxToTensor(pixels, width, height, geometry, new Float32Array(3 * plane), NCHW);
      const interleaved = letterboxToTensor(pixels, width, height, geometry, new Float32Array(3 * plane), NHWC);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) close(interleaved[i * 3 + c]! / 255, planar[c * plane + i]!);
      }
      assert.deepEqual([...interleaved.subarray(0, 3)], [PAD_VALUE, PAD_VALUE, PAD_VALUE]);
    }
  });
});
