// The built-in people detector (OpenCV HOG), used when no model is configured. Frames are
// scaled so the longer side is at most 640 px, detected in a worker, and mapped back.
import sharp from 'sharp';
import type { DetectedObject, Detector, DetectorOutput, RgbImage } from './types.js';
import { round2 } from './letterbox.js';
import { HOG_MAX_SIDE } from './worker/hog-engine.js';
import type { HogEngineSpec } from './worker/protocol.js';
import { WorkerPool } from './worker/worker-pool.js';

export class HogDetector implements Detector {
  readonly modelType = 'hog-people';
  private constructor(private readonly pool: WorkerPool) {}

  static async load(spec: HogEngineSpec, workers: number, onWorkerExit?: (message: string) => void): Promise<HogDetector> {
    return new HogDetector(await WorkerPool.start(spec, workers, onWorkerExit));
  }

  async detect(image: RgbImage): Promise<DetectorOutput> {
    const start = performance.now();
    const scale = Math.min(1, HOG_MAX_SIDE / Math.max(image.width, image.height));
    let { data, width, height } = image;
    if (scale < 1) {
      width = Math.max(1, Math.round(image.width * scale));
      height = Math.max(1, Math.round(image.height * scale));
      data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer();
    }
    const resizeMs = performance.now() - start;
    const { candidates, timings } = await this.pool.run(data, width, height);
    const post = performance.now();
    const sx = image.width / width;
    const sy = image.height / height;
    const objects: DetectedObject[] = candidates.map((candidate) => ({
      label: 'person',
      class_id: 0,
      score: Math.round(candidate.score * 10_000) / 10_000,
      box: {
        x: round2(candidate.x1 * sx),
        y: round2(candidate.y1 * sy),
        width: round2(Math.min(candidate.x2 * sx, image.width) - candidate.x1 * sx),
        height: round2(Math.min(candidate.y2 * sy, image.height) - candidate.y1 * sy),
      },
    }));
    return { objects, timings: { preprocess: resizeMs + timings.preprocess, inference: timings.inference, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
