// Test images: the public sample photos shipped in test/fixtures, and generated variants.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';

export const FIXTURE_NAMES = ['person', 'dog', 'eagle', 'giraffe', 'horses', 'kite', 'scream'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export const fixturePath = (name: FixtureName): string => new URL(`../fixtures/images/${name}.jpg`, import.meta.url).pathname;
export const readFixture = (name: FixtureName): Promise<Buffer> => readFile(fixturePath(name));

export function solidImage(
  width: number,
  height: number,
  rgb: [number, number, number],
  format: 'png' | 'jpeg' | 'webp' = 'png',
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .toFormat(format, format === 'png' ? {} : { quality: 100 })
    .toBuffer();
}

/** A real JPEG whose header claims width × height (JPEG has no checksum to fix). */
export async function jpegClaimingSize(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await readFixture('person'));
  for (let i = 2; i < jpeg.length - 9; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1]! >= 0xc0 && jpeg[i + 1]! <= 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('no SOF marker found');
}
