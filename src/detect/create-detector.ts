// Chooses and loads the detector from configuration: YOLO when a model file is given (or
// ALGO_DETECTOR=yolov8), else the built-in HOG people detector. A missing or unusable model
// stops start-up with an error naming the file.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DetectConfig } from '../config/config.js';
import { modelLoadFailed } from '../errors.js';
import { HogDetector } from './hog-detector.js';
import type { Detector } from './types.js';
import { EngineLoadError } from './worker/worker-pool.js';
import { YoloDetector } from './yolo-detector.js';

export async function createDetector(config: DetectConfig, onWorkerExit?: (message: string) => void): Promise<Detector> {
  const thresholds = { confidenceThreshold: config.confidenceThreshold, iouThreshold: config.iouThreshold, maxDetections: config.maxDetections };
  const modelPath = config.modelPath;
  if (config.detector === 'hog' || (config.detector === 'auto' && modelPath === undefined)) {
    return HogDetector.load({ kind: 'hog', ...thresholds }, config.concurrency, onWorkerExit);
  }
  if (modelPath === undefined) throw modelLoadFailed('(none)', 'ALGO_MODEL_PATH is not set');
  const file = resolve(modelPath);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw modelLoadFailed(file, 'file not found');
  if (!info.isFile()) throw modelLoadFailed(file, 'not a regular file');
  try {
    return await YoloDetector.load({ kind: 'yolo', modelPath: file, threads: 0, ...thresholds }, config.concurrency, onWorkerExit);
  } catch (error) {
    if (error instanceof EngineLoadError) throw modelLoadFailed(file, error.message, error);
    throw error;
  }
}
