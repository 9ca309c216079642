// CenterNet as converted from TensorFlow (the built-in centernet-mbv3-coco model, see
// assets/models/PROVENANCE.md): input [1, H, W, 3] NHWC, RGB in 0..255; the decoding
// (heatmap peaks, top-N) is inside the graph, and its `detections` output [1, N, 6] holds
// x1, y1, x2, y2 in input pixels, score, COCO-80 class index. The in-graph decoding leaves
// the same object twice, or one box under two classes, so suppression is class-agnostic.
import { COCO80, modelTypeFor } from './class-names.js';
import type { Candidate } from '../types.js';
import { tensorShape, type SignatureReader } from './model-signature.js';

const OUTPUT = /(^|\/)detections(:0)?$/;
const FIELDS = 6;

/** Rows of [x1, y1, x2, y2, score, class] → candidates at or above threshold. */
export function decodeDetectionRows(output: Float32Array, rows: number, threshold: number): Candidate[] {
  const candidates: Candidate[] = [];
  for (let row = 0; row < rows; row++) {
    const at = row * FIELDS;
    const score = output[at + 4]!;
    const classId = output[at + 5]!;
    if (!(score >= threshold) || score === 0 || !Number.isInteger(classId) || classId < 0) continue;
    candidates.push({ classId, score, x1: output[at]!, y1: output[at + 1]!, x2: output[at + 2]!, y2: output[at + 3]! });
  }
  return candidates;
}

export const readCenterNetSignature: SignatureReader = (session, _metadata, modelPath) => {
  const inputShape = tensorShape(session.inputMetadata[0]);
  if (
    session.inputNames.length !== 1 ||
    inputShape === undefined ||
    inputShape.length !== 4 ||
    inputShape[3] !== 3 ||
    typeof inputShape[1] !== 'number' ||
    typeof inputShape[2] !== 'number'
  ) {
    throw new Error(`expected one image input [1, H, W, 3], found ${JSON.stringify(session.inputMetadata)}`);
  }
  const outputIndex = session.outputNames.findIndex((name) => OUTPUT.test(name));
  const outputShape = tensorShape(session.outputMetadata[outputIndex]);
  if (outputIndex < 0 || outputShape === undefined || outputShape.length !== 3 || outputShape[2] !== FIELDS) {
    throw new Error(`expected a detections output [1, N, 6], found ${JSON.stringify(session.outputMetadata)}`);
  }
  return {
    modelType: modelTypeFor(undefined, modelPath),
    inputName: session.inputNames[0]!,
    outputName: session.outputNames[outputIndex]!,
    inputHeight: inputShape[1],
    inputWidth: inputShape[2],
    layout: { order: 'nhwc', scale: 1 },
    suppression: 'class-agnostic',
    inputType: 'float32',
    classNames: () => [...COCO80],
    decode(output, dims, threshold) {
      if (dims.length !== 3 || dims[2] !== FIELDS)
        throw new Error(`model output is not a [1, N, 6] detections tensor: [${dims.join(', ')}]`);
      return decodeDetectionRows(output, dims[1]!, threshold);
    },
  };
};
