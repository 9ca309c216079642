// Messages between the main thread and detector workers.
import type { Candidate } from '../nms.js';
import type { LetterboxGeometry } from '../letterbox.js';
import type { StageTimings } from '../types.js';

export interface YoloEngineSpec {
  kind: 'yolo';
  modelPath: string;
  confidenceThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** ORT intra-op threads per worker; 0 lets ORT choose. */
  threads: number;
}

export interface HogEngineSpec {
  kind: 'hog';
  confidenceThreshold: number;
  iouThreshold: number;
  maxDetections: number;
}

export type EngineSpec = YoloEngineSpec | HogEngineSpec;

/** What an engine reports once loaded. */
export interface EngineInfo {
  modelType: string;
  classNames: string[];
  /** Model input size (width, height); for HOG the largest side it works at. */
  inputWidth: number;
  inputHeight: number;
}

export interface FrameRequest {
  id: number;
  /** width × height RGB bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Where the frame goes in the model input (YOLO); the frame is resized to fit it. */
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
