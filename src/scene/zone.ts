// A zone: a polygon in frame fractions and, per track, a visit with hysteresis. A track
// enters after its anchor has been inside for minFrames consecutive observed frames and leaves
// after minFrames consecutive observed frames outside, so an anchor flickering across the
// border neither enters nor leaves. Frames where the track is not seen (lost) change nothing.
import { pointInPolygon, type Anchor, type Point } from './geometry.js';

export interface ZoneConfig {
  /** Unique per camera among zones and lines; `frame` is reserved for the whole frame. */
  name: string;
  /** The polygon, ≥ 3 points as [x, y] fractions 0-1 of the frame (y downwards); concave allowed. */
  points: Point[];
  /** Labels counted here; undefined: all the tracker reports. */
  labels: readonly string[] | undefined;
  /** Seconds inside after which one `loitering` event is raised per visit; undefined: never. */
  loiterS: number | undefined;
  /** Consecutive frames inside to enter, outside to leave. */
  minFrames: number;
  anchor: Anchor;
}

export const ZONE_DEFAULTS = { minFrames: 2, anchor: 'bottom_center' } as const;

/** One track's state in one zone. */
export interface ZoneVisit {
  inside: boolean;
  /** Consecutive observed frames on the other side than `inside` says. */
  streak: number;
  /** Time of the first frame of that streak. */
  streakStart: number;
  /** When the current visit began (the first inside frame of the streak that entered). */
  enteredAt: number;
  loiterReported: boolean;
}

export type ZoneChange = 'entered' | 'left' | 'loitering' | undefined;

export const newVisit = (): ZoneVisit => ({ inside: false, streak: 0, streakStart: 0, enteredAt: 0, loiterReported: false });

export class Zone {
  private readonly labels: ReadonlySet<string> | undefined;

  constructor(readonly config: Readonly<ZoneConfig>) {
    this.labels = config.labels === undefined ? undefined : new Set(config.labels);
  }

  /** Whether a label is counted in this zone. */
  counts(label: string): boolean {
    return this.labels === undefined || this.labels.has(label);
  }

  /** The anchor (x, y in frame fractions) is inside the polygon; its edges count as inside. */
  contains(x: number, y: number): boolean {
    return pointInPolygon(x, y, this.config.points);
  }

  /**
   * Records one observed frame at time t (seconds): `inside` says where the anchor was (false
   * as well when the track's label is not counted here). Returns what changed, at most one
   * thing: `entered`, `left` (dwell: dwell(visit, …) before the next observe) or `loitering`.
   */
  observe(visit: ZoneVisit, inside: boolean, t: number): ZoneChange {
    if (inside === visit.inside) {
      visit.streak = 0;
      const loiterS = this.config.loiterS;
      if (inside && !visit.loiterReported && loiterS !== undefined && t - visit.enteredAt >= loiterS) {
        visit.loiterReported = true;
        return 'loitering';
      }
      return undefined;
    }
    if (visit.streak === 0) visit.streakStart = t;
    visit.streak++;
    if (visit.streak < this.config.minFrames) return undefined;
    visit.inside = inside;
    visit.streak = 0;
    if (inside) {
      visit.enteredAt = visit.streakStart;
      visit.loiterReported = false;
      return 'entered';
    }
    return 'left';
  }
}

/**
 * Seconds a visit lasted: from the first inside frame of the streak that entered to the first
 * outside frame of the streak that left — or, for a track that ended inside, to `end` (its last
 * sighting).
 */
export function dwell(visit: ZoneVisit, end: number): number {
  return Math.max(0, (visit.inside ? end : visit.streakStart) - visit.enteredAt);
}
