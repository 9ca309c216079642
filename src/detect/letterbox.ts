// Letterboxing as Ultralytics does it: scale to fit the model input keeping the aspect
// ratio, pad evenly with gray (114), and map boxes back to original pixels afterwards
// (clipped to the image; a box with nothing left inside it is dropped).
import type { Candidate, Box, DetectedObject } from './types.js';

export const PAD_VALUE = 114;

export interface LetterboxGeometry {
  scale: number;
  padLeft: number;
  padTop: number;
  resizedWidth: number;
  resizedHeight: number;
  inputWidth: number;
  inputHeight: number;
}

export function letterboxGeometry(width: number, height: number, inputWidth: number, inputHeight: number): LetterboxGeometry {
  const scale = Math.min(inputWidth / width, inputHeight / height);
  const resizedWidth = Math.max(1, Math.round(width * scale));
  const resizedHeight = Math.max(1, Math.round(height * scale));
  return {
    scale,
    padLeft: Math.max(0, Math.round((inputWidth - resizedWidth) / 2 - 0.1)),
    padTop: Math.max(0, Math.round((inputHeight - resizedHeight) / 2 - 0.1)),
    resizedWidth,
    resizedHeight,
    inputWidth,
    inputHeight,
  };
}

const clamp = (value: number, max: number): number => Math.min(Math.max(value, 0), max);

/** Maps corner coordinates in model-input pixels back to a box in original pixels. */
export function unletterbox(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  geometry: LetterboxGeometry,
  width: number,
  height: number,
): Box {
  const left = clamp((x1 - geometry.padLeft) / geometry.scale, width);
  const top = clamp((y1 - geometry.padTop) / geometry.scale, height);
  const right = clamp((x2 - geometry.padLeft) / geometry.scale, width);
  const bottom = clamp((y2 - geometry.padTop) / geometry.scale, height);
  return { x: round2(left), y: round2(top), width: round2(right - left), height: round2(bottom - top) };
}

export const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Candidates in model-input pixels → API objects in original pixels: mapped back, clipped,
 * and dropped when clipping leaves no width or height (a box in the padding).
 */
export function toDetectedObjects(
  candidates: readonly Candidate[],
  geometry: LetterboxGeometry,
  original: { width: number; height: number },
  classNames: readonly string[],
): DetectedObject[] {
  const objects: DetectedObject[] = [];
  for (const { classId, score, x1, y1, x2, y2 } of candidates) {
    const box = unletterbox(x1, y1, x2, y2, geometry, original.width, original.height);
    if (box.width <= 0 || box.height <= 0) continue;
    objects.push({ label: classNames[classId] ?? `class_${classId}`, class_id: classId, score: Math.round(score * 10_000) / 10_000, box });
  }
  return objects;
}
