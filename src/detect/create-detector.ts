// Chooses and loads the detector from configuration: the built-in COCO CenterNet unless a
// YOLO model file is given (ALGO_MODEL_PATH, or ALGO_DETECTOR=yolov8). A missing or unusable
// model stops start-up with an error naming the file.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DetectConfig } from './detect-config.js';
import { modelLoadFailed } from '../errors.js';
import { BUILTIN_MODEL, DEFAULT_CONFIDENCE } from './builtin-model.js';
import { OnnxDetector } from './onnx-detector.js';
import type { ModelFormat } from './worker/protocol.js';
import { EngineLoadError } from './worker/worker-pool.js';

/** Which format the configured model is in, and where it is. */
export function chooseModel(config: Pick<DetectConfig, 'detector' | 'modelPath'>): { format: ModelFormat; path: string } {
  const { detector, modelPath } = config;
  if (detector === 'yolov8' || (detector === 'auto' && modelPath !== undefined)) {
    if (modelPath === undefined) throw modelLoadFailed('(none)', 'ALGO_MODEL_PATH is not set');
    return { format: 'yolo', path: resolve(modelPath) };
  }
  return { format: BUILTIN_MODEL.format, path: modelPath === undefined ? BUILTIN_MODEL.path : resolve(modelPath) };
}

export async function createDetector(config: DetectConfig, onWorkerExit?: (message: string) => void): Promise<OnnxDetector> {
  const { format, path } = chooseModel(config);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw modelLoadFailed(path, 'file not found');
  if (!info.isFile()) throw modelLoadFailed(path, 'not a regular file');
  if (info.size === 0) throw modelLoadFailed(path, 'the file is empty (0 bytes)');
  const spec = {
    format,
    modelPath: path,
    threads: config.threads,
    confidenceThreshold: config.confidenceThreshold ?? DEFAULT_CONFIDENCE[format],
    iouThreshold: config.iouThreshold,
    maxDetections: config.maxDetections,
  };
  try {
    return await OnnxDetector.load(spec, config.concurrency, onWorkerExit);
  } catch (error) {
    if (error instanceof EngineLoadError) throw modelLoadFailed(path, error.message, error);
    throw error;
  }
}
