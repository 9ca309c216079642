// Shapes shared by the detection pipeline, the detectors and the API.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedObject {
  label: string;
  class_id: number;
  score: number;
  box: Box;
}

export interface PersonGroup {
  id: number;
  /** Indices into the frame's objects array. */
  members: number[];
  box: Box;
  size: number;
}

/** A decoded frame: 8-bit RGB, 3 channels, row-major. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface StageTimings {
  preprocess: number;
  inference: number;
  postprocess: number;
}

export interface DetectorOutput {
  objects: DetectedObject[];
  timings: StageTimings;
}

export interface Detector {
  /** The model_type label, e.g. yolov8n or hog-people. */
  readonly modelType: string;
  detect(image: RgbImage): Promise<DetectorOutput>;
  close(): Promise<void>;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
