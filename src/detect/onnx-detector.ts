// Detector for ONNX detection models (the built-in CenterNet, or a YOLOv8 / YOLO11 export):
// frames decoded on the main thread (libvips, asynchronous; scaled down there when larger
// than the model input), letterboxed into the input tensor and run in a worker thread,
// boxes mapped back to original pixels, clipped, and dropped when nothing is left of them.
import { decodePixels, type PixelSize } from './decode.js';
import { letterboxGeometry, toDetectedObjects, type LetterboxGeometry } from './letterbox.js';
import type { Detector, DetectorOutput, EncodedImage, RgbFrame } from './types.js';
import type { EngineSpec } from './worker/protocol.js';
import { WorkerPool } from './worker/worker-pool.js';

export class OnnxDetector implements Detector {
  private constructor(private readonly pool: WorkerPool) {}

  static async load(spec: EngineSpec, workers: number, onWorkerExit?: (message: string) => void): Promise<OnnxDetector> {
    return new OnnxDetector(await WorkerPool.start(spec, workers, onWorkerExit));
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

  frameSize(width: number, height: number): PixelSize {
    const geometry = letterboxGeometry(width, height, this.pool.info.inputWidth, this.pool.info.inputHeight);
    return { width: geometry.resizedWidth, height: geometry.resizedHeight };
  }

  async detect(image: EncodedImage): Promise<DetectorOutput> {
    const start = performance.now();
    const geometry = letterboxGeometry(image.width, image.height, this.pool.info.inputWidth, this.pool.info.inputHeight);
    // libvips reduces (antialiased, with JPEG shrink-on-load) far faster than it enlarges;
    // enlarging is left to the worker's letterbox pass.
    const size = geometry.scale < 1 ? { width: geometry.resizedWidth, height: geometry.resizedHeight } : image;
    const pixels = await decodePixels(image, size);
    const decodeMs = performance.now() - start;
    return this.run({ pixels, width: size.width, height: size.height }, geometry, image, decodeMs);
  }

  detectPixels(frame: RgbFrame, original: PixelSize = frame): Promise<DetectorOutput> {
    const geometry = letterboxGeometry(original.width, original.height, this.pool.info.inputWidth, this.pool.info.inputHeight);
    return this.run(frame, geometry, original, 0);
  }

  private async run(frame: RgbFrame, geometry: LetterboxGeometry, original: PixelSize, decodeMs: number): Promise<DetectorOutput> {
    const { candidates, timings } = await this.pool.run(frame.pixels, frame.width, frame.height, geometry);
    const post = performance.now();
    const objects = toDetectedObjects(candidates, geometry, original, this.pool.info.classNames);
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
