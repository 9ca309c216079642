// Detector for Ultralytics-exported YOLOv8 / YOLO11 detection models: decoded on the main
// thread (libvips, asynchronous; scaled down there when the frame is larger than the model
// input), letterboxed into the input tensor and run in a worker thread, boxes mapped back to
// original pixels.
import { decodePixels } from './decode.js';
import { letterboxGeometry, unletterbox } from './letterbox.js';
import type { DetectedObject, Detector, DetectorOutput, EncodedImage } from './types.js';
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
    const objects: DetectedObject[] = candidates.map((candidate) => ({
      label: classNames[candidate.classId] ?? `class_${candidate.classId}`,
      class_id: candidate.classId,
      score: Math.round(candidate.score * 10_000) / 10_000,
      box: unletterbox(candidate.x1, candidate.y1, candidate.x2, candidate.y2, geometry, image.width, image.height),
    }));
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
