// Greedy non-maximum suppression over corner-format boxes, within each class or across classes.
import type { Candidate } from './types.js';

export function iou(a: Candidate, b: Candidate): number {
  const width = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const height = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - intersection;
  return union <= 0 ? 0 : intersection / union;
}

/**
 * Keeps the best box of each overlapping cluster, highest score first: a box is dropped when
 * its IoU with a kept box exceeds iouThreshold and, unless classAgnostic, they share a class.
 */
export function nonMaxSuppression(
  candidates: Candidate[],
  iouThreshold: number,
  maxDetections: number,
  classAgnostic = false,
): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    let suppressed = false;
    for (const other of kept) {
      if ((classAgnostic || other.classId === candidate.classId) && iou(other, candidate) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    kept.push(candidate);
    if (kept.length >= maxDetections) break;
  }
  return kept;
}

/** The maxDetections best-scoring candidates, best first, for models that suppress overlaps themselves. */
export function bestScoring(candidates: Candidate[], maxDetections: number): Candidate[] {
  return [...candidates].sort((a, b) => b.score - a.score).slice(0, maxDetections);
}
