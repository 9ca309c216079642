// One camera's scene: the tracker, its zones and its lines. Each frame gives the objects
// back with their track ids and the events of that frame; counts() gives what the gauges show.
// Pure: no clock (times are the caller's seconds), no metrics library — the metrics layer
// records from the returned frame (events, started) and counts().
import type { Box, DetectedObject, Result } from '../detect/types.js';
import { anchorX, anchorY } from './geometry.js';
import { Line, newPassage, type LineConfig, type LinePassage } from './line.js';
import type { TrackView } from './track.js';
import { Tracker, type TimeError, type TrackerConfig } from './tracker.js';
import { dwell, newVisit, Zone, type ZoneConfig, type ZoneVisit } from './zone.js';

export interface SceneConfig {
  track: TrackerConfig;
  zones: ZoneConfig[];
  lines: LineConfig[];
}

/** The name occupancy uses for the whole frame (every confirmed track); no zone may take it. */
export const FRAME_ZONE = 'frame';

export interface TrackedObject extends DetectedObject {
  /** The confirmed track, or null: not (yet) tracked, see TrackerFrame.trackIds. */
  track_id: number | null;
}

interface EventBase {
  camera_id: string;
  label: string;
  track_id: number;
  /**
   * Seconds on the clock of update's t (the caller turns it into a wall-clock time): the frame's
   * t, or for the `left` of a track that ended, its last sighting.
   */
  at: number;
  /** The track's filtered box in frame pixels. */
  box: Box;
  /** Score of the track's last detection. */
  score: number;
  /** Assigned by the event buffer, not here. */
  id?: string;
}

export interface ZoneEvent extends EventBase {
  type: 'entered' | 'left' | 'loitering';
  zone: string;
  /** On `left`: seconds from entering to leaving (or to the track's last sighting when it ended inside). */
  dwell_s?: number;
}

export interface LineEvent extends EventBase {
  type: 'crossed';
  line: string;
  /** `in` when the crossing matches the line's `in` setting. */
  direction: 'in' | 'out';
}

export type SceneEvent = ZoneEvent | LineEvent;

export interface SceneFrame {
  objects: TrackedObject[];
  /** Per track in confirmation order: zone events, then line events; then the `left` events of tracks that ended. */
  events: SceneEvent[];
  /** Tracks confirmed in this frame: one per unique object (scene_tracks_total). */
  started: { track_id: number; label: string }[];
}

export interface ZoneCount {
  /** A zone's name, or FRAME_ZONE. */
  zone: string;
  label: string;
  count: number;
}

export interface SceneCounts {
  /** Confirmed tracks not ended (scene_tracks_active). */
  active_tracks: number;
  /**
   * Tracks inside each zone by current label (scene_objects): confirmed tracks not ended, one
   * briefly lost included (it stays where it was last seen until it ends). A zone lists its configured labels,
   * or, unfiltered, every label it has counted so far, so a count that fell to 0 is listed as 0.
   */
  occupancy: ZoneCount[];
  /** Confirmed tracks since the scene was built, by label at confirmation (unique objects). */
  tracks_started: Record<string, number>;
}

interface TrackState {
  visits: ZoneVisit[];
  passages: LinePassage[];
  /** The track's label as of its last observed frame. */
  label: string;
}

export class CameraScene {
  private readonly tracker: Tracker;
  private readonly zones: Zone[];
  private readonly lines: Line[];
  private states = new Map<number, TrackState>();
  /** Per zone (FRAME_ZONE last), the labels listed by counts(). */
  private readonly listed: Set<string>[];
  private readonly started: Record<string, number> = {};

  constructor(
    readonly cameraId: string,
    config: SceneConfig,
  ) {
    this.tracker = new Tracker(config.track);
    this.zones = config.zones.map((zone) => new Zone(zone));
    this.lines = config.lines.map((line) => new Line(line));
    this.listed = [...this.zones.map((zone) => new Set(zone.config.labels ?? [])), new Set(config.track.labels ?? [])];
  }

  /**
   * The frame at t seconds (never earlier than the last frame's: such a frame is refused with
   * time_went_back and changes nothing), frameWidth × frameHeight pixels, detections in pixels.
   */
  update(t: number, frameWidth: number, frameHeight: number, objects: readonly DetectedObject[]): Result<SceneFrame, TimeError> {
    const result = this.tracker.update(t, objects);
    if (!result.ok) return result;
    const { trackIds, active, started, ended } = result.value;
    const frame: SceneFrame = {
      objects: objects.map((object, index) => ({ ...object, track_id: trackIds[index]! })),
      events: [],
      started: [],
    };
    for (const track of started) {
      frame.started.push({ track_id: track.id, label: track.label });
      this.started[track.label] = (this.started[track.label] ?? 0) + 1;
    }
    for (const track of active) this.observe(track, t, frameWidth, frameHeight, frame.events);
    for (const track of ended) this.end(track, frame.events);
    return { ok: true, value: frame };
  }

  /** Current counts; see SceneCounts. */
  counts(): SceneCounts {
    const tallies = this.listed.map((labels) => new Map([...labels].map((label) => [label, 0])));
    const frameTally = tallies[this.zones.length]!;
    for (const [, state] of this.states) {
      const label = state.label;
      frameTally.set(label, (frameTally.get(label) ?? 0) + 1);
      state.visits.forEach((visit, z) => {
        if (visit.inside) tallies[z]!.set(label, (tallies[z]!.get(label) ?? 0) + 1);
      });
    }
    const occupancy: ZoneCount[] = [];
    tallies.forEach((tally, z) => {
      const zone = z < this.zones.length ? this.zones[z]!.config.name : FRAME_ZONE;
      for (const [label, count] of tally) occupancy.push({ zone, label, count });
    });
    return { active_tracks: this.tracker.confirmedCount, occupancy, tracks_started: { ...this.started } };
  }

  /**
   * Ends every track now, as if each were lost after its last sighting (the camera went down):
   * the `left` events of the zones they were in, dwell up to their last sighting; occupancy is
   * empty afterwards. Cumulative counts stay.
   */
  endAll(): SceneEvent[] {
    const events: SceneEvent[] = [];
    for (const track of this.tracker.endAll()) this.end(track, events);
    this.states = new Map();
    return events;
  }

  /** Forgets every track and visit (fresh tracks, e.g. after a Kafka rebalance); cumulative counts stay. */
  reset(): void {
    this.tracker.reset();
    this.states = new Map();
  }

  private observe(track: TrackView, t: number, width: number, height: number, events: SceneEvent[]): void {
    let state = this.states.get(track.id);
    if (state === undefined) {
      state = { visits: this.zones.map(newVisit), passages: this.lines.map(newPassage), label: track.label };
      this.states.set(track.id, state);
      // Start the lines from where the track was before it was confirmed, so a crossing in that step counts.
      const before = track.previousBox;
      if (before !== undefined) {
        for (let l = 0; l < this.lines.length; l++) {
          this.lines[l]!.observe(state.passages[l]!, anchorX(before) / width, anchorY(before, this.lines[l]!.config.anchor) / height);
        }
      }
    }
    state.label = track.label;
    this.listed[this.zones.length]!.add(track.label);
    const x = anchorX(track.box) / width;
    for (let z = 0; z < this.zones.length; z++) {
      const zone = this.zones[z]!;
      const visit = state.visits[z]!;
      const inside = zone.counts(track.label) && zone.contains(x, anchorY(track.box, zone.config.anchor) / height);
      const change = zone.observe(visit, inside, t);
      // Every label counted inside is listed from then on (also one a track switches to while inside), so its gauge falls back to 0.
      if (visit.inside) this.listed[z]!.add(track.label);
      if (change === undefined) continue;
      const event = this.event(track, t);
      events.push(
        change === 'left'
          ? { type: change, zone: zone.config.name, ...event, dwell_s: dwell(visit, t) }
          : { type: change, zone: zone.config.name, ...event },
      );
    }
    for (let l = 0; l < this.lines.length; l++) {
      const line = this.lines[l]!;
      if (!line.counts(track.label)) continue;
      const direction = line.observe(state.passages[l]!, x, anchorY(track.box, line.config.anchor) / height);
      if (direction !== undefined) events.push({ type: 'crossed', line: line.config.name, direction, ...this.event(track, t) });
    }
  }

  private end(track: TrackView, events: SceneEvent[]): void {
    const state = this.states.get(track.id);
    if (state === undefined) return;
    this.states.delete(track.id);
    state.visits.forEach((visit, z) => {
      if (!visit.inside) return;
      events.push({
        type: 'left',
        zone: this.zones[z]!.config.name,
        ...this.event(track, track.lastSeen),
        dwell_s: dwell(visit, track.lastSeen),
      });
    });
  }

  private event(track: TrackView, at: number): EventBase {
    return { camera_id: this.cameraId, label: track.label, track_id: track.id, at, box: { ...track.box }, score: track.score };
  }
}
