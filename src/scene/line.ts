// A counting line: a segment from→to in frame fractions (y downwards). A track crosses it
// when the path of its anchor between observed frames meets the segment (the closed segment:
// its endpoints included) and the anchor ends up strictly on the other side from where it
// last was strictly on one side. Passing beyond an end of the segment changes side without
// crossing; touching the line and going back is no crossing; an anchor resting exactly on the
// line is on neither side, so A → on the line → B counts once, when B is seen.
//
// Sides are named in image terms: the left side is the half-plane reached from the line by
// moving towards smaller x (defined for any line that is not horizontal), the top side the one
// reached towards smaller y (any line that is not vertical). `in: left_to_right` counts a
// crossing from the left side to the right side as `in`, the other way as `out`; likewise
// right_to_left, top_to_bottom, bottom_to_top. This does not depend on which end is `from`.
import { orientation, segmentContact, type Anchor, type Point } from './geometry.js';

export const LINE_DIRECTIONS = ['left_to_right', 'right_to_left', 'top_to_bottom', 'bottom_to_top'] as const;
export type LineDirection = (typeof LINE_DIRECTIONS)[number];

export interface LineConfig {
  /** Unique per camera among zones and lines. */
  name: string;
  /** Endpoints as [x, y] fractions 0-1 of the frame; distinct. */
  from: Point;
  to: Point;
  /** Which crossing is `in`; left/right needs a line that is not horizontal, top/bottom one that is not vertical. */
  in: LineDirection;
  /** Labels counted; undefined: all the tracker reports. */
  labels: readonly string[] | undefined;
  anchor: Anchor;
}

export const LINE_DEFAULTS = { anchor: 'bottom_center' } as const;

/** One track's passage state at one line. */
export interface LinePassage {
  /** −1 or 1: the side (sign of orientation(from, to, anchor)) it was last strictly on; 0 before that. */
  side: number;
  /** The path since then met the segment. */
  touched: boolean;
  hasLast: boolean;
  lastX: number;
  lastY: number;
}

export const newPassage = (): LinePassage => ({ side: 0, touched: false, hasLast: false, lastX: 0, lastY: 0 });

/**
 * The orientation sign of the side `in` crossings come from, or 0 when the direction is
 * undefined for this line (left/right of a horizontal line, top/bottom of a vertical one).
 */
export function inSide(from: Point, to: Point, direction: LineDirection): number {
  // orientation(from, to, p) at p = from − (1, 0) is (to.y − from.y); at p = from − (0, 1) it is −(to.x − from.x).
  const left = Math.sign(to[1] - from[1]);
  const top = -Math.sign(to[0] - from[0]);
  switch (direction) {
    case 'left_to_right':
      return left;
    case 'right_to_left':
      return -left;
    case 'top_to_bottom':
      return top;
    case 'bottom_to_top':
      return -top;
  }
}

export class Line {
  private readonly labels: ReadonlySet<string> | undefined;
  private readonly inFrom: number;

  constructor(readonly config: Readonly<LineConfig>) {
    this.labels = config.labels === undefined ? undefined : new Set(config.labels);
    this.inFrom = inSide(config.from, config.to, config.in);
  }

  counts(label: string): boolean {
    return this.labels === undefined || this.labels.has(label);
  }

  /** Records the anchor (frame fractions) of one observed frame; returns the crossing's direction, if it crossed. */
  observe(passage: LinePassage, x: number, y: number): 'in' | 'out' | undefined {
    const [fx, fy] = this.config.from;
    const [tx, ty] = this.config.to;
    if (passage.hasLast && segmentContact(passage.lastX, passage.lastY, x, y, fx, fy, tx, ty) !== 'none') passage.touched = true;
    passage.hasLast = true;
    passage.lastX = x;
    passage.lastY = y;
    const side = Math.sign(orientation(fx, fy, tx, ty, x, y));
    if (side === 0) return undefined;
    const crossed = passage.touched && passage.side !== 0 && side !== passage.side;
    const from = passage.side;
    passage.side = side;
    passage.touched = false;
    if (!crossed) return undefined;
    return from === this.inFrom ? 'in' : 'out';
  }
}
