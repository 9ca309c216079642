// Detector for Ultralytics-exported YOLOv8 / YOLO11 detection models: decoded on the main
// thread (libvips, asynchronous; scaled down there when the frame is larger than the model
// input), letterboxed into the input tensor and run in a worker thread, boxes mapped back to
// original pixels.
import { decodePixels } from './decode.js';
import { letterboxGeometry } from './letterbox.js';
import { candidatesToObjects, detectLetterboxed } from './letterboxed-frame.js';
import type { Detector, DetectorOutput, EncodedImage, LetterboxedFrame } from './types.js';
import type { YoloEngineSpec } from './worker/protocol.js';
import { WorkerPool } from './worker/worker-pool.js';

export class YoloDetector implements Detector {
  private constructor(private readonly pool: WorkerPool) {}

  static async load(spec: YoloEngineSpec, workers: number, onWorkerExit?: (message: string) => void): Promise<YoloDetector> {
    return new YoloDetector(await WorkerPool.start(spec, workers, onWorkerExit));
  }

  get modelType(): string {
    return this.pool.info.modelType;
  }

  get inputSize(): { width: number; height: number } {
    return { width: this.pool.info.inputWidth, height: this.pool.info.inputHeight };
  }

  detectLetterboxed(frame: LetterboxedFrame): Promise<DetectorOutput> {
    return detectLetterboxed(this.pool, frame);
  }

  get classNames(): readonly string[] {
    return this.pool.info.classNames;
  }

  async detect(image: EncodedImage): Promise<DetectorOutput> {
    const { inputWidth, inputHeight, classNames } = this.pool.info;
    const start = performance.now();
    const geometry = letterboxGeometry(image.width, image.height, inputWidth, inputHeight);
    // libvips reduces (antialiased, with JPEG shrink-on-load) far faster than it enlarges;
    // enlarging is left to the worker's letterbox pass.
    const size = geometry.scale < 1 ? { width: geometry.resizedWidth, height: geometry.resizedHeight } : image;
    const pixels = await decodePixels(image, size);
    const decodeMs = performance.now() - start;
    const { candidates, timings } = await this.pool.run(pixels, size.width, size.height, geometry);
    const post = performance.now();
    const objects = candidatesToObjects(candidates, classNames, geometry, image.width, image.height);
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
