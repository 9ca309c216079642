import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { decodePixels, probeImage } from '../../src/detect/decode.js';
import { AlgoError } from '../../src/errors.js';
import { jpegClaimingSize, readFixture } from '../helpers/images.js';

const LIMIT = 40_000_000;

/** The whole frame at its own size, through both steps. */
async function decodeImage(encoded: Buffer, maxPixels: number): Promise<{ data: Buffer; width: number; height: number }> {
  const image = await probeImage(encoded, maxPixels);
  return { data: await decodePixels(image), width: image.width, height: image.height };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AlgoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AlgoError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('image decoding', () => {
  test('a JPEG photo decodes to RGB at its own size', async () => {
    const image = await decodeImage(await readFixture('person'), LIMIT);
    assert.deepEqual([image.width, image.height, image.data.length], [640, 424, 640 * 424 * 3]);
  });

  test('grayscale, RGBA, 16-bit PNG and WebP all come out as 3-channel RGB', async () => {
    const photo = await readFixture('scream');
    const variants = [
      await sharp(photo).grayscale().jpeg().toBuffer(),
      await sharp(photo).ensureAlpha(0.5).png().toBuffer(),
      await sharp(photo).toColourspace('rgb16').png().toBuffer(),
      await sharp(photo).grayscale().png().toBuffer(),
      await sharp(photo).webp().toBuffer(),
    ];
    for (const encoded of variants) {
      const image = await decodeImage(encoded, LIMIT);
      assert.equal(image.data.length, image.width * image.height * 3);
      assert.deepEqual([image.width, image.height], [352, 448]);
    }
  });

  test('decoding to a smaller size scales every channel layout to 3-channel RGB of that size', async () => {
    const photo = await readFixture('scream');
    const variants = [
      photo,
      await sharp(photo).grayscale().jpeg().toBuffer(),
      await sharp(photo).ensureAlpha(0.5).png().toBuffer(),
      await sharp(photo).toColourspace('rgb16').png().toBuffer(),
    ];
    for (const encoded of variants) {
      const image = await probeImage(encoded, LIMIT);
      const pixels = await decodePixels(image, { width: 251, height: 320 });
      assert.equal(pixels.length, 251 * 320 * 3);
    }
    // The reduction averages: a 2x-scaled checkerboard of black and white comes out mid-gray.
    const checker = Buffer.alloc(64 * 64 * 3);
    for (let i = 0; i < 64 * 64; i++) checker.fill(((i % 64) + Math.floor(i / 64)) % 2 === 0 ? 0 : 255, i * 3, i * 3 + 3);
    const png = await sharp(checker, { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    const reduced = await decodePixels(await probeImage(png, LIMIT), { width: 32, height: 32 });
    assert.ok(Math.abs(reduced[16 * 32 * 3 + 48]! - 128) < 3, `got ${reduced[16 * 32 * 3 + 48]}`);
  });

  test('EXIF orientation is applied before sizes are reported and pixels decoded', async () => {
    const rotated = await sharp(await readFixture('person'))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const image = await probeImage(rotated, LIMIT);
    assert.deepEqual([image.width, image.height], [424, 640]);
    assert.equal((await decodePixels(image, { width: 212, height: 320 })).length, 212 * 320 * 3);
  });

  test('empty input is empty_body', async () => {
    await rejectsWith(decodeImage(Buffer.alloc(0), LIMIT), 'empty_body');
  });

  test('random bytes are decode_failed', async () => {
    await rejectsWith(decodeImage(randomBytes(4096), LIMIT), 'decode_failed');
  });

  test('a truncated JPEG is decode_failed', async () => {
    const jpeg = await readFixture('person');
    await rejectsWith(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), LIMIT), 'decode_failed');
  });

  test('formats other than JPEG, PNG and WebP are unsupported_type', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
      .gif()
      .toBuffer();
    await rejectsWith(decodeImage(gif, LIMIT), 'unsupported_type');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await rejectsWith(decodeImage(svg, LIMIT), 'unsupported_type');
  });

  test('a decompression bomb is refused from its header as too_large', async () => {
    const bomb = await jpegClaimingSize(60_000, 60_000);
    const error = await rejectsWith(decodeImage(bomb, LIMIT), 'too_large');
    assert.match(error.message, /60000x60000 .* the limit is 40000000/);
    await rejectsWith(decodeImage(await readFixture('person'), 1000), 'too_large');
  });
});
