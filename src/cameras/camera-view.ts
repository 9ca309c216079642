// A camera as GET /api/v1/cameras shows it: configuration, state, counts and the last result.
import type { DetectionResponse } from '../detect/types.js';
import type { Camera, CameraFrame } from './camera.js';

export interface LastDetection {
  frame: CameraFrame;
  result: DetectionResponse;
}

export interface CameraView {
  id: string;
  state: string;
  url: string;
  enabled: boolean;
  detect_fps: number;
  stall_timeout_s: number;
  frames: number;
  /** Frames received per second over the last FRAME_RATE_WINDOW_S whole seconds. */
  fps: number;
  detected: number;
  dropped: number;
  failed: number;
  produced?: number;
  reconnects: number;
  stalls: number;
  since: string;
  down_reason: string | null;
  error: string | null;
  next_retry_at: string | null;
  source_size: { width: number; height: number } | null;
  last_frame_at: string | null;
  last_result: (DetectionResponse & { at: string }) | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The API view of `camera`; `produced` is shown in the ingest role only. */
export function cameraView(camera: Camera, last: LastDetection | undefined, role: 'detect' | 'ingest'): CameraView {
  const { counts, config, health } = camera;
  const frame = camera.latestFrame;
  return {
    id: camera.id,
    state: health.state,
    url: camera.maskedUrl,
    enabled: config.enabled,
    detect_fps: config.detectFps,
    stall_timeout_s: config.stallTimeoutSeconds,
    frames: counts.frames,
    fps: Math.round(camera.frameRate.perSecond(performance.now()) * 10) / 10,
    detected: counts.detected,
    dropped: counts.dropped,
    failed: counts.failed,
    ...(role === 'ingest' ? { produced: counts.produced } : {}),
    reconnects: counts.reconnects,
    stalls: counts.stalls,
    since: new Date(health.since).toISOString(),
    down_reason: health.reason ?? null,
    error: health.detail ?? null,
    next_retry_at: iso(health.retryAt),
    source_size:
      frame?.sourceWidth === undefined || frame.sourceHeight === undefined
        ? null
        : { width: frame.sourceWidth, height: frame.sourceHeight },
    last_frame_at: iso(frame?.receivedAt),
    last_result: last === undefined ? null : { ...last.result, at: new Date(last.frame.receivedAt).toISOString() },
  };
}
