// Deterministic synthetic detections for the tracker's tests: objects moving at constant
// velocity through a 1280×720 frame, seen at a given frame rate, with seeded jitter, dropped
// detections, occlusions, low scores and label flicker; each detection keeps its true id.
import type { DetectedObject } from '../../src/detect/types.js';
import type { MotFrame } from '../helpers/mot.js';

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

export const FRAME_WIDTH = 1280;
export const FRAME_HEIGHT = 720;
const CLASS_IDS: Readonly<Record<string, number>> = { person: 0, car: 2, horse: 17, sheep: 18, cow: 19 };

export interface Walker {
  id: number;
  label?: string;
  /** Box size, pixels. */
  width: number;
  height: number;
  /** Top-left corner at `from` seconds, pixels, and velocity in pixels per second. */
  x: number;
  y: number;
  vx: number;
  vy: number;
  from?: number;
  until?: number;
  /** Occlusions: not detected in `frames` frames from `at` seconds. */
  occlusions?: { at: number; frames: number }[];
}

export interface Scenario {
  fps: number;
  duration: number;
  walkers: Walker[];
  seed: number;
  /** Box jitter as a fraction of the box size, uniform ±; default 0.05. */
  jitter?: number;
  /** Chance a detection is missing. */
  dropRate?: number;
  /** Chance a detection scores low (0.2-0.45: ByteTrack's second association). */
  lowScoreRate?: number;
  /** Chance a person is labelled horse or sheep instead. */
  flicker?: number;
}

export interface SyntheticFrame {
  t: number;
  width: number;
  height: number;
  objects: DetectedObject[];
  /** The true id of each object. */
  truth: number[];
}

/** The frames of a scenario; a box less than 30 % inside the frame is not detected. */
export function synthesize(scenario: Scenario): SyntheticFrame[] {
  const random = seededRandom(scenario.seed);
  const jitter = scenario.jitter ?? 0.05;
  const frames: SyntheticFrame[] = [];
  const count = Math.floor(scenario.duration * scenario.fps);
  for (let k = 0; k <= count; k++) {
    const t = k / scenario.fps;
    const frame: SyntheticFrame = { t, width: FRAME_WIDTH, height: FRAME_HEIGHT, objects: [], truth: [] };
    for (const walker of scenario.walkers) {
      const from = walker.from ?? 0;
      if (t < from || t > (walker.until ?? Infinity)) continue;
      const hidden = (walker.occlusions ?? []).some(({ at, frames: n }) => t >= at - 1e-9 && t < at + n / scenario.fps - 1e-9);
      // Draw every random number whether or not it is used, so scenarios differ only where they should.
      const [drop, low, flick, which, jx, jy, jw, jh, score] = [
        random(),
        random(),
        random(),
        random(),
        random(),
        random(),
        random(),
        random(),
        random(),
      ];
      if (hidden || drop < (scenario.dropRate ?? 0)) continue;
      const w = walker.width * (1 + (jw * 2 - 1) * jitter);
      const h = walker.height * (1 + (jh * 2 - 1) * jitter);
      const cx = walker.x + walker.vx * (t - from) + walker.width / 2 + (jx * 2 - 1) * jitter * walker.width;
      const cy = walker.y + walker.vy * (t - from) + walker.height / 2 + (jy * 2 - 1) * jitter * walker.height;
      const x1 = Math.max(0, cx - w / 2);
      const y1 = Math.max(0, cy - h / 2);
      const x2 = Math.min(FRAME_WIDTH, cx + w / 2);
      const y2 = Math.min(FRAME_HEIGHT, cy + h / 2);
      if (x2 <= x1 || y2 <= y1 || ((x2 - x1) * (y2 - y1)) / (w * h) < 0.3) continue;
      const base = walker.label ?? 'person';
      const label = base === 'person' && flick < (scenario.flicker ?? 0) ? (which < 0.5 ? 'horse' : 'sheep') : base;
      frame.objects.push({
        label,
        class_id: CLASS_IDS[label] ?? 0,
        score: low < (scenario.lowScoreRate ?? 0) ? 0.2 + 0.25 * score : 0.65 + 0.3 * score,
        box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 },
      });
      frame.truth.push(walker.id);
    }
    frames.push(frame);
  }
  return frames;
}

/** The evaluator's view of one frame: the truth is each detection's own id, the hypothesis its track id. */
export function motFrame(frame: SyntheticFrame, trackIds: readonly (number | null)[]): MotFrame {
  return {
    truth: frame.objects.map((object, i) => ({ id: frame.truth[i]!, box: object.box })),
    hypotheses: frame.objects.flatMap((object, i) => (trackIds[i] === null ? [] : [{ id: trackIds[i]!, box: object.box }])),
  };
}
