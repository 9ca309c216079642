// Runs an ONNX detection model inside a detector worker: RGB bytes letterboxed into the
// input tensor in the layout the model's format wants, onnxruntime's session.run asked for
// the detections output only, then the format's decoding and IoU suppression.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { readCenterNetSignature } from '../formats/centernet-signature.js';
import type { ModelSignature, SignatureReader } from '../formats/model-signature.js';
import { readYoloSignature } from '../formats/yolo-signature.js';
import { letterboxGeometry } from '../letterbox.js';
import { letterboxToTensor } from './letterbox-tensor.js';
import { bestScoring, nonMaxSuppression } from '../nms.js';
import { floatsToHalves, halvesToFloats } from './float16.js';
import { readOnnxMetadata } from '../onnx/onnx-metadata.js';
import { widenStoredWeights } from '../onnx/stored-weights.js';
import type { Engine, EngineSpec, FrameRequest, ModelFormat } from './protocol.js';
import { messageOf } from '../../errors.js';

const SIGNATURE_READERS: Record<ModelFormat, SignatureReader> = { yolo: readYoloSignature, centernet: readCenterNetSignature };

function tensorDims({ layout, inputWidth, inputHeight }: ModelSignature): number[] {
  return layout.order === 'nchw' ? [1, 3, inputHeight, inputWidth] : [1, inputHeight, inputWidth, 3];
}

export async function loadOnnxEngine(spec: EngineSpec): Promise<Engine> {
  const file = await readFile(spec.modelPath);
  let metadata: Map<string, string>;
  let bytes: Uint8Array;
  try {
    metadata = readOnnxMetadata(file);
    // The built-in model keeps its weights as float16 on disk; onnxruntime gets float32.
    bytes = widenStoredWeights(file);
  } catch (error) {
    throw new Error(`not an ONNX model (${messageOf(error)})`);
  }
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // ORT's threads otherwise spin for a while after each run, taking the CPU that decoding
    // the next frame needs.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(spec.threads > 0 ? { intraOpNumThreads: spec.threads } : {}),
  });
  const signature = SIGNATURE_READERS[spec.format](session, metadata, spec.modelPath);
  const { inputWidth, inputHeight, inputName, outputName, layout } = signature;
  const dims = tensorDims(signature);
  const data = new Float32Array(3 * inputWidth * inputHeight);
  // half=True exports take float16: the letterboxed tensor is converted into this once per frame.
  const halves = signature.inputType === 'float16' ? new Uint16Array(data.length) : undefined;

  async function infer(
    frame: Omit<FrameRequest, 'id'>,
  ): Promise<{ output: Float32Array; dims: readonly number[]; preprocess: number; inference: number }> {
    const start = performance.now();
    const geometry = frame.geometry ?? letterboxGeometry(frame.width, frame.height, inputWidth, inputHeight);
    if (geometry.inputWidth !== inputWidth || geometry.inputHeight !== inputHeight) {
      throw new Error(
        `letterbox is for a ${geometry.inputWidth}x${geometry.inputHeight} input, the model wants ${inputWidth}x${inputHeight}`,
      );
    }
    letterboxToTensor(frame.pixels, frame.width, frame.height, geometry, data, layout);
    const input =
      halves === undefined ? new ort.Tensor('float32', data, dims) : new ort.Tensor('float16', floatsToHalves(data, halves), dims);
    const ran = performance.now();
    const outputs = await session.run({ [inputName]: input }, [outputName]);
    const inference = performance.now() - ran;
    const output = outputs[outputName];
    if (output?.type === 'float32') return { output: output.data as Float32Array, dims: output.dims, preprocess: ran - start, inference };
    if (output?.type === 'float16') {
      return { output: halvesToFloats(output.data as Uint16Array), dims: output.dims, preprocess: ran - start, inference };
    }
    throw new Error(`model output ${outputName} is not a float32 or float16 tensor`);
  }

  // One warm-up run at start-up: a corrupt or unsuitable model fails here, not on the first frame.
  const warm = await infer({ pixels: new Uint8Array(3 * inputWidth * inputHeight).fill(114), width: inputWidth, height: inputHeight });
  signature.decode(warm.output, warm.dims, 1);

  return {
    info: { modelType: signature.modelType, classNames: signature.classNames(warm.dims), inputWidth, inputHeight },
    async run(frame: FrameRequest) {
      const { output, dims: outputDims, preprocess, inference } = await infer(frame);
      const started = performance.now();
      const candidates = signature.decode(output, outputDims, spec.confidenceThreshold);
      const kept =
        signature.suppression === 'none'
          ? bestScoring(candidates, spec.maxDetections)
          : nonMaxSuppression(candidates, spec.iouThreshold, spec.maxDetections, signature.suppression === 'class-agnostic');
      return { candidates: kept, timings: { preprocess, inference, postprocess: performance.now() - started } };
    },
  };
}
