// The model input tensor in one pass over the decoded frame: bilinear resize with OpenCV's
// INTER_LINEAR sampling (pixel centres aligned, edges clamped, as Ultralytics' cv2.resize
// does), gray padding, RGB scaled to the model's range, laid out planar (NCHW, YOLO) or
// interleaved (NHWC, TensorFlow-born models). Doing the three steps in one loop in the worker
// is several times cheaper than a libvips resize plus a conversion.
import { PAD_VALUE, type LetterboxGeometry } from '../letterbox.js';

/** How a model wants its RGB input: axis order and the factor applied to 0..255 bytes. */
export interface TensorLayout {
  order: 'nchw' | 'nhwc';
  /** 1/255 for inputs in 0..1, 1 for 0..255. */
  scale: number;
}

/** Element strides of one pixel and of one channel in a 3 × width × height tensor. */
function strides(layout: TensorLayout, plane: number): { pixel: number; channel: number } {
  return layout.order === 'nchw' ? { pixel: 1, channel: plane } : { pixel: 3, channel: 1 };
}

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

/** Fills the rows above and below the frame and the columns beside it; both layouts keep a row contiguous. */
function fillPadding(target: Float32Array, geometry: LetterboxGeometry, layout: TensorLayout): void {
  const { inputWidth, inputHeight, padLeft, padTop, resizedWidth, resizedHeight } = geometry;
  const pad = PAD_VALUE * layout.scale;
  const plane = inputWidth * inputHeight;
  // NCHW: three planes of width-long rows; NHWC: one plane of 3×width-long rows.
  const [planes, rowLength] = layout.order === 'nchw' ? [3, inputWidth] : [1, 3 * inputWidth];
  const unit = rowLength / inputWidth;
  for (let c = 0; c < planes; c++) {
    const base = c * plane;
    target.fill(pad, base, base + padTop * rowLength);
    target.fill(pad, base + (padTop + resizedHeight) * rowLength, base + plane * unit);
    for (let y = padTop; y < padTop + resizedHeight; y++) {
      const row = base + y * rowLength;
      target.fill(pad, row, row + padLeft * unit);
      target.fill(pad, row + (padLeft + resizedWidth) * unit, row + rowLength);
    }
  }
}

/**
 * Writes the letterboxed frame into target (3 × inputHeight × inputWidth floats in layout's
 * order and scale). pixels is width × height RGB bytes, any size: it is resized to
 * geometry's resized size.
 */
export function letterboxToTensor(
  pixels: Uint8Array,
  width: number,
  height: number,
  geometry: LetterboxGeometry,
  target: Float32Array,
  layout: TensorLayout,
): Float32Array {
  const { inputWidth, inputHeight, padLeft, padTop, resizedWidth, resizedHeight } = geometry;
  if (pixels.length !== width * height * 3) throw new Error(`frame has ${pixels.length} bytes, expected ${width}x${height}x3`);
  if (target.length !== 3 * inputWidth * inputHeight) throw new Error('target tensor does not match the model input');
  fillPadding(target, geometry, layout);
  const plane = inputWidth * inputHeight;
  const { pixel, channel } = strides(layout, plane);
  const unit = layout.scale;
  if (width === resizedWidth && height === resizedHeight) {
    for (let y = 0; y < height; y++) {
      let out = ((y + padTop) * inputWidth + padLeft) * pixel;
      for (let p = y * width * 3, end = p + width * 3; p < end; p += 3, out += pixel) {
        target[out] = pixels[p]! * unit;
        target[out + channel] = pixels[p + 1]! * unit;
        target[out + 2 * channel] = pixels[p + 2]! * unit;
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
    const wu = (1 - wy) * unit;
    const wl = wy * unit;
    for (let c = 0; c < 3; c++) {
      const out = c * channel + ((y + padTop) * inputWidth + padLeft) * pixel;
      const from = c * resizedWidth;
      for (let x = 0; x < resizedWidth; x++) target[out + x * pixel] = upper[from + x]! * wu + lower[from + x]! * wl;
    }
  }
  return target;
}
