// An independent check of algo's decode + letterbox, the part the parity oracle cannot see:
// centernet-parity.test.ts feeds the TensorFlow.js reference the tensor algo itself built, so
// a decoding or letterboxing bug would be on both sides and pass. Here the built-in model's
// 512×512 input for each fixture photo is built by a different route — ffmpeg's own JPEG
// decoder, its `scale` filter (bilinear) and `pad` filter, with the fit and centring written
// out from Ultralytics' letterbox() rather than algo's letterboxGeometry — and compared with
// the tensor algo builds (decodePixels, then letterboxToTensor, as OnnxDetector does).
// The two resamplers differ (libvips reduces with shrink-on-load and a linear kernel; ffmpeg
// uses its bilinear scaler), so pixels differ by a few levels near edges; the tolerance is on
// the mean difference over the tensor. Measured: 0.18–1.07 levels on the fixtures; a swapped
// channel order gives 22, the frame 2 px out of place 7.8, black padding 39 (the last test
// keeps those checked). What it cannot see: a difference of a level or two spread evenly
// (e.g. a slightly different resampling kernel).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { BUILTIN_MODEL } from '../../src/detect/builtin-model.js';
import { decodePixels, probeImage } from '../../src/detect/decode.js';
import { letterboxGeometry } from '../../src/detect/letterbox.js';
import { letterboxToTensor } from '../../src/detect/worker/letterbox-tensor.js';
import { FIXTURE_NAMES, fixturePath, readFixture } from '../helpers/images.js';

const run = promisify(execFile);
const SIZE = 512;
/** Mean |difference| over the whole tensor, in 0..255 levels. */
const MAX_MEAN_DIFFERENCE = 2;

/** ffmpeg: decode, fit into SIZE×SIZE keeping the aspect ratio (Ultralytics' rounding), pad with gray 114, centred. */
async function ffmpegLetterbox(path: string, width: number, height: number): Promise<Uint8Array> {
  const ratio = Math.min(SIZE / width, SIZE / height);
  const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
  const [left, top] = [Math.round((SIZE - w) / 2 - 0.1), Math.round((SIZE - h) / 2 - 0.1)];
  const filter = `scale=${w}:${h}:flags=bilinear,format=rgb24,pad=${SIZE}:${SIZE}:${left}:${top}:color=0x727272`;
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', filter, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 4 * SIZE * SIZE },
  );
  assert.equal(stdout.length, SIZE * SIZE * 3);
  return stdout;
}

/** The input tensor algo builds for the built-in model (NHWC, 0..255). */
async function algoTensor(encoded: Buffer): Promise<Float32Array> {
  const image = await probeImage(encoded, 40_000_000);
  const geometry = letterboxGeometry(image.width, image.height, SIZE, SIZE);
  const size = geometry.scale < 1 ? { width: geometry.resizedWidth, height: geometry.resizedHeight } : image;
  return letterboxToTensor(await decodePixels(image, size), size.width, size.height, geometry, new Float32Array(SIZE * SIZE * 3), {
    order: 'nhwc',
    scale: 1,
  });
}

const meanDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

describe('decode + letterbox checked against ffmpeg (independent of the parity oracle)', () => {
  assert.equal(BUILTIN_MODEL.format, 'centernet');

  for (const name of FIXTURE_NAMES) {
    test(`${name}.jpg: algo's 512×512 input matches ffmpeg's scale+pad within ${MAX_MEAN_DIFFERENCE} levels on average`, async () => {
      const encoded = await readFixture(name);
      const { width, height } = await probeImage(encoded, 40_000_000);
      const reference = await ffmpegLetterbox(fixturePath(name), width, height);
      const ours = await algoTensor(encoded);
      const difference = meanDifference(ours, reference);
      assert.ok(difference <= MAX_MEAN_DIFFERENCE, `${name}: mean difference ${difference.toFixed(2)} levels`);
    });
  }

  test('the comparison catches a swapped channel order, a 2 px shift and a wrong padding colour', async () => {
    const name = 'person';
    const encoded = await readFixture(name);
    const { width, height } = await probeImage(encoded, 40_000_000);
    const reference = await ffmpegLetterbox(fixturePath(name), width, height);
    const ours = await algoTensor(encoded);
    const bgr = ours.map((_, i) => ours[i - (i % 3) + (2 - (i % 3))]!);
    const shifted = ours.map((_, i) => ours[Math.min(i + 2 * SIZE * 3, ours.length - 1)]!);
    const padBlack = ours.map((value, i) => (reference[i] === 114 && value === 114 ? 0 : value));
    const differences = Object.fromEntries(
      (
        [
          ['BGR', bgr],
          ['shifted', shifted],
          ['black padding', padBlack],
        ] as const
      ).map(([bug, tensor]) => [bug, meanDifference(tensor, reference)]),
    );
    for (const [bug, difference] of Object.entries(differences))
      assert.ok(difference > MAX_MEAN_DIFFERENCE, `${bug}: ${difference.toFixed(2)} in ${JSON.stringify(differences)}`);
  });
});
