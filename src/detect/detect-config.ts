// Detection settings (ALGO_DETECTOR, ALGO_MODEL_PATH, thresholds, limits, concurrency), owned
// by detect/ and filled from the environment by config/.
import type { ConcurrencySetting } from './concurrency.js';

export const DETECTOR_KINDS = ['auto', 'centernet', 'yolov8'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

export interface DetectConfig {
  detector: DetectorKind;
  modelPath: string | undefined;
  /** Unset: the model format's own default (see DEFAULT_CONFIDENCE). */
  confidenceThreshold: number | undefined;
  iouThreshold: number;
  maxDetections: number;
  maxBodyBytes: number;
  /** Largest decoded image accepted (width × height), checked from the header before decoding. */
  maxImagePixels: number;
  /** Detector workers (frames run at once; the rest wait in the queue): a count, or `auto` (one per CPU). */
  concurrency: ConcurrencySetting;
  /** onnxruntime intra-op threads per worker (ALGO_DETECT_THREADS). */
  threads: number;
  /** Frames allowed to wait; beyond that requests get 503 with Retry-After. */
  queueSize: number;
  /** People whose boxes are closer than this many box heights are in one group. */
  groupDistance: number;
  groupMinSize: number;
}
