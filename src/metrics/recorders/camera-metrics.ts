// Camera ingest metrics: whether each camera is up, frames received from ffmpeg and what
// became of each (detected | dropped | failed, or produced in the ingest role), so that
//   camera_frames_total - sum by (camera_id) (camera_frames_processed_total) ∈ {0, 1, in flight}
// checks the pipeline; reconnects, stalls, resolution changes and the last frame's time. camera_id values go
// through the same CameraLabeler cap as detection_total.
import { Counter, Gauge, type Registry } from 'prom-client';
import { CameraLabeler } from '../camera-label.js';

export const FRAME_OUTCOMES = ['detected', 'dropped', 'failed', 'produced'] as const;
export type FrameOutcome = (typeof FRAME_OUTCOMES)[number];

/** The recorder of one camera: label children resolved once. */
export interface CameraRecorder {
  up(isUp: boolean): void;
  frameReceived(atSeconds: number): void;
  frameProcessed(outcome: FrameOutcome): void;
  reconnecting(): void;
  stalled(): void;
  resolutionChanged(): void;
}

/** For disabled cameras: they have no series. */
export const NO_CAMERA_RECORDER: CameraRecorder = {
  up() {},
  frameReceived() {},
  frameProcessed() {},
  reconnecting() {},
  stalled() {},
  resolutionChanged() {},
};

export interface CameraMetrics {
  /** Creates the camera's series (up = 0, counters and the given outcomes at 0) and returns its recorder. */
  camera(cameraId: string, outcomes: readonly FrameOutcome[]): CameraRecorder;
}

export function createCameraMetrics(registry: Registry, maxCameras: number): CameraMetrics {
  const labeler = new CameraLabeler(maxCameras);
  const up = new Gauge({
    name: 'camera_up',
    help: 'Whether the camera is delivering frames (1) or down (0).',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const frames = new Counter({
    name: 'camera_frames_total',
    help: 'Frames algo received from the camera (from ffmpeg, at detect_fps).',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const processed = new Counter({
    name: 'camera_frames_processed_total',
    help: 'Camera frames by outcome: detected, dropped (a newer frame replaced it), failed, or produced (ingest role). They add up to camera_frames_total.',
    labelNames: ['camera_id', 'outcome'] as const,
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'camera_reconnects_total',
    help: 'Times algo restarted the camera stream after it went down.',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const stalls = new Counter({
    name: 'camera_stalls_total',
    help: 'Times the camera sent no frame for stall_timeout_s and its stream was restarted.',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const resolutionChanges = new Counter({
    name: 'camera_resolution_changes_total',
    help: 'Times the camera changed its frame size mid-stream or between connections; boxes and snapshots follow the new size.',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });
  const lastFrame = new Gauge({
    name: 'camera_last_frame_timestamp_seconds',
    help: 'Unix time of the last frame received from the camera.',
    labelNames: ['camera_id'] as const,
    registers: [registry],
  });

  return {
    camera(cameraId, kept) {
      const labels = { camera_id: labeler.label(cameraId) };
      const upChild = up.labels(labels);
      const framesChild = frames.labels(labels);
      const outcomes = new Map(kept.map((outcome) => [outcome, processed.labels({ ...labels, outcome })]));
      const reconnectsChild = reconnects.labels(labels);
      const stallsChild = stalls.labels(labels);
      const resolutionChangesChild = resolutionChanges.labels(labels);
      const lastFrameChild = lastFrame.labels(labels);
      upChild.set(0);
      // prom-client creates a counter's series only on inc(): inc(0) exports them at 0 from the start.
      for (const child of [framesChild, ...outcomes.values(), reconnectsChild, stallsChild, resolutionChangesChild]) child.inc(0);
      return {
        up: (isUp) => upChild.set(isUp ? 1 : 0),
        frameReceived(atSeconds) {
          framesChild.inc();
          lastFrameChild.set(atSeconds);
        },
        frameProcessed: (outcome) => (outcomes.get(outcome) ?? processed.labels({ ...labels, outcome })).inc(),
        reconnecting: () => reconnectsChild.inc(),
        stalled: () => stallsChild.inc(),
        resolutionChanged: () => resolutionChangesChild.inc(),
      };
    },
  };
}
