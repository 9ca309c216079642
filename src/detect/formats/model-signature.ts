// What the engine needs to know about a detection model: its input (name, size, layout and
// scale), the one output it asks session.run for, how that output becomes candidate boxes,
// and how boxes are suppressed. One reader per model format builds it from the loaded session.
import type { InferenceSession } from 'onnxruntime-node';
import type { TensorLayout } from '../worker/letterbox-tensor.js';
import type { Candidate } from '../types.js';

export interface ModelSignature {
  /** The model_type label, e.g. yolov8n or centernet-mbv3-coco. */
  modelType: string;
  inputName: string;
  outputName: string;
  inputWidth: number;
  inputHeight: number;
  /** The input tensor's element type: float16 for half=True exports. */
  inputType: 'float32' | 'float16';
  layout: TensorLayout;
  /**
   * How overlapping boxes are suppressed: within each class (YOLO heads, as Ultralytics does),
   * whatever their class (CenterNet), or not at all (exports that suppress inside the model).
   */
  suppression: 'per-class' | 'class-agnostic' | 'none';
  /** One name per class id, given the output's dims (an export may leave the class count dynamic). */
  classNames(outputDims: readonly number[]): string[];
  /**
   * The output tensor → candidates scoring at least threshold, corners in model-input pixels.
   * Throws when the output does not have the format's shape.
   */
  decode(output: Float32Array, dims: readonly number[], threshold: number): Candidate[];
}

export type SignatureReader = (session: InferenceSession, metadata: ReadonlyMap<string, string>, modelPath: string) => ModelSignature;

/** The shape of an input or output, undefined when it is not a tensor. */
export function tensorShape(metadata: InferenceSession.ValueMetadata | undefined): ReadonlyArray<number | string> | undefined {
  return metadata !== undefined && metadata.isTensor ? metadata.shape : undefined;
}
