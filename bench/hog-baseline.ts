// The people detector algo used before the built-in CenterNet (OpenCV's HOG + linear SVM,
// Dalal–Triggs, through OpenCV.js), kept only as bench:detect's baseline. OpenCV.js is no
// longer a dependency: it is installed into .reference/ on first use. Runs on the calling
// thread, with the settings algo used: frames scaled to at most 640 px on the longer side,
// winStride 8, padding 8, scale 1.05.
import { decodePixels, probeImage } from '../src/detect/decode.js';
import { unletterbox, type LetterboxGeometry } from '../src/detect/letterbox.js';
import { nonMaxSuppression } from '../src/detect/nms.js';
import type { Candidate, Box } from '../src/detect/types.js';
import { referencePackages } from '../scripts/reference-packages.js';

/** Scaling so the longer side is at most maxSide, without padding (never enlarges): HOG ran on the photo itself, not a model input. */
function fitGeometry(width: number, height: number, maxSide: number): LetterboxGeometry {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const resizedWidth = Math.max(1, Math.round(width * scale));
  const resizedHeight = Math.max(1, Math.round(height * scale));
  return { scale, padLeft: 0, padTop: 0, resizedWidth, resizedHeight, inputWidth: resizedWidth, inputHeight: resizedHeight };
}

const MAX_SIDE = 640;
const OPENCV_VERSION = '4.12.0-release.1';

interface CvDeletable {
  delete(): void;
}
interface CvVector<T> extends CvDeletable {
  size(): number;
  get(index: number): T;
}
interface CvMat extends CvDeletable {
  data32F: Float32Array;
}
interface OpenCv {
  CV_8UC3: number;
  CV_32F: number;
  Mat: new (rows: number, cols: number, type: number) => CvMat;
  Size: new (width: number, height: number) => unknown;
  RectVector: new () => CvVector<{ x: number; y: number; width: number; height: number }>;
  DoubleVector: new () => CvVector<number>;
  HOGDescriptor: {
    new (): CvDeletable & {
      setSVMDetector(detector: CvMat): void;
      detectMultiScale(
        img: CvMat,
        found: unknown,
        weights: unknown,
        hitThreshold: number,
        winStride: unknown,
        padding: unknown,
        scale: number,
        finalThreshold: number,
        meanShift: boolean,
      ): void;
    };
    getDefaultPeopleDetector(): CvVector<number>;
  };
  matFromArray(rows: number, cols: number, type: number, data: Uint8Array): CvMat;
  onRuntimeInitialized?: () => void;
}

export interface HogResult {
  people: Box[];
  /** Header check + decode (scaled), and HOG's detectMultiScale, in ms. */
  decodeMs: number;
  inferenceMs: number;
}

export type HogDetect = (encoded: Buffer) => Promise<HogResult>;

export async function loadHogBaseline(): Promise<HogDetect> {
  const require = referencePackages('bench-hog', { '@techstark/opencv-js': OPENCV_VERSION });
  // The module is an Emscripten thenable resolving to itself: never await it directly.
  const { cv } = await new Promise<{ cv: OpenCv }>((resolve) => {
    const module = require('@techstark/opencv-js') as OpenCv;
    if (typeof module.Mat === 'function') resolve({ cv: module });
    else module.onRuntimeInitialized = () => resolve({ cv: module });
  });
  const hog = new cv.HOGDescriptor();
  const coefficients = cv.HOGDescriptor.getDefaultPeopleDetector();
  const svm = new cv.Mat(coefficients.size(), 1, cv.CV_32F);
  for (let i = 0; i < coefficients.size(); i++) svm.data32F[i] = coefficients.get(i);
  hog.setSVMDetector(svm);
  const winStride = new cv.Size(8, 8);
  const padding = new cv.Size(8, 8);

  return async (encoded) => {
    const start = performance.now();
    const image = await probeImage(encoded, 40_000_000);
    const geometry = fitGeometry(image.width, image.height, MAX_SIDE);
    const pixels = await decodePixels(image, { width: geometry.inputWidth, height: geometry.inputHeight });
    const decoded = performance.now();
    const mat = cv.matFromArray(geometry.inputHeight, geometry.inputWidth, cv.CV_8UC3, pixels);
    const found = new cv.RectVector();
    const weights = new cv.DoubleVector();
    hog.detectMultiScale(mat, found, weights, 0, winStride, padding, 1.05, 2, false);
    const inferenceMs = performance.now() - decoded;
    const candidates: Candidate[] = [];
    for (let i = 0; i < found.size(); i++) {
      const rect = found.get(i);
      candidates.push({
        classId: 0,
        score: Math.min(1, Math.max(0, weights.get(i))),
        x1: rect.x,
        y1: rect.y,
        x2: rect.x + rect.width,
        y2: rect.y + rect.height,
      });
    }
    for (const object of [mat, found, weights]) object.delete();
    const people = nonMaxSuppression(
      candidates.filter((c) => c.score >= 0.25),
      0.45,
      300,
    ).map((c) => unletterbox(c.x1, c.y1, c.x2, c.y2, geometry, image.width, image.height));
    return { people, decodeMs: decoded - start, inferenceMs };
  };
}
