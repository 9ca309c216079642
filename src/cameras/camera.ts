// One camera's connection: runs its ffmpeg, hands each frame on, and keeps the state the API
// and metrics show. Any exit of ffmpeg means the stream ended (ffmpeg exits 0 when its source
// dies); no frame for stall_timeout_s means it stalled (ffmpeg is killed). Either way the
// camera is marked down, logged once per outage with the reason (credentials masked), and
// restarted after a jittered exponential backoff; reconnect() restarts it at once. A change of
// the camera's resolution is followed (frames carry the size they were taken at), logged once
// and counted; where ffmpeg cannot follow it by itself (JPEG output), a new ffmpeg is started.
import type { Logger } from 'pino';
import type { CameraRecorder, FrameOutcome } from '../metrics/recorders/camera-metrics.js';
import { reconnectDelayMs } from './backoff.js';
import type { CameraConfig } from './camera-config.js';
import { classifyExit, type DownReason, type FfmpegChild, type FfmpegExit, type FfmpegHandlers } from './ffmpeg-process.js';
import { maskUrl } from '../redact.js';
import { FrameRate } from './frame-rate.js';

/** A connection attempt gets at least this long for its first frame. */
export const FIRST_FRAME_TIMEOUT_S = 10;

export type CameraState = 'connecting' | 'up' | 'down' | 'disabled' | 'stopped';

export interface CameraFrame {
  /** Raw RGB letterboxed to the detector's input size, or JPEG (ingest role). */
  data: Buffer;
  /** Unix milliseconds when algo received it. */
  receivedAt: number;
  /** The camera's own frame size (from ffmpeg's stream info), when known. */
  sourceWidth: number | undefined;
  sourceHeight: number | undefined;
}

export interface CameraCounts {
  frames: number;
  detected: number;
  dropped: number;
  failed: number;
  produced: number;
  reconnects: number;
  stalls: number;
}

export interface CameraDeps {
  config: CameraConfig;
  recorder: CameraRecorder;
  logger: Logger;
  /** Starts ffmpeg for this camera. */
  spawn(handlers: FfmpegHandlers): FfmpegChild;
  /** False when a new ffmpeg must be started for a new resolution (see followsResolutionChange). */
  followsResolutionChange: boolean;
  /** Called with every frame received. */
  onFrame(camera: Camera, frame: CameraFrame): void;
  /** Called once per outage, when the camera goes down (not again for each failed retry). */
  onDown?(camera: Camera): void;
  random?: () => number;
}

export class Camera {
  readonly id: string;
  readonly maskedUrl: string;
  private current: FfmpegChild | undefined;
  private stateValue: CameraState;
  private since = Date.now();
  private downReason: DownReason | undefined;
  private detail: string | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Set when algo itself killed ffmpeg, so its exit is not read as the stream's. */
  private killedFor: 'stall' | 'restart' | 'resize' | 'stop' | undefined;
  private sourceWidth: number | undefined;
  private sourceHeight: number | undefined;
  private readonly log: Logger;
  readonly counts: CameraCounts = { frames: 0, detected: 0, dropped: 0, failed: 0, produced: 0, reconnects: 0, stalls: 0 };
  /** Frames received per second over the last seconds (the API's camera view). */
  readonly frameRate = new FrameRate();
  latestFrame: CameraFrame | undefined;
  /** The newest JPEG of ffmpeg's view output (camera resolution, long side ≤ 1280, about 1 per second), when it has one. */
  latestView: CameraFrame | undefined;
  /** Set when the camera changed resolution under the current ffmpeg: its view frames would be stretched. */
  private viewStale = false;

  constructor(private readonly deps: CameraDeps) {
    this.id = deps.config.id;
    this.maskedUrl = maskUrl(deps.config.url);
    this.stateValue = deps.config.enabled ? 'connecting' : 'disabled';
    this.log = deps.logger.child({ camera_id: this.id });
  }

  get config(): CameraConfig {
    return this.deps.config;
  }

  get state(): CameraState {
    return this.stateValue;
  }

  /** Why the camera is down (while it is), with ffmpeg's own words, credentials masked. */
  get health(): {
    state: CameraState;
    since: number;
    reason: DownReason | undefined;
    detail: string | undefined;
    retryAt: number | undefined;
  } {
    return { state: this.stateValue, since: this.since, reason: this.downReason, detail: this.detail, retryAt: this.retryAt };
  }

  start(): void {
    if (this.stateValue === 'disabled' || this.stateValue === 'stopped') return;
    this.connect(false);
  }

  /** Restarts the stream now (the API's reconnect), whatever its state. */
  reconnect(): void {
    if (this.stateValue === 'disabled' || this.stateValue === 'stopped') return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // The API answers the state the camera is put in: no frame yet from the new ffmpeg.
    this.setState('connecting');
    if (this.current !== undefined) {
      this.killedFor = 'restart';
      this.current.kill();
      return; // the exit handler connects again
    }
    this.connect(true);
  }

  async stop(): Promise<void> {
    if (this.stateValue === 'disabled') return;
    this.setState('stopped');
    clearTimeout(this.retryTimer);
    clearTimeout(this.stallTimer);
    const child = this.current;
    if (child !== undefined) {
      this.killedFor = 'stop';
      child.kill();
      await child.exited;
    }
  }

  frameProcessed(outcome: FrameOutcome): void {
    this.counts[outcome]++;
    this.deps.recorder.frameProcessed(outcome);
  }

  private connect(retry: boolean): void {
    if (retry) {
      this.counts.reconnects++;
      this.deps.recorder.reconnecting();
    }
    // A camera that is down stays down until a frame arrives.
    if (this.stateValue !== 'down') this.setState('connecting');
    this.startReader();
  }

  private startReader(): void {
    this.retryAt = undefined;
    this.viewStale = false;
    this.killedFor = undefined;
    // Connecting and probing the stream take time of their own: the first frame gets longer.
    this.armStallTimer(Math.max(this.deps.config.stallTimeoutSeconds, FIRST_FRAME_TIMEOUT_S));
    const child = this.deps.spawn({
      // Frames still coming from an ffmpeg algo is ending are not the stream's any more.
      onFrame: (data) => {
        if (this.current === child && this.killedFor === undefined) this.received(data);
      },
      onSourceSize: (width, height, midStream) => {
        if (this.current === child) this.sourceSized(width, height, midStream);
      },
      onViewFrame: (jpeg) => {
        if (this.current === child && this.killedFor === undefined && !this.viewStale)
          this.latestView = { data: jpeg, receivedAt: Date.now(), sourceWidth: this.sourceWidth, sourceHeight: this.sourceHeight };
      },
      onExit: (exit) => {
        if (this.current === child) this.exited(exit);
      },
    });
    this.current = child;
  }

  /** The source's frame size; a change (day and night profiles, new settings) is logged once and counted. */
  private sourceSized(width: number, height: number, midStream: boolean): void {
    const from = this.sourceWidth === undefined ? undefined : `${this.sourceWidth}x${this.sourceHeight}`;
    const to = `${width}x${height}`;
    this.sourceWidth = width;
    this.sourceHeight = height;
    if (from === undefined || from === to) return;
    this.deps.recorder.resolutionChanged();
    this.log.info({ from, to, url: this.maskedUrl }, 'camera resolution changed');
    // The view output's JPEG encoder keeps the size it started with: its frames would be
    // stretched until the next ffmpeg, so none is shown (snapshots fall back to detection frames).
    if (midStream) {
      this.viewStale = true;
      this.latestView = undefined;
    }
    if (midStream && !this.deps.followsResolutionChange && this.current !== undefined) {
      this.killedFor = 'resize';
      this.current.kill();
    }
  }

  private received(data: Buffer): void {
    if (this.stateValue === 'stopped') return;
    const receivedAt = Date.now();
    this.armStallTimer(this.deps.config.stallTimeoutSeconds);
    if (this.stateValue !== 'up') {
      if (this.failures > 0) this.log.info({ attempts: this.failures, url: this.maskedUrl }, 'camera is back up');
      else this.log.info({ url: this.maskedUrl, width: this.sourceWidth, height: this.sourceHeight }, 'camera is up');
      this.failures = 0;
      this.downReason = undefined;
      this.detail = undefined;
      this.setState('up');
    }
    this.counts.frames++;
    this.frameRate.frame(performance.now());
    this.deps.recorder.frameReceived(receivedAt / 1000);
    const frame: CameraFrame = { data, receivedAt, sourceWidth: this.sourceWidth, sourceHeight: this.sourceHeight };
    this.latestFrame = frame;
    this.deps.onFrame(this, frame);
  }

  private armStallTimer(seconds: number): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.stalled(), seconds * 1000);
    this.stallTimer.unref();
  }

  private stalled(): void {
    if (this.current === undefined) return;
    this.counts.stalls++;
    this.deps.recorder.stalled();
    this.killedFor = 'stall';
    this.current.kill();
  }

  private exited(exit: FfmpegExit): void {
    clearTimeout(this.stallTimer);
    this.current = undefined;
    const why = this.killedFor;
    this.killedFor = undefined;
    if (why === 'stop' || this.stateValue === 'stopped') return;
    // Not an outage: the camera stays up while ffmpeg starts again at its new size.
    if (why === 'resize') {
      this.startReader();
      return;
    }
    if (why === 'restart') {
      this.connect(true);
      return;
    }
    const reason: DownReason = why === 'stall' ? 'stalled' : classifyExit(exit.detail);
    const detail =
      why === 'stall'
        ? this.stateValue === 'up'
          ? `no frame for ${this.deps.config.stallTimeoutSeconds} s`
          : 'no first frame'
        : (exit.detail ?? `ffmpeg exited with code ${exit.code ?? exit.signal}`);
    this.markDown(reason, detail);
  }

  private markDown(reason: DownReason, detail: string): void {
    const firstOfOutage = this.failures === 0;
    this.failures++;
    this.downReason = reason;
    this.detail = detail;
    this.setState('down');
    if (firstOfOutage) this.deps.onDown?.(this);
    const delay = reconnectDelayMs(this.failures, this.deps.random);
    this.retryAt = Date.now() + delay;
    const fields = { reason, detail, url: this.maskedUrl, retryInMs: delay, attempts: this.failures };
    // One line per outage; every retry after it is at debug (the API shows the current reason).
    if (firstOfOutage) this.log.warn(fields, `camera is down: ${reason}`);
    else this.log.debug(fields, 'camera still down');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect(true);
    }, delay);
    this.retryTimer.unref();
  }

  private setState(state: CameraState): void {
    if (state === this.stateValue && state !== 'connecting') return;
    if (state !== this.stateValue) this.since = Date.now();
    this.stateValue = state;
    this.deps.recorder.up(state === 'up');
  }
}
