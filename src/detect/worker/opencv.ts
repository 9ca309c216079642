// Loads OpenCV.js (WebAssembly) once per worker. The module object is an Emscripten
// "thenable" that resolves to itself: never hand it to await or resolve() directly, or the
// promise machinery loops forever.
import { createRequire } from 'node:module';

export interface CvMat {
  delete(): void;
  data32F: Float32Array;
}
export interface CvRect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface CvVector<T> {
  size(): number;
  get(index: number): T;
  delete(): void;
}
export interface CvHogDescriptor {
  setSVMDetector(detector: CvMat): void;
  detectMultiScale(img: CvMat, found: CvVector<CvRect>, weights: CvVector<number>, hitThreshold: number, winStride: unknown, padding: unknown, scale: number, finalThreshold: number, meanShift: boolean): void;
  delete(): void;
}
export interface OpenCv {
  CV_8UC3: number;
  CV_32F: number;
  Mat: new (rows: number, cols: number, type: number) => CvMat;
  Size: new (width: number, height: number) => unknown;
  RectVector: new () => CvVector<CvRect>;
  DoubleVector: new () => CvVector<number>;
  HOGDescriptor: { new (): CvHogDescriptor; getDefaultPeopleDetector(): CvVector<number> };
  matFromArray(rows: number, cols: number, type: number, data: Uint8Array): CvMat;
  exceptionFromPtr?(pointer: number): { msg: string };
  Mat_prototype?: unknown;
  onRuntimeInitialized?: () => void;
}

let loading: Promise<{ cv: OpenCv }> | undefined;

/** Resolves to a wrapper: the module itself must never be a promise's value (see above). */
export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  loading ??= new Promise<{ cv: OpenCv }>((resolve) => {
    const cv = createRequire(import.meta.url)('@techstark/opencv-js') as OpenCv;
    if (typeof cv.Mat === 'function') resolve({ cv });
    else cv.onRuntimeInitialized = () => resolve({ cv });
  });
  return loading;
}

/** OpenCV.js throws raw pointers for C++ exceptions; turn them into messages. */
export function openCvErrorMessage(cv: OpenCv, error: unknown): string {
  if (typeof error === 'number' && cv.exceptionFromPtr !== undefined) return cv.exceptionFromPtr(error).msg;
  return error instanceof Error ? error.message : String(error);
}
