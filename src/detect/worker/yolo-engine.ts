// Runs a YOLOv8/YOLO11 ONNX model inside a detector worker: RGB bytes letterboxed into an
// NCHW float32 tensor in 0..1, onnxruntime's session.run, then head decoding and class-wise NMS.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { classNamesFor, modelTypeFor, parseUltralyticsNames } from '../class-names.js';
import { letterboxGeometry } from '../letterbox.js';
import { letterboxToPlanar } from '../letterbox-tensor.js';
import { nonMaxSuppression } from '../nms.js';
import { parseImgsz, readOnnxMetadata } from '../onnx/onnx-metadata.js';
import { decodeYoloOutput } from '../yolo-output.js';
import type { Engine, FrameRequest, YoloEngineSpec } from './protocol.js';

const DEFAULT_INPUT = 640;

function tensorShape(metadata: ort.InferenceSession.ValueMetadata | undefined): ReadonlyArray<number | string> | undefined {
  return metadata !== undefined && metadata.isTensor ? metadata.shape : undefined;
}

export async function loadYoloEngine(spec: YoloEngineSpec): Promise<Engine> {
  const bytes = await readFile(spec.modelPath);
  let metadata: Map<string, string>;
  try {
    metadata = readOnnxMetadata(bytes);
  } catch (error) {
    throw new Error(`not an ONNX model (${error instanceof Error ? error.message : String(error)})`);
  }
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // ORT's threads otherwise spin for a while after each run, taking the CPU that decoding
    // the next frame needs.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(spec.threads > 0 ? { intraOpNumThreads: spec.threads } : {}),
  });
  const inputShape = tensorShape(session.inputMetadata[0]);
  const outputShape = tensorShape(session.outputMetadata[0]);
  if (session.inputNames.length !== 1 || inputShape === undefined || inputShape.length !== 4 || (typeof inputShape[1] === 'number' && inputShape[1] !== 3)) {
    throw new Error(`expected one image input [1, 3, H, W], found ${JSON.stringify(session.inputMetadata)}`);
  }
  if (outputShape === undefined || outputShape.length !== 3) {
    throw new Error(`expected a detection output [1, 4 + classes, anchors], found ${JSON.stringify(session.outputMetadata)}`);
  }
  const imgsz = parseImgsz(metadata.get('imgsz'));
  const inputHeight = typeof inputShape[2] === 'number' ? inputShape[2] : imgsz?.[0] ?? DEFAULT_INPUT;
  const inputWidth = typeof inputShape[3] === 'number' ? inputShape[3] : imgsz?.[1] ?? DEFAULT_INPUT;
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const names = parseUltralyticsNames(metadata.get('names'));
  let classNames = typeof outputShape[1] === 'number' ? classNamesFor(outputShape[1] - 4, names) : [];
  const planar = new Float32Array(3 * inputWidth * inputHeight);

  async function infer(frame: Omit<FrameRequest, 'id'>): Promise<{ output: Float32Array; dims: readonly number[]; preprocess: number; inference: number }> {
    const start = performance.now();
    const geometry = frame.geometry ?? letterboxGeometry(frame.width, frame.height, inputWidth, inputHeight);
    if (geometry.inputWidth !== inputWidth || geometry.inputHeight !== inputHeight) {
      throw new Error(`letterbox is for a ${geometry.inputWidth}x${geometry.inputHeight} input, the model wants ${inputWidth}x${inputHeight}`);
    }
    letterboxToPlanar(frame.pixels, frame.width, frame.height, geometry, planar);
    const input = new ort.Tensor('float32', planar, [1, 3, inputHeight, inputWidth]);
    const ran = performance.now();
    const outputs = await session.run({ [inputName]: input });
    const inference = performance.now() - ran;
    const output = outputs[outputName];
    if (output === undefined || output.type !== 'float32' || output.dims.length !== 3 || output.dims[1]! < 5) {
      throw new Error(`model output ${outputName} is not a float32 [1, 4 + classes, anchors] tensor`);
    }
    return { output: output.data as Float32Array, dims: output.dims, preprocess: ran - start, inference };
  }

  // One warm-up run at start-up: a corrupt or unsuitable model fails here, not on the first frame.
  const warm = await infer({ pixels: new Uint8Array(3 * inputWidth * inputHeight).fill(114), width: inputWidth, height: inputHeight });
  if (classNames.length === 0) classNames = classNamesFor(warm.dims[1]! - 4, names);

  return {
    info: { modelType: modelTypeFor(metadata.get('description'), spec.modelPath), classNames, inputWidth, inputHeight },
    async run(frame: FrameRequest) {
      const { output, dims, preprocess, inference } = await infer(frame);
      const started = performance.now();
      const candidates = nonMaxSuppression(decodeYoloOutput(output, dims[1]! - 4, dims[2]!, spec.confidenceThreshold), spec.iouThreshold, spec.maxDetections);
      return { candidates, timings: { preprocess, inference, postprocess: performance.now() - started } };
    },
  };
}
