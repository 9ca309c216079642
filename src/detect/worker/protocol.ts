// Messages between the main thread and detector workers.
import type { Candidate, StageTimings } from '../types.js';
import type { LetterboxGeometry } from '../letterbox.js';

/** How a model's input and output are laid out: an Ultralytics YOLO export, or a TensorFlow-born CenterNet. */
export type ModelFormat = 'yolo' | 'centernet';

export interface EngineSpec {
  format: ModelFormat;
  modelPath: string;
  confidenceThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** ORT intra-op threads per worker (ALGO_DETECT_THREADS, always set: ORT's own default depends on the host); 0 lets ORT choose. */
  threads: number;
}

/** What an engine reports once loaded. */
export interface EngineInfo {
  modelType: string;
  classNames: string[];
  /** Model input size. */
  inputWidth: number;
  inputHeight: number;
}

export interface FrameRequest {
  id: number;
  /** width × height RGB bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Where the frame goes in the model input; the frame is resized to fit it. */
  geometry?: LetterboxGeometry;
}

export type WorkerReply =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; candidates: Candidate[]; timings: StageTimings }
  | { type: 'error'; id: number; message: string };

export interface Engine {
  readonly info: EngineInfo;
  run(frame: FrameRequest): Promise<{ candidates: Candidate[]; timings: StageTimings }>;
}
