// One frame from encoded bytes (or, for cameras, raw RGB already letterboxed by ffmpeg) to the
// API answer: queue → decode → detector → groups, timed per stage. Every outcome is recorded: recordDetection on success, detection_errors_total
// with the error code as reason on failure. Bad frames are normal, so failures come back as
// values rather than exceptions.
import type { DetectConfig } from './detect-config.js';
import { isAlgoError, modelError, type AlgoError, messageOf } from '../errors.js';
import type { DetectionRecorder } from '../metrics/recorders/detection-metrics.js';
import { createDetector } from './create-detector.js';
import type { DetectorSizing } from './onnx-detector.js';
import { probeImage } from './decode.js';
import { groupPeople, type GroupingOptions } from './group-people.js';
import { DetectionQueue } from './queue.js';
import type { DetectedObject, DetectionResponse, Detector, DetectorOutput, LetterboxedFrame, PersonGroup, Result } from './types.js';

export interface PipelineOptions {
  maxImagePixels: number;
  /** Frames detected at once (the detector workers); 1 when not given. */
  concurrency?: number;
  /** How the workers were chosen, when the pipeline made its own detector. */
  sizing?: DetectorSizing;
  grouping: GroupingOptions;
}

const ms = (value: number): number => Math.round(value * 1000) / 1000;

export class DetectionPipeline {
  constructor(
    private readonly detector: Detector,
    private readonly queue: DetectionQueue,
    private readonly recorder: DetectionRecorder,
    private readonly options: PipelineOptions,
  ) {}

  get modelType(): string {
    return this.detector.modelType;
  }

  /** The labels the model can give; undefined when the detector does not say. */
  get classNames(): readonly string[] | undefined {
    return this.detector.classNames;
  }

  /** Frames running and waiting in the queue now. */
  get load(): { running: number; waiting: number; maxWaiting: number } {
    return this.queue.load;
  }

  /** Frames detected at once. */
  get concurrency(): number {
    return this.options.concurrency ?? 1;
  }

  /** How many workers run, with how many threads, and why. */
  get sizing(): DetectorSizing | undefined {
    return this.options.sizing;
  }

  /** The detector's input size: what letterboxed frames (detectLetterboxed) must have. */
  get inputSize(): { width: number; height: number } {
    return this.detector.inputSize;
  }

  /**
   * Detects one encoded frame (JPEG, PNG, WebP: HTTP and Kafka frames). `signal` is the
   * requester going away: while the frame waits in the queue that cancels it (`client_closed`,
   * the detector never sees it); once running it completes. `declaredType` is the sender's
   * content type, named in the error when the bytes are another format.
   */
  detect(encoded: Buffer, cameraId: string, signal?: AbortSignal, declaredType?: string): Promise<Result<DetectionResponse, AlgoError>> {
    return this.record(cameraId, () => this.runEncoded(encoded, cameraId, declaredType), signal);
  }

  /** Raw RGB already letterboxed to inputSize (camera frames): no decode; boxes in source pixels. */
  detectLetterboxed(frame: LetterboxedFrame, cameraId: string): Promise<Result<DetectionResponse, AlgoError>> {
    return this.record(cameraId, () => this.runLetterboxed(frame, cameraId));
  }

  private async record(
    cameraId: string,
    work: () => Promise<DetectionResponse>,
    signal?: AbortSignal,
  ): Promise<Result<DetectionResponse, AlgoError>> {
    try {
      const value = await this.queue.run(work, signal);
      this.recorder.recordDetection({
        cameraId,
        modelType: value.model_type,
        latencySeconds: value.timings_ms.total / 1000,
        numObjects: value.objects.length,
        numGroups: value.groups.length,
      });
      return { ok: true, value };
    } catch (thrown) {
      const error = isAlgoError(thrown) ? thrown : modelError(`Detector failed: ${messageOf(thrown)}`, thrown);
      this.recorder.recordDetectionError(error.code);
      return { ok: false, error };
    }
  }

  /** Records a frame refused before detection (bad message, bad request) like any other failure. */
  refuse(error: AlgoError): { ok: false; error: AlgoError } {
    this.recorder.recordDetectionError(error.code);
    return { ok: false, error };
  }

  private async runEncoded(encoded: Buffer, cameraId: string, declaredType: string | undefined): Promise<DetectionResponse> {
    const start = performance.now();
    const image = await probeImage(encoded, this.options.maxImagePixels, declaredType);
    const probed = performance.now();
    return this.respond(cameraId, image, await this.detector.detect(image), start, probed - start);
  }

  private async runLetterboxed(frame: LetterboxedFrame, cameraId: string): Promise<DetectionResponse> {
    const start = performance.now();
    return this.respond(
      cameraId,
      { width: frame.sourceWidth, height: frame.sourceHeight },
      await this.detector.detectLetterboxed(frame),
      start,
      0,
    );
  }

  private respond(
    cameraId: string,
    image: { width: number; height: number },
    { objects, timings }: DetectorOutput,
    start: number,
    probeMs: number,
  ): DetectionResponse {
    const grouping = performance.now();
    const groups = groupPeople(objects, this.options.grouping);
    const end = performance.now();
    return {
      camera_id: cameraId,
      model_type: this.detector.modelType,
      image: { width: image.width, height: image.height },
      objects,
      groups,
      timings_ms: {
        decode: ms(probeMs + timings.decode),
        preprocess: ms(timings.preprocess),
        inference: ms(timings.inference),
        postprocess: ms(timings.postprocess + end - grouping),
        total: ms(end - start),
      },
    };
  }

  close(): Promise<void> {
    return this.detector.close();
  }
}

/** The pipeline as configured: detector workers, bounded queue and grouping from DetectConfig. */
export async function createPipeline(
  config: DetectConfig,
  recorder: DetectionRecorder,
  onWorkerExit?: (message: string) => void,
): Promise<DetectionPipeline> {
  const detector = await createDetector(config, onWorkerExit);
  const { workers } = detector.sizing;
  return new DetectionPipeline(detector, new DetectionQueue(workers, config.queueSize), recorder, {
    maxImagePixels: config.maxImagePixels,
    concurrency: workers,
    sizing: detector.sizing,
    grouping: { distance: config.groupDistance, minSize: config.groupMinSize },
  });
}
