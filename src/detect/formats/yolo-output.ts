// Decodes a YOLOv8/YOLO11 detection head output [1, 4 + C, N]: for each of N anchors,
// cx, cy, w, h (model-input pixels) then C class scores. Reads row by row, which is how
// the tensor lies in memory.
import type { Candidate } from '../types.js';

export function decodeYoloOutput(output: Float32Array, numClasses: number, numAnchors: number, confidenceThreshold: number): Candidate[] {
  const bestScore = new Float32Array(numAnchors);
  const bestClass = new Int32Array(numAnchors);
  for (let classId = 0; classId < numClasses; classId++) {
    const row = (4 + classId) * numAnchors;
    for (let anchor = 0; anchor < numAnchors; anchor++) {
      const score = output[row + anchor]!;
      if (score > bestScore[anchor]!) {
        bestScore[anchor] = score;
        bestClass[anchor] = classId;
      }
    }
  }
  const candidates: Candidate[] = [];
  for (let anchor = 0; anchor < numAnchors; anchor++) {
    const score = bestScore[anchor]!;
    if (score < confidenceThreshold || score === 0) continue;
    const cx = output[anchor]!;
    const cy = output[numAnchors + anchor]!;
    const halfW = output[2 * numAnchors + anchor]! / 2;
    const halfH = output[3 * numAnchors + anchor]! / 2;
    candidates.push({ classId: bestClass[anchor]!, score, x1: cx - halfW, y1: cy - halfH, x2: cx + halfW, y2: cy + halfH });
  }
  return candidates;
}
