// OpenCV's HOG + linear SVM people detector (Dalal–Triggs): needs no downloaded weights,
// so a fresh install detects people out of the box. Runs inside a detector worker.
import { nonMaxSuppression, type Candidate } from '../nms.js';
import type { Engine, FrameRequest, HogEngineSpec } from './protocol.js';
import { loadOpenCv, openCvErrorMessage } from './opencv.js';

/** HOG works on frames scaled so the longer side is at most this. */
export const HOG_MAX_SIDE = 640;
const WINDOW_WIDTH = 64;
const WINDOW_HEIGHT = 128;

export async function loadHogEngine(spec: HogEngineSpec): Promise<Engine> {
  const { cv } = await loadOpenCv();
  const hog = new cv.HOGDescriptor();
  const coefficients = cv.HOGDescriptor.getDefaultPeopleDetector();
  // setSVMDetector needs a CV_32F Mat; the default detector comes back as a vector.
  const detector = new cv.Mat(coefficients.size(), 1, cv.CV_32F);
  for (let i = 0; i < coefficients.size(); i++) detector.data32F[i] = coefficients.get(i);
  coefficients.delete();
  hog.setSVMDetector(detector);
  const winStride = new cv.Size(8, 8);
  const padding = new cv.Size(8, 8);

  return {
    info: { modelType: 'hog-people', classNames: ['person'], inputWidth: HOG_MAX_SIDE, inputHeight: HOG_MAX_SIDE },
    async run(frame: FrameRequest) {
      if (frame.width < WINDOW_WIDTH || frame.height < WINDOW_HEIGHT) {
        return { candidates: [], timings: { preprocess: 0, inference: 0, postprocess: 0 } };
      }
      const start = performance.now();
      const image = cv.matFromArray(frame.height, frame.width, cv.CV_8UC3, frame.pixels);
      const found = new cv.RectVector();
      const weights = new cv.DoubleVector();
      const ran = performance.now();
      try {
        hog.detectMultiScale(image, found, weights, 0, winStride, padding, 1.05, 2, false);
      } catch (error) {
        throw new Error(`HOG detection failed: ${openCvErrorMessage(cv, error)}`);
      } finally {
        image.delete();
      }
      const inference = performance.now() - ran;
      const post = performance.now();
      const candidates: Candidate[] = [];
      for (let i = 0; i < found.size(); i++) {
        const rect = found.get(i);
        // SVM margins: about 0 at the decision boundary, ~1 for a clear person.
        const score = Math.min(1, Math.max(0, weights.get(i)));
        if (score < spec.confidenceThreshold) continue;
        candidates.push({ classId: 0, score, x1: rect.x, y1: rect.y, x2: rect.x + rect.width, y2: rect.y + rect.height });
      }
      found.delete();
      weights.delete();
      const kept = nonMaxSuppression(candidates, spec.iouThreshold, spec.maxDetections);
      return { candidates: kept, timings: { preprocess: ran - start, inference, postprocess: performance.now() - post } };
    },
  };
}
