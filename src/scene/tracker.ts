// Multi-object tracker of the ByteTrack family (Zhang et al., ECCV 2022, "ByteTrack:
// Multi-Object Tracking by Associating Every Detection Box"), in seconds rather than frames:
//
//  1. every track's Kalman box is predicted to the frame's time t (dt = t − last frame's t);
//  2. confident detections (score ≥ highScore) are assigned to all tracks — confirmed,
//     tentative and lost — at minimum total matchCost (own Hungarian, see hungarian.ts), pairs
//     further apart than maxDistance box sizes forbidden;
//  3. the low-score detections (lowScore ≤ score < highScore, often occluded objects) are
//     assigned to every track still unmatched, with the stricter gate maxDistance × LOW_GATE
//     (ByteTrack's second association as in the paper's Algorithm 1; the official code keeps
//     lost and tentative tracks out of it, but at 2 fps one missed frame is common and the
//     gate is tight enough);
//  4. an unmatched tentative track is dropped; an unmatched confirmed track is lost, and ends
//     once it has not been matched for more than trackBufferS seconds — checked before step 2,
//     so a frame arriving after a longer gap starts fresh tracks instead of reviving old ones;
//  5. an unmatched confident detection with score ≥ newTrackScore starts a tentative track.
//
// Association is class-agnostic. A track is confirmed — given its id and reported — once it has
// been matched in minHits frames and its label (score-weighted majority) is one of `labels`;
// it stays confirmed whatever its label does later. Detections below lowScore are ignored.
import type { DetectedObject, Result } from '../detect/types.js';
import { HungarianSolver } from './hungarian.js';
import { matchCost } from './match-cost.js';
import { Track, type TrackView } from './track.js';

export interface TrackerConfig {
  /** Labels tracks are reported for; undefined: all. */
  labels: readonly string[] | undefined;
  /** Frames with a matched detection before a track is confirmed (1-100). */
  minHits: number;
  /** Seconds a confirmed track survives without a match. */
  trackBufferS: number;
  /** Detections at or above this score are associated first (ByteTrack's track_thresh). */
  highScore: number;
  /** Detections below this score are ignored. */
  lowScore: number;
  /** An unmatched confident detection starts a track at or above this score (ByteTrack's new_track_thresh). */
  newTrackScore: number;
  /** Gate: the most a detection's centre may lie from a track's predicted centre, in box sizes (see centreDistance). */
  maxDistance: number;
}

export const TRACKER_DEFAULTS: Readonly<Omit<TrackerConfig, 'labels'>> = {
  minHits: 2,
  trackBufferS: 3,
  highScore: 0.5,
  lowScore: 0.1,
  newTrackScore: 0.6,
  maxDistance: 1.5,
};

/** The low-score association's gate as a fraction of maxDistance (ByteTrack's second stage wants IoU ≥ 0.5). */
export const LOW_GATE = 0.5;

/** One frame's outcome. Arrays are reused: read them before the next update. */
export interface TrackerFrame {
  /** Per input object, the confirmed track it belongs to, or null (no track, a tentative track or a label not tracked). */
  readonly trackIds: readonly (number | null)[];
  /** Confirmed tracks matched in this frame, oldest track first. */
  readonly active: readonly TrackView[];
  /** Tracks confirmed in this frame (also in active): one per unique object. */
  readonly started: readonly TrackView[];
  /** Confirmed tracks that ended in this frame (unmatched for more than trackBufferS); lastSeen says when they were last seen. */
  readonly ended: readonly TrackView[];
}

export type TimeError = { reason: 'time_went_back'; t: number; last: number } | { reason: 'invalid_time'; t: number };

export class Tracker {
  private readonly labels: ReadonlySet<string> | undefined;
  private tracks: Track[] = [];
  private lastT: number | undefined;
  private nextId = 1;
  private confirmedAlive = 0;
  private readonly solver = new HungarianSolver();
  private cost = new Float64Array(64);
  private rowTrack = new Int32Array(16);
  private high = new Int32Array(16);
  private low = new Int32Array(16);
  private detTrack: (Track | undefined)[] = [];
  private matched = new Uint8Array(16);
  private readonly ids: (number | null)[] = [];
  private readonly active: Track[] = [];
  private readonly started: Track[] = [];
  private readonly ended: Track[] = [];
  private readonly ok: { ok: true; value: TrackerFrame } = {
    ok: true,
    value: { trackIds: this.ids, active: this.active, started: this.started, ended: this.ended },
  };

  constructor(private readonly config: TrackerConfig) {
    this.labels = config.labels === undefined ? undefined : new Set(config.labels);
  }

  /** Confirmed tracks not ended (matched in this frame or lost for at most trackBufferS). */
  get confirmedCount(): number {
    return this.confirmedAlive;
  }

  /**
   * Ends every track at once (the camera went down: nothing can be matched any more) and returns
   * the confirmed ones, each with the time it was last seen; then the tracker is empty, as after reset().
   */
  endAll(): readonly TrackView[] {
    const confirmed = this.tracks.filter((track) => track.confirmed);
    this.reset();
    return confirmed;
  }

  /** Forgets every track (after a Kafka rebalance); ids keep counting up. */
  reset(): void {
    this.tracks = [];
    this.lastT = undefined;
    this.confirmedAlive = 0;
  }

  /**
   * The frame at time t (seconds on any clock; equal to the last frame's is fine, earlier is
   * refused with time_went_back and changes nothing) with its detections, boxes in pixels.
   */
  update(t: number, objects: readonly DetectedObject[]): Result<TrackerFrame, TimeError> {
    if (!Number.isFinite(t)) return { ok: false, error: { reason: 'invalid_time', t } };
    if (this.lastT !== undefined && t < this.lastT) return { ok: false, error: { reason: 'time_went_back', t, last: this.lastT } };
    const dt = this.lastT === undefined ? 0 : t - this.lastT;
    const previousT = this.lastT;
    this.lastT = t;
    this.active.length = 0;
    this.started.length = 0;
    this.ended.length = 0;
    const { config } = this;
    this.endStale(t);
    this.reserve(objects.length);

    const tracks = this.tracks;
    for (const track of tracks) track.predict(dt, track.lastSeen !== previousT);

    let highCount = 0;
    let lowCount = 0;
    for (let d = 0; d < objects.length; d++) {
      this.detTrack[d] = undefined;
      const score = objects[d]!.score;
      if (score >= config.highScore) this.high[highCount++] = d;
      else if (score >= config.lowScore) this.low[lowCount++] = d;
    }

    this.matched.fill(0, 0, tracks.length);
    let rows = 0;
    for (let i = 0; i < tracks.length; i++) this.rowTrack[rows++] = i;
    this.associate(objects, rows, this.high, highCount, config.maxDistance, t);
    rows = 0;
    for (let i = 0; i < tracks.length; i++) if (this.matched[i] === 0) this.rowTrack[rows++] = i;
    this.associate(objects, rows, this.low, lowCount, config.maxDistance * LOW_GATE, t);

    let kept = 0;
    for (let i = 0; i < tracks.length; i++) {
      const track = tracks[i]!;
      if (this.matched[i] === 0) {
        if (!track.confirmed) continue;
      } else {
        this.confirm(track);
        if (track.confirmed) this.active.push(track);
      }
      tracks[kept++] = track;
    }
    tracks.length = kept;

    for (let k = 0; k < highCount; k++) {
      const d = this.high[k]!;
      const object = objects[d]!;
      if (this.detTrack[d] !== undefined || object.score < config.newTrackScore) continue;
      const track = new Track(object, t);
      this.detTrack[d] = track;
      tracks.push(track);
      this.confirm(track);
      if (track.confirmed) this.active.push(track);
    }

    const ids = this.ids;
    ids.length = objects.length;
    for (let d = 0; d < objects.length; d++) {
      const track = this.detTrack[d];
      ids[d] = track !== undefined && track.confirmed ? track.id : null;
    }
    return this.ok;
  }

  /**
   * Ends (confirmed) or drops (tentative) every track unseen for more than trackBufferS before
   * association, so a frame after a long gap cannot revive a track — nor stretch its dwell over the gap.
   */
  private endStale(t: number): void {
    const tracks = this.tracks;
    let kept = 0;
    for (const track of tracks) {
      if (t - track.lastSeen <= this.config.trackBufferS) tracks[kept++] = track;
      else if (track.confirmed) {
        this.ended.push(track);
        this.confirmedAlive--;
      }
    }
    tracks.length = kept;
  }

  private confirm(track: Track): void {
    if (track.confirmed || track.hits < this.config.minHits) return;
    if (this.labels !== undefined && !this.labels.has(track.label)) return;
    track.id = this.nextId++;
    this.confirmedAlive++;
    this.started.push(track);
  }

  /** Assigns the detections dets[0..count) to the tracks rowTrack[0..rows) that are still unmatched. */
  private associate(objects: readonly DetectedObject[], rows: number, dets: Int32Array, count: number, gate: number, t: number): void {
    if (rows === 0 || count === 0) return;
    if (this.cost.length < rows * count) this.cost = new Float64Array(Math.max(rows * count, 2 * this.cost.length));
    const cost = this.cost;
    for (let r = 0; r < rows; r++) {
      const predicted = this.tracks[this.rowTrack[r]!]!.box;
      for (let k = 0; k < count; k++) cost[r * count + k] = matchCost(predicted, objects[dets[k]!]!.box, gate);
    }
    const assignment = this.solver.assign(cost, rows, count);
    for (let r = 0; r < rows; r++) {
      const k = assignment[r]!;
      if (k < 0) continue;
      const i = this.rowTrack[r]!;
      const d = dets[k]!;
      const track = this.tracks[i]!;
      track.match(objects[d]!, t);
      this.matched[i] = 1;
      this.detTrack[d] = track;
    }
  }

  private reserve(detections: number): void {
    const tracks = this.tracks.length;
    if (this.high.length < detections) {
      this.high = new Int32Array(2 * detections);
      this.low = new Int32Array(2 * detections);
    }
    if (this.rowTrack.length < tracks) {
      this.rowTrack = new Int32Array(2 * tracks);
      this.matched = new Uint8Array(2 * tracks);
    }
    if (this.detTrack.length < detections) this.detTrack.length = detections;
  }
}
