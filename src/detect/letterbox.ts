// Letterboxing as Ultralytics does it: scale to fit the model input keeping the aspect
// ratio, pad evenly with gray (114), and map boxes back to original pixels afterwards.
import type { Box } from './types.js';

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

/** Scaling so the longer side is at most maxSide, without padding (never enlarges). */
export function fitGeometry(width: number, height: number, maxSide: number): LetterboxGeometry {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const resizedWidth = Math.max(1, Math.round(width * scale));
  const resizedHeight = Math.max(1, Math.round(height * scale));
  return { scale, padLeft: 0, padTop: 0, resizedWidth, resizedHeight, inputWidth: resizedWidth, inputHeight: resizedHeight };
}

const clamp = (value: number, max: number): number => Math.min(Math.max(value, 0), max);

/** Maps corner coordinates in model-input pixels back to a box in original pixels. */
export function unletterbox(x1: number, y1: number, x2: number, y2: number, geometry: LetterboxGeometry, width: number, height: number): Box {
  const left = clamp((x1 - geometry.padLeft) / geometry.scale, width);
  const top = clamp((y1 - geometry.padTop) / geometry.scale, height);
  const right = clamp((x2 - geometry.padLeft) / geometry.scale, width);
  const bottom = clamp((y2 - geometry.padTop) / geometry.scale, height);
  return { x: round2(left), y: round2(top), width: round2(right - left), height: round2(bottom - top) };
}

export const round2 = (value: number): number => Math.round(value * 100) / 100;
