// Detector for ONNX detection models (the built-in CenterNet, or a YOLOv8 / YOLO11 export):
// frames decoded on the main thread (libvips, asynchronous; scaled down there when larger
// than the model input), letterboxed into the input tensor and run in a worker thread,
// boxes mapped back to original pixels, clipped, and dropped when nothing is left of them.
import { decodePixels, type PixelSize } from './decode.js';
import { letterboxGeometry, unletterbox, type LetterboxGeometry } from './letterbox.js';
import type { Candidate } from './nms.js';
import type { DetectedObject, Detector, DetectorOutput, EncodedImage, RgbFrame } from './types.js';
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
    const objects = this.toObjects(candidates, geometry, original);
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  private toObjects(candidates: readonly Candidate[], geometry: LetterboxGeometry, original: PixelSize): DetectedObject[] {
    const objects: DetectedObject[] = [];
    for (const candidate of candidates) {
      const box = unletterbox(candidate.x1, candidate.y1, candidate.x2, candidate.y2, geometry, original.width, original.height);
      if (box.width <= 0 || box.height <= 0) continue;
      objects.push({
        label: this.pool.info.classNames[candidate.classId] ?? `class_${candidate.classId}`,
        class_id: candidate.classId,
        score: Math.round(candidate.score * 10_000) / 10_000,
        box,
      });
    }
    return objects;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
