// The built-in people detector (OpenCV HOG), used when no model is configured. Frames are
// decoded scaled so the longer side is at most 640 px, detected in a worker, and mapped back.
import { decodePixels } from './decode.js';
import { fitGeometry, unletterbox } from './letterbox.js';
import type { DetectedObject, Detector, DetectorOutput, EncodedImage } from './types.js';
import { HOG_MAX_SIDE } from './worker/hog-engine.js';
import type { HogEngineSpec } from './worker/protocol.js';
import { WorkerPool } from './worker/worker-pool.js';

export class HogDetector implements Detector {
  readonly modelType = 'hog-people';
  private constructor(private readonly pool: WorkerPool) {}

  static async load(spec: HogEngineSpec, workers: number, onWorkerExit?: (message: string) => void): Promise<HogDetector> {
    return new HogDetector(await WorkerPool.start(spec, workers, onWorkerExit));
  }

  async detect(image: EncodedImage): Promise<DetectorOutput> {
    const start = performance.now();
    const geometry = fitGeometry(image.width, image.height, HOG_MAX_SIDE);
    const pixels = await decodePixels(image, { width: geometry.inputWidth, height: geometry.inputHeight });
    const decodeMs = performance.now() - start;
    const { candidates, timings } = await this.pool.run(pixels, geometry.inputWidth, geometry.inputHeight);
    const post = performance.now();
    const objects: DetectedObject[] = candidates.map((candidate) => ({
      label: 'person',
      class_id: 0,
      score: Math.round(candidate.score * 10_000) / 10_000,
      box: unletterbox(candidate.x1, candidate.y1, candidate.x2, candidate.y2, geometry, image.width, image.height),
    }));
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
