// Detector for ONNX detection models (the built-in CenterNet, or a YOLOv8 / YOLO11 export):
// frames decoded on the main thread (libvips, asynchronous; scaled down there when larger
// than the model input), letterboxed into the input tensor and run in a worker thread,
// boxes mapped back to original pixels, clipped, and dropped when nothing is left of them.
import { availableMemory, cpuBudget, workerCount, type ConcurrencySetting, type WorkerCount } from './concurrency.js';
import { decodePixels, type PixelSize } from './decode.js';
import { letterboxGeometry, toDetectedObjects, type LetterboxGeometry } from './letterbox.js';
import type { Detector, DetectorOutput, EncodedImage, LetterboxedFrame } from './types.js';
import type { EngineSpec } from './worker/protocol.js';
import { WorkerPool } from './worker/worker-pool.js';

/** How many workers run and why (logged at start-up). */
export interface DetectorSizing extends WorkerCount {
  threads: number;
  /** The first worker's resident size, measured as it loaded the model. */
  workerBytes: number;
}

export class OnnxDetector implements Detector {
  private constructor(
    private readonly pool: WorkerPool,
    readonly sizing: DetectorSizing,
  ) {}

  /** Starts the workers: a fixed count, or one per CPU algo may use (`auto`, see concurrency.ts). */
  static async load(spec: EngineSpec, setting: ConcurrencySetting, onWorkerExit?: (message: string) => void): Promise<OnnxDetector> {
    let count: WorkerCount = { workers: 1, reason: '' };
    const pool = await WorkerPool.start(
      spec,
      (workerBytes) => {
        count = workerCount(setting, spec.threads, cpuBudget(), { availableBytes: availableMemory(), workerBytes });
        return count.workers;
      },
      onWorkerExit,
    );
    return new OnnxDetector(pool, { ...count, threads: spec.threads, workerBytes: pool.workerBytes });
  }

  get modelType(): string {
    return this.pool.info.modelType;
  }

  get classNames(): readonly string[] {
    return this.pool.info.classNames;
  }

  get inputSize(): PixelSize {
    return { width: this.pool.info.inputWidth, height: this.pool.info.inputHeight };
  }

  async detect(image: EncodedImage): Promise<DetectorOutput> {
    const start = performance.now();
    const geometry = letterboxGeometry(image.width, image.height, this.pool.info.inputWidth, this.pool.info.inputHeight);
    // libvips reduces (antialiased, with JPEG shrink-on-load) far faster than it enlarges;
    // enlarging is left to the worker's letterbox pass.
    const size = geometry.scale < 1 ? { width: geometry.resizedWidth, height: geometry.resizedHeight } : image;
    const pixels = await decodePixels(image, size);
    const decodeMs = performance.now() - start;
    return this.run({ pixels, width: size.width, height: size.height }, geometry, geometry, image, decodeMs);
  }

  /** A frame already letterboxed to inputSize (camera frames: ffmpeg scales and pads them); boxes in source pixels. */
  detectLetterboxed(frame: LetterboxedFrame): Promise<DetectorOutput> {
    const { inputWidth, inputHeight } = this.pool.info;
    if (frame.pixels.length !== inputWidth * inputHeight * 3) {
      return Promise.reject(
        new Error(`letterboxed frame has ${frame.pixels.length} bytes, the detector wants ${inputWidth}x${inputHeight} RGB`),
      );
    }
    // The worker gets an identity geometry, so it only lays the bytes out as the model wants;
    // boxes are mapped back through the letterbox the frame was made with.
    const identity: LetterboxGeometry = {
      scale: 1,
      padLeft: 0,
      padTop: 0,
      resizedWidth: inputWidth,
      resizedHeight: inputHeight,
      inputWidth,
      inputHeight,
    };
    const source = { width: frame.sourceWidth, height: frame.sourceHeight };
    return this.run(
      { pixels: frame.pixels, width: inputWidth, height: inputHeight },
      identity,
      letterboxGeometry(source.width, source.height, inputWidth, inputHeight),
      source,
      0,
    );
  }

  /** Runs pixels on the pool with `into` (where they go in the input); boxes map back through `back`. */
  private async run(
    frame: { pixels: Uint8Array; width: number; height: number },
    into: LetterboxGeometry,
    back: LetterboxGeometry,
    original: PixelSize,
    decodeMs: number,
  ): Promise<DetectorOutput> {
    const { candidates, timings } = await this.pool.run(frame.pixels, frame.width, frame.height, into);
    const post = performance.now();
    const objects = toDetectedObjects(candidates, back, original, this.pool.info.classNames);
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
