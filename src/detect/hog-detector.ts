// The built-in people detector (OpenCV HOG), used when no model is configured. Frames are
// decoded scaled so the longer side is at most 640 px, detected in a worker, and mapped back.
import { decodePixels } from './decode.js';
import { fitGeometry } from './letterbox.js';
import { candidatesToObjects, detectLetterboxed } from './letterboxed-frame.js';
import type { Detector, DetectorOutput, EncodedImage, LetterboxedFrame } from './types.js';
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
    const objects = candidatesToObjects(candidates, this.pool.info.classNames, geometry, image.width, image.height);
    return { objects, timings: { ...timings, decode: decodeMs, postprocess: timings.postprocess + performance.now() - post } };
  }

  /** Camera frames come padded to HOG_MAX_SIDE square; the gray padding holds no people. */
  get inputSize(): { width: number; height: number } {
    return { width: this.pool.info.inputWidth, height: this.pool.info.inputHeight };
  }

  detectLetterboxed(frame: LetterboxedFrame): Promise<DetectorOutput> {
    return detectLetterboxed(this.pool, frame);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
