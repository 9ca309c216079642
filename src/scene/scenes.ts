// The scenes of every tracked camera (cameras.ts readers with scene keys, and push cameras):
// each detection result of such a camera goes through its CameraScene in capture order; the
// objects come back with their track_id, the frame's events go to the event buffer (ids, ISO
// times) and the counts to the scene metrics. Results of other cameras are not touched.
import type { DetectionResponse } from '../detect/types.js';
import type { ResetReason, SceneLayout, SceneMetrics, SceneRecorder, UntrackedReason } from '../metrics/recorders/scene-metrics.js';
import { CameraScene, FRAME_ZONE, type SceneConfig, type TrackedObject } from './camera-scene.js';
import type { Point } from './geometry.js';
import type { LineDirection } from './line.js';
import type { EventBuffer, PublishedEvent } from './event-buffer.js';
import type { EventCrops, FramePicture } from './event-crops.js';

/** Which route a frame took: after a Kafka rebalance, the cameras fed over Kafka start fresh tracks. */
export type FrameSource = 'camera' | 'http' | 'kafka';

export interface TrackedResponse extends DetectionResponse {
  objects: TrackedObject[];
}

export interface TrackedFrame {
  /** The result with a track_id on every object (null where not tracked). */
  response: TrackedResponse;
  /** The frame's events as published (ids, ISO times). */
  events: PublishedEvent[];
}

export interface CameraSceneConfig {
  cameraId: string;
  config: SceneConfig;
  /** A camera algo reads itself (it has a url): only its own frames are tracked, not ones posted under its id. */
  pulled?: boolean;
}

/** A tracked camera as the web console draws it: its zones and lines (fractions) and their counts now. */
export interface SceneView {
  camera_id: string;
  active_tracks: number;
  zones: Array<{ name: string; points: Point[]; labels: readonly string[] | null; objects: Record<string, number> }>;
  lines: Array<{
    name: string;
    from: Point;
    to: Point;
    in: LineDirection;
    labels: readonly string[] | null;
    /** Crossings since start-up, by direction. */
    crossings: { in: number; out: number };
  }>;
  /** Objects in the whole frame by label. */
  frame: Record<string, number>;
}

/** A push camera's last frame (HTTP or Kafka): the encoded image as it came, and its tracked result. */
export interface PushedFrame {
  image: Buffer;
  response: TrackedResponse;
}

interface Entry {
  config: SceneConfig;
  /** The last pushed frame (web console); camera frames are held by the cameras. */
  last: PushedFrame | undefined;
  /** Crossings since start-up per line, by direction. */
  crossings: Map<string, { in: number; out: number }>;
  scene: CameraScene;
  recorder: SceneRecorder;
  /** Fed over Kafka since its last reset. */
  viaKafka: boolean;
  pulled: boolean;
  /** When its tracks last ended because the camera went down (Unix seconds): frames received before are not tracked. */
  endedAt: number | undefined;
}

const NO_EVENTS: PublishedEvent[] = [];

/**
 * How far a frame's capture time may run ahead of this host's clock and still be tracked (clocks
 * of senders drift a little). A frame further ahead is not tracked: its time would make every
 * correct frame after it out of order.
 */
export const FUTURE_ALLOWANCE_S = 60;

/** The series a scene has from start-up: its configured labels per zone and line. */
export function sceneLayout(config: SceneConfig): SceneLayout {
  const tracked = config.track.labels ?? [];
  return {
    labels: tracked,
    zones: config.zones.map((zone) => ({ name: zone.name, labels: zone.labels ?? tracked })),
    lines: config.lines.map((line) => ({ name: line.name, labels: line.labels ?? tracked })),
  };
}

export class Scenes {
  private readonly entries = new Map<string, Entry>();

  constructor(
    cameras: readonly CameraSceneConfig[],
    private readonly buffer: EventBuffer,
    metrics: SceneMetrics,
    /** This host's clock, in milliseconds since the epoch. */
    private readonly nowMs: () => number = Date.now,
    /** Where each event's crop is cut and held (the console's camera page), when kept. */
    private readonly crops?: EventCrops,
  ) {
    for (const { cameraId, config, pulled } of cameras) {
      this.entries.set(cameraId, {
        config,
        last: undefined,
        crossings: new Map(config.lines.map((line) => [line.name, { in: 0, out: 0 }])),
        scene: new CameraScene(cameraId, config),
        recorder: metrics.camera(cameraId, sceneLayout(config)),
        viaKafka: false,
        pulled: pulled === true,
        endedAt: undefined,
      });
    }
  }

  /** Whether frames of this camera are tracked. */
  has(cameraId: string): boolean {
    return this.entries.has(cameraId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The labels a tracked camera tracks (its track.labels), null when it tracks every label, undefined for other cameras. */
  trackedLabels(cameraId: string): readonly string[] | null | undefined {
    const entry = this.entries.get(cameraId);
    return entry === undefined ? undefined : (entry.config.track.labels ?? null);
  }

  /** The tracked cameras' ids, in configuration order. */
  get cameraIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Zones and lines of a tracked camera with their counts now; undefined for other cameras. */
  view(cameraId: string): SceneView | undefined {
    const entry = this.entries.get(cameraId);
    if (entry === undefined) return undefined;
    const counts = entry.scene.counts();
    const objects = (zone: string): Record<string, number> =>
      Object.fromEntries(counts.occupancy.filter((count) => count.zone === zone).map((count) => [count.label, count.count]));
    return {
      camera_id: cameraId,
      active_tracks: counts.active_tracks,
      zones: entry.config.zones.map((zone) => ({
        name: zone.name,
        points: zone.points,
        labels: zone.labels ?? null,
        objects: objects(zone.name),
      })),
      lines: entry.config.lines.map((line) => ({
        name: line.name,
        from: line.from,
        to: line.to,
        in: line.in,
        labels: line.labels ?? null,
        crossings: { ...(entry.crossings.get(line.name) ?? { in: 0, out: 0 }) },
      })),
      frame: objects(FRAME_ZONE),
    };
  }

  /**
   * Tracks one result captured at `atSeconds` (Unix seconds). Undefined for a camera that is not
   * tracked; a frame older than the camera's last tracked one (out_of_order), captured more than
   * FUTURE_ALLOWANCE_S ahead of this host's clock (future), or posted over HTTP or Kafka under the
   * id of a camera algo reads itself (pulled_camera: two sources in one tracker would tear its
   * tracks apart), or received before the camera last went down and detected after (camera_down),
   * is counted, changes no track and comes back with every track_id null.
   * `picture`: the frame's pixels, which its events' crops are cut from; a pushed frame's encoded
   * image is also kept as the camera's last frame.
   */
  track(
    cameraId: string,
    atSeconds: number,
    response: DetectionResponse,
    source: FrameSource,
    picture?: FramePicture,
  ): TrackedFrame | undefined {
    const entry = this.entries.get(cameraId);
    if (entry === undefined) return undefined;
    if (entry.pulled && source !== 'camera') return this.untracked(entry, response, 'pulled_camera');
    // Frames received before the camera went down, still being detected then, would start tracks on a camera that is down.
    if (entry.endedAt !== undefined && atSeconds <= entry.endedAt) return this.untracked(entry, response, 'camera_down');
    const tracked = this.trackEntry(entry, atSeconds, response, source);
    if (picture?.kind === 'encoded') entry.last = { image: picture.image, response: tracked.response };
    if (tracked.events.length > 0 && picture !== undefined && this.crops !== undefined) {
      const seen = new Map(tracked.response.objects.map((object) => [object.track_id, object.box]));
      const requests = tracked.events.map((event) => ({ eventId: event.id, trackId: event.track_id, box: seen.get(event.track_id) }));
      this.crops.capture(cameraId, requests, picture, response.image);
    }
    return tracked;
  }

  /** A push camera's last frame, or undefined (none yet, or not a tracked push camera). */
  lastPushed(cameraId: string): PushedFrame | undefined {
    return this.entries.get(cameraId)?.last;
  }

  private trackEntry(entry: Entry, atSeconds: number, response: DetectionResponse, source: FrameSource): TrackedFrame {
    if (source === 'kafka') entry.viaKafka = true;
    if (atSeconds > this.nowMs() / 1000 + FUTURE_ALLOWANCE_S) return this.untracked(entry, response, 'future');
    const result = entry.scene.update(atSeconds, response.image.width, response.image.height, response.objects);
    if (!result.ok)
      return this.untracked(entry, response, result.error.reason === 'time_went_back' ? 'out_of_order' : 'invalid_capture_time');
    const { recorder } = entry;
    const frame = result.value;
    for (const started of frame.started) recorder.trackStarted(started.label);
    let events = NO_EVENTS;
    if (frame.events.length > 0) {
      events = [];
      for (const event of frame.events) {
        if (event.type === 'entered') recorder.entered(event.zone, event.label);
        else if (event.type === 'left') recorder.left(event.zone, event.label, event.dwell_s ?? 0);
        else if (event.type === 'crossed') {
          recorder.crossed(event.line, event.direction, event.label);
          const tally = entry.crossings.get(event.line);
          if (tally !== undefined) tally[event.direction] += 1;
        }
        events.push(this.buffer.add(event));
      }
    }
    const counts = entry.scene.counts();
    recorder.activeTracks(counts.active_tracks);
    for (const { zone, label, count } of counts.occupancy) recorder.objects(zone, label, count);
    return { response: { ...response, objects: frame.objects }, events };
  }

  /** A frame of a tracked camera that cannot be tracked (e.g. its capture time is unusable); undefined for other cameras. */
  skip(cameraId: string, response: DetectionResponse, reason: UntrackedReason): TrackedFrame | undefined {
    const entry = this.entries.get(cameraId);
    return entry === undefined ? undefined : this.untracked(entry, response, reason);
  }

  /**
   * A camera algo reads went down: its tracks end now (their `left` events, dwell up to their
   * last sighting, go to the event buffer and metrics), occupancy drops to 0 and the reset is
   * counted (`camera_down`), so nothing stays "in the zone" while no frame can say so. Returns
   * the events; none for a camera that is not tracked.
   */
  endCameraTracks(cameraId: string): PublishedEvent[] {
    const entry = this.entries.get(cameraId);
    if (entry === undefined) return [];
    entry.endedAt = this.nowMs() / 1000;
    const events = entry.scene.endAll().map((event) => {
      if (event.type === 'left') entry.recorder.left(event.zone, event.label, event.dwell_s ?? 0);
      return this.buffer.add(event);
    });
    this.crops?.carry(
      cameraId,
      events.map((event) => ({ eventId: event.id, trackId: event.track_id })),
    );
    this.recordReset(entry, 'camera_down');
    return events;
  }

  /** Starts fresh tracks on every camera fed over Kafka since its last reset; returns their ids. */
  resetKafkaCameras(reason: ResetReason): string[] {
    const reset: string[] = [];
    for (const [cameraId, entry] of this.entries) {
      if (!entry.viaKafka) continue;
      entry.viaKafka = false;
      entry.scene.reset();
      this.recordReset(entry, reason);
      reset.push(cameraId);
    }
    return reset;
  }

  /**
   * A camera's tracks all gone at once (its scene just reset or ended them): the reset counted,
   * no active track, and every zone and label it has counted at 0 (counts() still lists them).
   */
  private recordReset(entry: Entry, reason: ResetReason): void {
    entry.recorder.reset(reason);
    entry.recorder.activeTracks(0);
    for (const { zone, label } of entry.scene.counts().occupancy) entry.recorder.objects(zone, label, 0);
  }

  private untracked(entry: Entry, response: DetectionResponse, reason: UntrackedReason): TrackedFrame {
    entry.recorder.untracked(reason);
    return { response: { ...response, objects: response.objects.map((object) => ({ ...object, track_id: null })) }, events: NO_EVENTS };
  }
}
