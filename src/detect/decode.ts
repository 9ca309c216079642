// Turns an encoded JPEG/PNG/WebP into 8-bit RGB pixels in two steps. probeImage reads only
// the header: format, oriented size, and the pixel count, so a decompression bomb is refused
// without allocating it. decodePixels then decodes, orients and, when a detector works at a
// smaller size, scales down in one libvips pipeline, so a large frame never reaches
// JavaScript at full size and a JPEG much larger than the model input is decoded at a
// reduced DCT scale. Any channel layout (grayscale, RGBA, CMYK, 16-bit) comes out as plain
// RGB. Embedded ICC profiles are ignored, as OpenCV (what YOLO models are trained with)
// ignores them; it also halves JPEG decode time.
import sharp, { type Metadata } from 'sharp';
import { decodeFailed, emptyBody, tooLarge, unsupportedImageFormat } from '../errors.js';
import type { EncodedImage } from './types.js';

export const IMAGE_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const DECODABLE_FORMATS = new Set(['jpeg', 'png', 'webp']);

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'unknown error';
}

/**
 * Validates the header; the size returned is after EXIF orientation. declaredType (the
 * sender's content type, when known) only words the error for bytes of another format.
 */
export async function probeImage(encoded: Buffer, maxPixels: number, declaredType?: string): Promise<EncodedImage> {
  if (encoded.length === 0) throw emptyBody();
  let header: Metadata;
  try {
    header = await sharp(encoded, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodeFailed(`Not a decodable image: ${reason(error)}`, error);
  }
  if (header.format === undefined || !DECODABLE_FORMATS.has(header.format)) {
    throw unsupportedImageFormat(header.format ?? 'unknown', declaredType, IMAGE_CONTENT_TYPES);
  }
  const { width, height } = header.autoOrient ?? header;
  if (!width || !height) throw decodeFailed('Image header has no dimensions');
  if (width * height > maxPixels) {
    throw tooLarge(`Image is ${width}x${height} (${width * height} pixels); the limit is ${maxPixels} (ALGO_MAX_IMAGE_PIXELS)`);
  }
  return { encoded, width, height, maxPixels };
}

export interface PixelSize {
  width: number;
  height: number;
}

/**
 * RGB bytes of the frame, scaled to size when one is given (libvips' linear reduction,
 * antialiased; a JPEG much larger than size is decoded at a reduced DCT scale first).
 */
export async function decodePixels(image: EncodedImage, size?: PixelSize): Promise<Buffer> {
  const width = size?.width ?? image.width;
  const height = size?.height ?? image.height;
  try {
    let pipeline = sharp(image.encoded, { limitInputPixels: image.maxPixels, failOn: 'truncated', ignoreIcc: true }).rotate();
    if (width !== image.width || height !== image.height) pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'linear' });
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`expected ${width}x${height} RGB, got ${info.width}x${info.height} with ${info.channels} channels`);
    }
    return data;
  } catch (error) {
    throw decodeFailed(`Image could not be decoded: ${reason(error)}`, error);
  }
}
