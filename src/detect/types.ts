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

/** A box in model-input pixels before suppression and mapping back (corner format). */
export interface Candidate {
  classId: number;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PersonGroup {
  id: number;
  /** Indices into the frame's objects array. */
  members: number[];
  box: Box;
  size: number;
}

/** A frame whose header was checked (see probeImage); width and height are after EXIF orientation. */
export interface EncodedImage {
  encoded: Buffer;
  width: number;
  height: number;
  /** The pixel cap the header was checked against, enforced again while decoding. */
  maxPixels: number;
}

export interface StageTimings {
  preprocess: number;
  inference: number;
  postprocess: number;
}

export interface DetectorTimings extends StageTimings {
  /** Decoding straight to the detector's input size (resizing and padding included). */
  decode: number;
}

export interface DetectorOutput {
  objects: DetectedObject[];
  timings: DetectorTimings;
}

/** A frame already letterboxed to the detector's input size (camera frames, scaled and padded by ffmpeg). */
export interface LetterboxedFrame {
  /** inputSize.width × inputSize.height RGB bytes. */
  pixels: Uint8Array;
  /** The camera frame's own size: boxes are mapped back to it. */
  sourceWidth: number;
  sourceHeight: number;
}

export interface Detector {
  /** The model_type label, e.g. centernet-mbv3-coco or yolov8n. */
  readonly modelType: string;
  /** The model's input size in pixels, which letterboxed frames must have (512×512 for the built-in model). */
  readonly inputSize: { width: number; height: number };
  /** The labels the model can give, by class id (checked against the cameras file's scene labels). */
  readonly classNames?: readonly string[];
  /** Decodes an encoded frame (straight to the model's size) and detects; boxes in image pixels. */
  detect(image: EncodedImage): Promise<DetectorOutput>;
  /** Raw RGB already letterboxed to inputSize (gray 114 padding, see letterboxGeometry); boxes in source pixels, decode timing 0. */
  detectLetterboxed(frame: LetterboxedFrame): Promise<DetectorOutput>;
  close(): Promise<void>;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** The answer of POST /api/v1/detect, also a camera's last result and a Kafka output message. */
export interface DetectionResponse {
  camera_id: string;
  model_type: string;
  image: { width: number; height: number };
  objects: DetectedObject[];
  groups: PersonGroup[];
  timings_ms: { decode: number; preprocess: number; inference: number; postprocess: number; total: number };
}
