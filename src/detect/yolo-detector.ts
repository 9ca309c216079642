// Detector for Ultralytics-exported YOLOv8 / YOLO11 detection models: letterbox on the main
// thread with sharp (asynchronous, libvips), inference in worker threads, boxes mapped back
// to original pixels.
import type { DetectedObject, Detector, DetectorOutput, RgbImage } from './types.js';
import { letterbox, letterboxGeometry, round2, unletterbox } from './letterbox.js';
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

  async detect(image: RgbImage): Promise<DetectorOutput> {
    const { inputWidth, inputHeight, classNames } = this.pool.info;
    const start = performance.now();
    const geometry = letterboxGeometry(image.width, image.height, inputWidth, inputHeight);
    const pixels = await letterbox(image, geometry);
    const letterboxMs = performance.now() - start;
    const { candidates, timings } = await this.pool.run(pixels, inputWidth, inputHeight);
    const post = performance.now();
    const objects: DetectedObject[] = candidates.map((candidate) => ({
      label: classNames[candidate.classId] ?? `class_${candidate.classId}`,
      class_id: candidate.classId,
      score: Math.round(candidate.score * 10_000) / 10_000,
      box: unletterbox(candidate.x1, candidate.y1, candidate.x2, candidate.y2, geometry, image.width, image.height),
    }));
    return {
      objects,
      timings: { preprocess: letterboxMs + timings.preprocess, inference: timings.inference, postprocess: timings.postprocess + performance.now() - post },
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
