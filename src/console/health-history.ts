// Each camera's health over the last minutes for /cameras/:id: a sample every interval (state,
// down reason, frames per second received, share of frames dropped since the last sample), in a
// ring of bounded length. Reads only counters the cameras keep anyway.
import type { CameraManager } from '../cameras/camera-manager.js';

export interface HealthSample {
  at: string;
  state: string;
  down_reason: string | null;
  fps: number;
  dropped_share: number;
}

interface Ring {
  samples: HealthSample[];
  frames: number;
  dropped: number;
  atMs: number;
}

export class HealthHistory {
  private readonly rings = new Map<string, Ring>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cameras: CameraManager,
    readonly intervalMs: number,
    private readonly keep: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Oldest first; undefined for an unknown camera. */
  of(cameraId: string): readonly HealthSample[] | undefined {
    return this.rings.get(cameraId)?.samples;
  }

  private sample(): void {
    const nowMs = this.now();
    for (const camera of this.cameras.list()) {
      const { counts, health } = camera;
      const ring = this.rings.get(camera.id) ?? { samples: [], frames: counts.frames, dropped: counts.dropped, atMs: nowMs };
      const seconds = (nowMs - ring.atMs) / 1000;
      const frames = counts.frames - ring.frames;
      ring.samples.push({
        at: new Date(nowMs).toISOString(),
        state: health.state,
        down_reason: health.reason ?? null,
        fps: seconds > 0 ? Math.round((frames / seconds) * 10) / 10 : 0,
        dropped_share: frames > 0 ? Math.round(((counts.dropped - ring.dropped) / frames) * 1000) / 1000 : 0,
      });
      if (ring.samples.length > this.keep) ring.samples.shift();
      ring.frames = counts.frames;
      ring.dropped = counts.dropped;
      ring.atMs = nowMs;
      this.rings.set(camera.id, ring);
    }
  }
}
