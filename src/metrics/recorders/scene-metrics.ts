// Scene analytics metrics: occupancy per zone, zone entries and dwell, line crossings, tracks,
// frames not tracked, and the live event stream's clients. Series are created per configured
// camera × zone or line × label at start-up (at 0), so cardinality follows the cameras file,
// never track ids; labels not listed in the file get their series when first seen.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why a frame of a tracked camera was detected but not tracked (scene_frames_untracked_total's reason). */
export const UNTRACKED_REASONS = ['out_of_order', 'invalid_capture_time', 'future', 'pulled_camera', 'camera_down'] as const;
export type UntrackedReason = (typeof UNTRACKED_REASONS)[number];

/** Why a camera's tracks were all dropped at once (scene_track_resets_total's reason). */
export const RESET_REASONS = ['rebalance', 'camera_down'] as const;
export type ResetReason = (typeof RESET_REASONS)[number];

/**
 * What became of an event's crop (scene_event_crops_total's outcome): stored (cut from its frame),
 * reused (another event of the track in the same frame, or a track not in the frame: its newest crop), skipped (too many being encoded), failed.
 */
export const CROP_OUTCOMES = ['stored', 'reused', 'skipped', 'failed'] as const;
export type CropOutcome = (typeof CROP_OUTCOMES)[number];

/** Dwell buckets, 1 s to 1 h. */
export const DWELL_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** The frame-wide occupancy's zone label (CameraScene's FRAME_ZONE). */
const FRAME = 'frame';

/** What a camera's scene counts, as the cameras file configures it. */
export interface SceneLayout {
  /** Labels the camera tracks, when listed (track.labels). */
  labels: readonly string[];
  zones: ReadonlyArray<{ name: string; labels: readonly string[] }>;
  lines: ReadonlyArray<{ name: string; labels: readonly string[] }>;
}

/** One camera's recorder; label children are resolved once and cached. */
export interface SceneRecorder {
  trackStarted(label: string): void;
  activeTracks(count: number): void;
  /** Occupancy of a zone (or `frame`) by label. */
  objects(zone: string, label: string, count: number): void;
  entered(zone: string, label: string): void;
  left(zone: string, label: string, dwellSeconds: number): void;
  crossed(line: string, direction: 'in' | 'out', label: string): void;
  untracked(reason: UntrackedReason): void;
  reset(reason: ResetReason): void;
}

export interface SceneMetrics {
  /** Creates the camera's series at 0 and returns its recorder. */
  camera(cameraId: string, layout: SceneLayout): SceneRecorder;
  /** The live event stream: clients connected now, and one cut for falling behind. */
  streamClients(count: number): void;
  streamClientCut(): void;
  /** An event's crop (the console's camera page). */
  eventCrop(outcome: CropOutcome): void;
}

/** A two-level cache of label children: by the first label value, then the second. */
function cache<C>(make: (a: string, b: string) => C): (a: string, b: string) => C {
  const outer = new Map<string, Map<string, C>>();
  return (a, b) => {
    let inner = outer.get(a);
    if (inner === undefined) outer.set(a, (inner = new Map()));
    let child = inner.get(b);
    if (child === undefined) inner.set(b, (child = make(a, b)));
    return child;
  };
}

export function createSceneMetrics(registry: Registry): SceneMetrics {
  const objects = new Gauge({
    name: 'scene_objects',
    help: 'Confirmed tracked objects in the zone now, by label; zone="frame" is the whole frame.',
    labelNames: ['camera_id', 'zone', 'label'] as const,
    registers: [registry],
  });
  const entries = new Counter({
    name: 'scene_zone_entries_total',
    help: 'Tracked objects that entered the zone.',
    labelNames: ['camera_id', 'zone', 'label'] as const,
    registers: [registry],
  });
  const dwell = new Histogram({
    name: 'scene_zone_dwell_seconds',
    help: 'Time tracked objects stayed in the zone, observed when they leave or their track ends.',
    labelNames: ['camera_id', 'zone', 'label'] as const,
    buckets: DWELL_BUCKETS,
    registers: [registry],
  });
  const crossings = new Counter({
    name: 'scene_line_crossings_total',
    help: 'Tracked objects that crossed the line, by direction (in as the line configures it, or out).',
    labelNames: ['camera_id', 'line', 'direction', 'label'] as const,
    registers: [registry],
  });
  const tracks = new Counter({
    name: 'scene_tracks_total',
    help: 'Confirmed tracks started: unique objects seen, by label at confirmation.',
    labelNames: ['camera_id', 'label'] as const,
    registers: [registry],
  });
  const active = new Gauge({
    name: 'scene_tracks_active',
    help: 'Confirmed tracks alive now (seen, or lost for at most track_buffer_s).',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const untracked = new Counter({
    name: 'scene_frames_untracked_total',
    help: "Frames of a tracked camera that were detected but not tracked, by reason (out_of_order, invalid_capture_time, future: captured more than a minute ahead of this host's clock).",
    labelNames: ['camera_id', 'reason'] as const,
    registers: [registry],
  });
  const resets = new Counter({
    name: 'scene_track_resets_total',
    help: "Times a camera's tracks were all dropped and started afresh, by reason (rebalance: its Kafka partition moved).",
    labelNames: ['camera_id', 'reason'] as const,
    registers: [registry],
  });
  const clients = new Gauge({
    name: 'scene_event_stream_clients',
    help: 'Clients connected to GET /api/v1/events/stream.',
    registers: [registry],
  });
  const cut = new Counter({
    name: 'scene_event_stream_clients_cut_total',
    help: 'Event stream clients disconnected because they fell too far behind (ALGO_EVENTS_STREAM_MAX_PENDING_BYTES).',
    registers: [registry],
  });
  const crops = new Counter({
    name: 'scene_event_crops_total',
    help: "Scene events' object crops (GET /api/v1/events/:id/crop.jpg), by outcome: stored, reused (another event of the same track and frame, or a track that ended: its newest crop), skipped (too many being encoded), failed.",
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const cropOf = new Map(CROP_OUTCOMES.map((outcome) => [outcome, crops.labels({ outcome })]));
  clients.set(0);
  cut.inc(0);
  for (const child of cropOf.values()) child.inc(0);

  return {
    camera(cameraId, layout) {
      const objectsOf = cache((zone, label) => objects.labels({ camera_id: cameraId, zone, label }));
      const entriesOf = cache((zone, label) => entries.labels({ camera_id: cameraId, zone, label }));
      const dwellOf = cache((zone, label) => dwell.labels({ camera_id: cameraId, zone, label }));
      const crossingsOf = cache((line, key) => {
        const [direction, label] = key.split('\0') as [string, string];
        return crossings.labels({ camera_id: cameraId, line, direction, label });
      });
      const tracksOf = cache((label) => tracks.labels({ camera_id: cameraId, label }));
      const activeChild = active.labels({ camera_id: cameraId });
      const untrackedOf = new Map(UNTRACKED_REASONS.map((reason) => [reason, untracked.labels({ camera_id: cameraId, reason })]));
      const resetsOf = new Map(RESET_REASONS.map((reason) => [reason, resets.labels({ camera_id: cameraId, reason })]));
      // Keys of crossings: direction and label in one string, built once per pair.
      const crossingKey = cache((direction, label) => `${direction}\0${label}`);

      activeChild.set(0);
      for (const child of [...untrackedOf.values(), ...resetsOf.values()]) child.inc(0);
      for (const label of layout.labels) {
        objectsOf(FRAME, label).set(0);
        tracksOf(label, '').inc(0);
      }
      for (const zone of layout.zones) {
        for (const label of zone.labels) {
          objectsOf(zone.name, label).set(0);
          entriesOf(zone.name, label).inc(0);
          dwell.zero({ camera_id: cameraId, zone: zone.name, label });
        }
      }
      for (const line of layout.lines) {
        for (const label of line.labels) {
          for (const direction of ['in', 'out']) crossingsOf(line.name, crossingKey(direction, label)).inc(0);
        }
      }
      return {
        trackStarted: (label) => tracksOf(label, '').inc(),
        activeTracks: (count) => activeChild.set(count),
        objects: (zone, label, count) => objectsOf(zone, label).set(count),
        entered: (zone, label) => entriesOf(zone, label).inc(),
        left: (zone, label, seconds) => dwellOf(zone, label).observe(seconds),
        crossed: (line, direction, label) => crossingsOf(line, crossingKey(direction, label)).inc(),
        untracked: (reason) => untrackedOf.get(reason)!.inc(),
        reset: (reason) => resetsOf.get(reason)!.inc(),
      };
    },
    streamClients: (count) => clients.set(count),
    eventCrop: (outcome) => cropOf.get(outcome)!.inc(),
    streamClientCut: () => cut.inc(),
  };
}
