// Turns an encoded JPEG/PNG/WebP into 8-bit RGB pixels. The pixel count is checked from the
// header before any decoding, so a decompression bomb is refused without allocating it.
// Any channel layout (grayscale, RGBA, CMYK, 16-bit) comes out as plain RGB. Embedded ICC
// profiles are ignored, as OpenCV (what YOLO models are trained with) ignores them; it also
// halves JPEG decode time.
import sharp, { type Metadata } from 'sharp';
import { decodeFailed, emptyBody, tooLarge, unsupportedType } from '../errors.js';
import type { RgbImage } from './types.js';

export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const DECODABLE_FORMATS = new Set(['jpeg', 'png', 'webp']);

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'unknown error';
}

export async function decodeImage(encoded: Buffer, maxPixels: number): Promise<RgbImage> {
  if (encoded.length === 0) throw emptyBody();
  let header: Metadata;
  try {
    header = await sharp(encoded, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodeFailed(`Not a decodable image: ${reason(error)}`, error);
  }
  if (header.format === undefined || !DECODABLE_FORMATS.has(header.format)) {
    throw unsupportedType(`image/${header.format ?? 'unknown'}`, IMAGE_CONTENT_TYPES);
  }
  const { width, height } = header;
  if (!width || !height) throw decodeFailed('Image header has no dimensions');
  if (width * height > maxPixels) {
    throw tooLarge(`Image is ${width}x${height} (${width * height} pixels); the limit is ${maxPixels} (ALGO_MAX_IMAGE_PIXELS)`);
  }
  try {
    const { data, info } = await sharp(encoded, { limitInputPixels: maxPixels, failOn: 'truncated', ignoreIcc: true })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw decodeFailed(`Image could not be decoded: ${reason(error)}`, error);
  }
}
