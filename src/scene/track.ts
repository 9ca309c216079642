// One tracked object: its Kalman box, its hits, and the label it is given — the
// score-weighted majority of the labels of every detection matched to it, since association
// is class-agnostic and detectors flip between similar classes (horse, sheep, cow) frame to
// frame.
import type { Box, DetectedObject } from '../detect/types.js';
import { KalmanBox } from './kalman-box.js';

/** What the tracker reports of a confirmed track; the objects are reused, read them before the next update. */
export interface TrackView {
  /** Per tracker, 1, 2, 3… in the order tracks were confirmed. */
  readonly id: number;
  /** Score-weighted majority label so far. */
  readonly label: string;
  /** Score of the last detection matched. */
  readonly score: number;
  /** The filtered (Kalman) box in frame pixels, as of the last match or prediction. */
  readonly box: Readonly<Box>;
  /** The filtered box just after the match before the last one: where the track came from (line crossings of a newly confirmed track). */
  readonly previousBox: Readonly<Box> | undefined;
  /** Seconds (the caller's clock) of the first and the last matched detection. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export class Track implements TrackView {
  /** 0 until confirmed. */
  id = 0;
  label: string;
  score: number;
  readonly box: Box = { x: 0, y: 0, width: 0, height: 0 };
  previousBox: Box | undefined;
  private readonly matchedBox: Box = { x: 0, y: 0, width: 0, height: 0 };
  readonly firstSeen: number;
  lastSeen: number;
  /** Frames with a matched detection. */
  hits = 0;
  readonly kalman = new KalmanBox();
  private readonly labelWeights = new Map<string, number>();

  constructor(object: DetectedObject, t: number) {
    this.kalman.initiate(object.box);
    this.label = object.label;
    this.score = object.score;
    this.firstSeen = t;
    this.lastSeen = t;
    this.observe(object, t);
  }

  get confirmed(): boolean {
    return this.id !== 0;
  }

  /** Advances the Kalman box dt seconds; `missedLast` when the track was not matched in the last frame. */
  predict(dt: number, missedLast: boolean): void {
    this.kalman.predict(dt, missedLast);
    this.kalman.writeBox(this.box);
  }

  /** A detection matched at time t. */
  match(object: DetectedObject, t: number): void {
    this.kalman.update(object.box);
    this.observe(object, t);
  }

  private observe(object: DetectedObject, t: number): void {
    this.hits++;
    this.lastSeen = t;
    this.score = object.score;
    if (this.hits > 1) {
      this.previousBox ??= { x: 0, y: 0, width: 0, height: 0 };
      Object.assign(this.previousBox, this.matchedBox);
    }
    this.kalman.writeBox(this.matchedBox);
    Object.assign(this.box, this.matchedBox);
    const weight = (this.labelWeights.get(object.label) ?? 0) + object.score;
    this.labelWeights.set(object.label, weight);
    if (object.label !== this.label && weight > (this.labelWeights.get(this.label) ?? 0)) this.label = object.label;
  }
}
