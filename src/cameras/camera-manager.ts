// All configured cameras: their ffmpeg readers, the scheduler that hands their newest frames
// to the frame router (frame-routing.ts) in turn, and what the API shows of them. In the
// detector role ffmpeg sends raw RGB letterboxed to the detector's input size; in the ingest
// role, JPEG.
import type { Logger } from 'pino';
import { NO_CAMERA_RECORDER, type CameraMetrics, type FrameOutcome } from '../metrics/recorders/camera-metrics.js';
import type { KafkaRecorder } from '../metrics/recorders/kafka-metrics.js';
import { Camera, type CameraFrame } from './camera.js';
import { cameraView, type CameraView } from './camera-view.js';
import { FrameRouter, type CameraOutput } from './frame-routing.js';
import type { CameraConfig } from './camera-config.js';
import { ffmpegArgs, followsResolutionChange, type FrameOutput } from './ffmpeg-args.js';
import { FramePool } from './frame-pool.js';
import { startFfmpeg } from './ffmpeg-process.js';
import { redactor } from '../redact.js';
import type { Scenes } from '../scene/scenes.js';
import { FrameScheduler } from './frame-scheduler.js';
import { snapshotJpeg } from './snapshot.js';

/** Largest JPEG frame accepted from ffmpeg in the ingest role. */
const MAX_JPEG_BYTES = 16 * 1024 * 1024;
const INGEST_IN_FLIGHT = 8;
const INGEST_JPEG_QUALITY = 3;

export interface CameraManagerDeps {
  cameras: readonly CameraConfig[];
  ffmpegPath: string;
  output: CameraOutput;
  metrics: CameraMetrics;
  kafka: KafkaRecorder;
  logger: Logger;
  /** The tracked cameras' scenes (detect role). */
  scenes?: Scenes | undefined;
}

export class CameraManager {
  private readonly cameras = new Map<string, Camera>();
  /** Raw frame buffers per camera, reused once dropped or superseded (detect role). */
  private readonly pools = new Map<Camera, FramePool>();
  private readonly scheduler: FrameScheduler<Camera, CameraFrame>;
  private readonly frameOutput: FrameOutput;
  private readonly router: FrameRouter;
  private readonly log: Logger;

  constructor(private readonly deps: CameraManagerDeps) {
    this.log = deps.logger.child({ component: 'cameras' });
    const { output } = deps;
    this.frameOutput =
      output.role === 'detect'
        ? { format: 'rgb', ...output.pipeline.inputSize, view: VIEW_OUTPUT }
        : { format: 'jpeg', quality: INGEST_JPEG_QUALITY };
    const inFlight = output.role === 'detect' ? Math.max(1, output.pipeline.concurrency) : INGEST_IN_FLIGHT;
    this.router = new FrameRouter(output, this.pools, deps.kafka, this.log, deps.scenes);
    this.scheduler = new FrameScheduler(
      inFlight,
      (camera, frame) => this.router.route(camera, frame),
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
        followsResolutionChange: followsResolutionChange(this.frameOutput),
        onFrame: (source, frame) => this.scheduler.offer(source, frame),
        // Nothing can be seen while it is down: its tracks end (no one stays "in the zone").
        onDown: (source) => void this.router.cameraDown(source),
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

  /** The last JPEG made per camera, with the frame (or detection) it was made from. */
  private readonly snapshots = new Map<Camera, { source: object; annotate: boolean; jpeg: Promise<Buffer> }>();
  /** The same for the camera-resolution view frames (`full`): the view frame and the detection drawn on it. */
  private readonly fullSnapshots = new Map<Camera, { view: CameraFrame; last: object | undefined; jpeg: Promise<Buffer> }>();

  get(id: string): Camera | undefined {
    return this.cameras.get(id);
  }

  list(): Camera[] {
    return [...this.cameras.values()];
  }

  view(camera: Camera): CameraView {
    return cameraView(camera, this.router.lastDetection(camera), this.deps.output.role);
  }

  /**
   * JPEG of the newest frame; annotated: the last detected frame with its boxes and groups.
   * Undefined when the camera has not sent such a frame yet.
   */
  snapshot(camera: Camera, annotate: boolean, full = false): Promise<Buffer | undefined> {
    if (full && camera.latestView !== undefined) return this.fullSnapshot(camera, camera.latestView, annotate);
    const input = this.frameOutput.format === 'rgb' ? this.frameOutput : { width: 0, height: 0 };
    const last = annotate ? this.router.lastDetection(camera) : undefined;
    const frame = annotate ? last?.frame : camera.latestFrame;
    if (frame === undefined) return Promise.resolve(undefined);
    // Encoded once per frame (and kind): every viewer of the same frame gets the same JPEG.
    const source = last ?? frame;
    const cached = this.snapshots.get(camera);
    if (cached !== undefined && cached.source === source && cached.annotate === annotate) return cached.jpeg;
    const scene = annotate ? this.deps.scenes?.view(camera.id) : undefined;
    // A copy: the frame's buffer may be refilled with a newer frame while sharp encodes.
    const jpeg = snapshotJpeg({ ...frame, data: Buffer.from(frame.data), format: this.frameOutput.format }, input, last?.result, scene);
    this.snapshots.set(camera, { source, annotate, jpeg });
    jpeg.catch(() => this.snapshots.delete(camera));
    return jpeg;
  }

  /**
   * The camera's newest view frame (its own resolution, long side ≤ 1280) as JPEG; annotated:
   * with the last detection's boxes (at most a second older or newer than the picture) and the
   * camera's zones and lines. Made once per view frame and detection, whoever asks.
   */
  private fullSnapshot(camera: Camera, view: CameraFrame, annotate: boolean): Promise<Buffer> {
    const last = annotate ? this.router.lastDetection(camera) : undefined;
    // Unannotated (or nothing detected yet), the view frame is already the JPEG.
    if (last === undefined) return Promise.resolve(view.data);
    const cached = this.fullSnapshots.get(camera);
    if (cached !== undefined && cached.view === view && cached.last === last) return cached.jpeg;
    const jpeg = snapshotJpeg({ ...view, format: 'jpeg' }, { width: 0, height: 0 }, last.result, this.deps.scenes?.view(camera.id));
    this.fullSnapshots.set(camera, { view, last, jpeg });
    jpeg.catch(() => this.fullSnapshots.delete(camera));
    return jpeg;
  }
}

/** The console's large picture: from the same ffmpeg, at the camera's resolution up to 1280 px, once a second. */
const VIEW_OUTPUT = { maxSide: 1280, fps: 1, quality: 5 };
