// Decoders for detection exports that need no NMS afterwards, one row per detection:
// - end-to-end `[1, K, 6]` (YOLO26 and YOLOv10 default exports, and `nms=True` exports of
//   YOLOv8/11): x1, y1, x2, y2 in model-input pixels, score, class id;
// - RT-DETR `[1, K, 4 + C]`: cx, cy, w, h as fractions of the input size, then C class scores
//   (already sigmoid), the best class taken per query.
import type { Candidate } from '../types.js';

/** Rows of an end-to-end `[1, K, 6]` output scoring at least `threshold`; class ids outside 0..numClasses-1 are dropped. */
export function decodeEnd2EndOutput(output: Float32Array, rows: number, numClasses: number, threshold: number): Candidate[] {
  const candidates: Candidate[] = [];
  for (let row = 0; row < rows; row++) {
    const at = row * 6;
    const score = output[at + 4]!;
    if (!(score >= threshold) || score === 0) continue;
    const classId = Math.round(output[at + 5]!);
    if (classId < 0 || classId >= numClasses) continue;
    candidates.push({ classId, score, x1: output[at]!, y1: output[at + 1]!, x2: output[at + 2]!, y2: output[at + 3]! });
  }
  return candidates;
}

/** Queries of an RT-DETR `[1, K, 4 + C]` output whose best class scores at least `threshold`, corners in input pixels. */
export function decodeRtDetrOutput(
  output: Float32Array,
  queries: number,
  numClasses: number,
  inputWidth: number,
  inputHeight: number,
  threshold: number,
): Candidate[] {
  const stride = 4 + numClasses;
  const candidates: Candidate[] = [];
  for (let query = 0; query < queries; query++) {
    const at = query * stride;
    let best = 0;
    let classId = -1;
    for (let c = 0; c < numClasses; c++) {
      const score = output[at + 4 + c]!;
      if (score > best) {
        best = score;
        classId = c;
      }
    }
    if (classId < 0 || best < threshold) continue;
    const cx = output[at]! * inputWidth;
    const cy = output[at + 1]! * inputHeight;
    const halfW = (output[at + 2]! * inputWidth) / 2;
    const halfH = (output[at + 3]! * inputHeight) / 2;
    candidates.push({ classId, score: best, x1: cx - halfW, y1: cy - halfH, x2: cx + halfW, y2: cy + halfH });
  }
  return candidates;
}
