// The cost of giving a detection to a track: IoU with the track's predicted box plus the
// distance between the two centres measured in box sizes, gated on that distance.
//
// IoU alone (ByteTrack, SORT) fails at algo's low frame rates: at 2 fps a walking person's box
// moves about its own width between frames, so a box with zero velocity so far (a new track)
// or after a turn no longer overlaps its detection. The centre distance keeps those pairs.
import type { Box } from '../detect/types.js';
import { FORBIDDEN } from './hungarian.js';

/** Intersection over union of two boxes (0 when they do not overlap or are empty). */
export function boxIou(a: Readonly<Box>, b: Readonly<Box>): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union <= 0 ? 0 : intersection / union;
}

/**
 * The distance between the centres of `detected` and `predicted`, each axis divided by the
 * predicted box's size on that axis: √((Δx / width)² + (Δy / height)²). 1 means "one box
 * width sideways" or "one box height up or down".
 */
export function centreDistance(predicted: Readonly<Box>, detected: Readonly<Box>): number {
  const dx = (detected.x + detected.width / 2 - (predicted.x + predicted.width / 2)) / predicted.width;
  const dy = (detected.y + detected.height / 2 - (predicted.y + predicted.height / 2)) / predicted.height;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * (1 − IoU) + distance / gate, in [0, 2], where distance is centreDistance; FORBIDDEN when the
 * distance exceeds `gate` (in box sizes). Lower is better.
 */
export function matchCost(predicted: Readonly<Box>, detected: Readonly<Box>, gate: number): number {
  const distance = centreDistance(predicted, detected);
  if (!(distance <= gate)) return FORBIDDEN;
  return 1 - boxIou(predicted, detected) + distance / gate;
}
