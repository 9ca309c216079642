// The model input tensor in one pass over the decoded frame: bilinear resize with OpenCV's
// INTER_LINEAR sampling (pixel centres aligned, edges clamped, as Ultralytics' cv2.resize
// does), gray padding, RGB scaled to 0..1, laid out planar (NCHW). Doing the three steps in
// one loop in the worker is several times cheaper than a libvips resize plus a conversion.
import { PAD_VALUE, type LetterboxGeometry } from './letterbox.js';

const UNIT = 1 / 255;
const PAD = PAD_VALUE * UNIT;

/** Per output column: the two source byte offsets and the weight of the second. */
function axisTaps(source: number, output: number, stride: number): { first: Int32Array; second: Int32Array; weight: Float32Array } {
  const first = new Int32Array(output);
  const second = new Int32Array(output);
  const weight = new Float32Array(output);
  const ratio = source / output;
  for (let i = 0; i < output; i++) {
    const at = Math.max(0, (i + 0.5) * ratio - 0.5);
    const low = Math.min(Math.floor(at), source - 1);
    first[i] = low * stride;
    second[i] = Math.min(low + 1, source - 1) * stride;
    weight[i] = at - low;
  }
  return { first, second, weight };
}

function fillPadding(target: Float32Array, geometry: LetterboxGeometry): void {
  const { inputWidth, inputHeight, padLeft, padTop, resizedWidth, resizedHeight } = geometry;
  const plane = inputWidth * inputHeight;
  const right = padLeft + resizedWidth;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    target.fill(PAD, base, base + padTop * inputWidth);
    target.fill(PAD, base + (padTop + resizedHeight) * inputWidth, base + plane);
    for (let y = padTop; y < padTop + resizedHeight; y++) {
      const row = base + y * inputWidth;
      target.fill(PAD, row, row + padLeft);
      target.fill(PAD, row + right, row + inputWidth);
    }
  }
}

/**
 * Writes the letterboxed frame into target (3 × inputHeight × inputWidth floats). pixels is
 * width × height RGB bytes, any size: it is resized to geometry's resized size.
 */
export function letterboxToPlanar(pixels: Uint8Array, width: number, height: number, geometry: LetterboxGeometry, target: Float32Array): Float32Array {
  const { inputWidth, inputHeight, padLeft, padTop, resizedWidth, resizedHeight } = geometry;
  if (pixels.length !== width * height * 3) throw new Error(`frame has ${pixels.length} bytes, expected ${width}x${height}x3`);
  if (target.length !== 3 * inputWidth * inputHeight) throw new Error('target tensor does not match the model input');
  fillPadding(target, geometry);
  const plane = inputWidth * inputHeight;
  if (width === resizedWidth && height === resizedHeight) {
    for (let y = 0; y < height; y++) {
      let out = (y + padTop) * inputWidth + padLeft;
      for (let p = y * width * 3, end = p + width * 3; p < end; p += 3, out++) {
        target[out] = pixels[p]! * UNIT;
        target[out + plane] = pixels[p + 1]! * UNIT;
        target[out + 2 * plane] = pixels[p + 2]! * UNIT;
      }
    }
    return target;
  }
  // Separable: each source row needed is interpolated horizontally once, into planar row
  // buffers reused while consecutive output rows share a source row; then rows are blended.
  const columns = axisTaps(width, resizedWidth, 3);
  const rows = axisTaps(height, resizedHeight, width * 3);
  const buffers = [new Float32Array(resizedWidth * 3), new Float32Array(resizedWidth * 3)];
  const bufferRow = [-1, -1];
  const horizontal = (rowOffset: number): Float32Array => {
    if (bufferRow[0] === rowOffset) return buffers[0]!;
    if (bufferRow[1] === rowOffset) return buffers[1]!;
    // Rows are visited in increasing order: the buffer holding the lower row is done with.
    const free = bufferRow[0]! < bufferRow[1]! ? 0 : 1;
    const row = buffers[free]!;
    bufferRow[free] = rowOffset;
    for (let x = 0; x < resizedWidth; x++) {
      const a = rowOffset + columns.first[x]!;
      const b = rowOffset + columns.second[x]!;
      const w = columns.weight[x]!;
      row[x] = pixels[a]! + (pixels[b]! - pixels[a]!) * w;
      row[x + resizedWidth] = pixels[a + 1]! + (pixels[b + 1]! - pixels[a + 1]!) * w;
      row[x + 2 * resizedWidth] = pixels[a + 2]! + (pixels[b + 2]! - pixels[a + 2]!) * w;
    }
    return row;
  };
  for (let y = 0; y < resizedHeight; y++) {
    const upper = horizontal(rows.first[y]!);
    const lower = horizontal(rows.second[y]!);
    const wy = rows.weight[y]!;
    const wu = (1 - wy) * UNIT;
    const wl = wy * UNIT;
    for (let c = 0; c < 3; c++) {
      const out = c * plane + (y + padTop) * inputWidth + padLeft;
      const from = c * resizedWidth;
      for (let x = 0; x < resizedWidth; x++) target[out + x] = upper[from + x]! * wu + lower[from + x]! * wl;
    }
  }
  return target;
}
