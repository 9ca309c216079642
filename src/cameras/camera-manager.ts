// All configured cameras and what happens to their frames. In the detector role each frame
// (raw RGB letterboxed by ffmpeg to the detector's input size) goes through the shared
// detection pipeline under the camera's id, and its result, when Kafka is on, to the output
// topic (same JSON as HTTP answers, key = camera id). In the ingest role frames are JPEG and
// are produced to the input topic (key = camera id) for detector workers elsewhere.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DetectionPipeline } from '../detect/pipeline.js';
import type { DetectionResponse } from '../detect/types.js';
import { NO_CAMERA_RECORDER, type CameraMetrics, type FrameOutcome } from '../metrics/camera-metrics.js';
import type { KafkaRecorder } from '../metrics/kafka-metrics.js';
import { FRAME_HEADERS } from '../kafka/frame-message.js';
import type { RecordSink } from '../kafka/producer.js';
import { Camera, type CameraFrame } from './camera.js';
import type { CameraConfig } from './camera-config.js';
import { ffmpegArgs, type FrameOutput } from './ffmpeg-args.js';
import { FramePool } from './frame-reader.js';
import { startFfmpeg } from './ffmpeg-process.js';
import { redactor } from './mask-url.js';
import { FrameScheduler } from './frame-scheduler.js';
import { snapshotJpeg } from './snapshot.js';

/** Largest JPEG frame accepted from ffmpeg in the ingest role. */
const MAX_JPEG_BYTES = 16 * 1024 * 1024;
const INGEST_IN_FLIGHT = 8;
const INGEST_JPEG_QUALITY = 3;

export type CameraOutput =
  | { role: 'detect'; pipeline: DetectionPipeline; results?: { sink: RecordSink; topic: string } }
  | { role: 'ingest'; sink: RecordSink; topic: string };

export interface CameraManagerDeps {
  cameras: readonly CameraConfig[];
  ffmpegPath: string;
  output: CameraOutput;
  metrics: CameraMetrics;
  kafka: KafkaRecorder;
  logger: Logger;
}

export interface LastDetection {
  frame: CameraFrame;
  result: DetectionResponse;
}

/** A camera as GET /api/v1/cameras shows it. */
export interface CameraView {
  id: string;
  state: string;
  url: string;
  enabled: boolean;
  detect_fps: number;
  stall_timeout_s: number;
  frames: number;
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

export class CameraManager {
  private readonly cameras = new Map<string, Camera>();
  private readonly last = new Map<Camera, LastDetection>();
  /** Raw frame buffers per camera, reused once dropped or superseded (detect role). */
  private readonly pools = new Map<Camera, FramePool>();
  private readonly scheduler: FrameScheduler<Camera, CameraFrame>;
  private readonly frameOutput: FrameOutput;
  private readonly log: Logger;
  private publishFailing = false;

  constructor(private readonly deps: CameraManagerDeps) {
    this.log = deps.logger.child({ component: 'cameras' });
    const { output } = deps;
    this.frameOutput =
      output.role === 'detect' ? { format: 'rgb', ...output.pipeline.inputSize } : { format: 'jpeg', quality: INGEST_JPEG_QUALITY };
    const inFlight = output.role === 'detect' ? Math.max(1, output.pipeline.concurrency) : INGEST_IN_FLIGHT;
    this.scheduler = new FrameScheduler(
      inFlight,
      (camera, frame) => (output.role === 'detect' ? this.detect(output, camera, frame) : this.produce(output, camera, frame)),
      // A dropped frame is no longer the camera's latest (a newer one replaced it) and was never detected.
      (camera, frame) => this.pools.get(camera)?.give(frame.data),
    );
    const outcomes: FrameOutcome[] = output.role === 'detect' ? ['detected', 'dropped', 'failed'] : ['produced', 'dropped', 'failed'];
    for (const config of deps.cameras) {
      const redact = redactor(config.url);
      const pool = this.frameOutput.format === 'rgb' ? new FramePool(this.frameOutput.width * this.frameOutput.height * 3) : undefined;
      const camera = new Camera({
        config,
        recorder: config.enabled ? deps.metrics.camera(config.id, outcomes) : NO_CAMERA_RECORDER,
        logger: this.log,
        spawn: (handlers) =>
          startFfmpeg(
            {
              ffmpegPath: deps.ffmpegPath,
              args: ffmpegArgs(config, this.frameOutput),
              output: this.frameOutput,
              maxJpegBytes: MAX_JPEG_BYTES,
              redact,
              pool,
            },
            handlers,
          ),
        onFrame: (source, frame) => this.scheduler.offer(source, frame),
      });
      this.cameras.set(config.id, camera);
      if (pool !== undefined) this.pools.set(camera, pool);
      this.scheduler.add(camera);
    }
  }

  start(): void {
    for (const camera of this.cameras.values()) camera.start();
    const enabled = [...this.cameras.values()].filter((camera) => camera.config.enabled).length;
    this.log.info({ cameras: this.cameras.size, enabled, role: this.deps.output.role, frame: this.frameOutput }, 'cameras started');
  }

  /** Stops every ffmpeg (waiting for each to exit), then lets the frames in flight finish. */
  async stop(): Promise<void> {
    await Promise.all([...this.cameras.values()].map((camera) => camera.stop()));
    await this.scheduler.drain();
  }

  get(id: string): Camera | undefined {
    return this.cameras.get(id);
  }

  list(): Camera[] {
    return [...this.cameras.values()];
  }

  view(camera: Camera): CameraView {
    const { counts, config, health } = camera;
    const last = this.last.get(camera);
    const frame = camera.latestFrame;
    return {
      id: camera.id,
      state: health.state,
      url: camera.maskedUrl,
      enabled: config.enabled,
      detect_fps: config.detectFps,
      stall_timeout_s: config.stallTimeoutSeconds,
      frames: counts.frames,
      detected: counts.detected,
      dropped: counts.dropped,
      failed: counts.failed,
      ...(this.deps.output.role === 'ingest' ? { produced: counts.produced } : {}),
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

  /**
   * JPEG of the newest frame; annotated: the last detected frame with its boxes and groups.
   * Undefined when the camera has not sent such a frame yet.
   */
  async snapshot(camera: Camera, annotate: boolean): Promise<Buffer | undefined> {
    const input = this.frameOutput.format === 'rgb' ? this.frameOutput : { width: 0, height: 0 };
    const last = annotate ? this.last.get(camera) : undefined;
    const frame = annotate ? last?.frame : camera.latestFrame;
    if (frame === undefined) return undefined;
    // A copy: the frame's buffer may be refilled with a newer frame while sharp encodes.
    return snapshotJpeg({ ...frame, data: Buffer.from(frame.data), format: this.frameOutput.format }, input, last?.result);
  }

  private async detect(output: Extract<CameraOutput, { role: 'detect' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const { width, height } = output.pipeline.inputSize;
    // A copy goes to the worker (its buffer is transferred), the frame stays for snapshots.
    const pixels = new Uint8Array(frame.data);
    const result = await output.pipeline.detectLetterboxed(
      { pixels, sourceWidth: frame.sourceWidth ?? width, sourceHeight: frame.sourceHeight ?? height },
      camera.id,
    );
    if (!result.ok) {
      this.log.debug({ camera_id: camera.id, reason: result.error.code, err: result.error.message }, 'camera frame not detected');
      return 'failed';
    }
    const previous = this.last.get(camera);
    this.last.set(camera, { frame, result: result.value });
    // The superseded detected frame: older than this one, so no longer the latest either.
    if (previous !== undefined && previous.frame !== camera.latestFrame) this.pools.get(camera)?.give(previous.frame.data);
    if (output.results !== undefined) await this.publish(output.results, camera.id, JSON.stringify(result.value));
    return 'detected';
  }

  private async produce(output: Extract<CameraOutput, { role: 'ingest' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const headers = {
      [FRAME_HEADERS.contentType]: 'image/jpeg',
      [FRAME_HEADERS.frameId]: `${camera.id}-${randomUUID()}`,
      [FRAME_HEADERS.captureTs]: String(frame.receivedAt),
    };
    return (await this.publish(output, camera.id, frame.data, headers)) ? 'produced' : 'failed';
  }

  /** Sends one record; failures are counted and logged once per outage. */
  private async publish(
    target: { sink: RecordSink; topic: string },
    key: string,
    value: Buffer | string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<boolean> {
    try {
      await target.sink.send(target.topic, [{ key, value, headers }]);
      this.deps.kafka.produced(target.topic);
      if (this.publishFailing) this.log.info({ topic: target.topic }, 'camera output reaches kafka again');
      this.publishFailing = false;
      return true;
    } catch (error) {
      this.deps.kafka.failed(target.topic, 'publish_failed');
      if (!this.publishFailing)
        this.log.warn(
          { topic: target.topic, err: error instanceof Error ? error.message : String(error) },
          'camera output could not be sent to kafka',
        );
      this.publishFailing = true;
      return false;
    }
  }
}
