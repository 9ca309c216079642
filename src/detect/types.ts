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

export interface PixelSize {
  width: number;
  height: number;
}

/** Raw pixels: width × height × 3 bytes, RGB, rows top to bottom. */
export interface RgbFrame extends PixelSize {
  pixels: Uint8Array;
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

export interface Detector {
  /** The model_type label, e.g. centernet-mbv3-coco or yolov8n. */
  readonly modelType: string;
  /** The model's input size in pixels: frames are letterboxed (aspect kept, gray padding) into it. */
  readonly inputSize: PixelSize;
  /**
   * The size to give a width × height source's frames at, for detectPixels: scaled to fit the
   * input with the aspect ratio kept, unpadded (e.g. ffmpeg's `scale=W:H` output).
   */
  frameSize(width: number, height: number): PixelSize;
  /** Decodes an encoded frame (straight to the model's size) and detects; boxes in image pixels. */
  detect(image: EncodedImage): Promise<DetectorOutput>;
  /**
   * Detects in raw RGB pixels, any size (best: frameSize(original)); the worker letterboxes
   * them. Boxes come back in original's pixels (default: the frame's). decode timing is 0.
   */
  detectPixels(frame: RgbFrame, original?: PixelSize): Promise<DetectorOutput>;
  close(): Promise<void>;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
