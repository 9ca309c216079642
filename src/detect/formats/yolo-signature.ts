// Ultralytics YOLOv8 / YOLO11 detection exports: input `images` [1, 3, H, W], RGB in 0..1;
// output [1, 4 + C, N] (cx, cy, w, h, then C class scores per anchor); class names, input
// size and description in the ONNX metadata. Class-wise suppression, as Ultralytics does.
import { classNamesFor, modelTypeFor, parseUltralyticsNames } from './class-names.js';
import { parseImgsz } from '../onnx/onnx-metadata.js';
import { decodeYoloOutput } from './yolo-output.js';
import { tensorShape, type SignatureReader } from './model-signature.js';

const DEFAULT_INPUT = 640;
const TASK_NAMES: Record<string, string> = { pose: 'a pose', segment: 'a segment', classify: 'a classify', obb: 'an oriented-box (obb)' };
const NEEDS_DETECT = 'algo needs a detection export (yolo export model=<detection model>.pt format=onnx, task=detect)';

/** Ultralytics records the model's task; anything but detect has other channels in its output. */
function checkTask(task: string | undefined): void {
  if (task === undefined || task === 'detect') return;
  throw new Error(`${TASK_NAMES[task] ?? `a ${task}`} export (task=${task}); ${NEEDS_DETECT}`);
}

/** The output must hold 4 box channels and one score per named class (pose/seg exports carry more). */
function checkChannels(channels: number | string | undefined, names: Map<number, string> | undefined): void {
  if (typeof channels !== 'number' || names === undefined || channels === 4 + names.size) return;
  throw new Error(
    `the output has ${channels} channels per anchor, but a detection export with ${names.size} class names has 4 + ${names.size} = ${4 + names.size} (a pose or segment export?); ${NEEDS_DETECT}`,
  );
}

export const readYoloSignature: SignatureReader = (session, metadata, modelPath) => {
  const inputShape = tensorShape(session.inputMetadata[0]);
  const outputShape = tensorShape(session.outputMetadata[0]);
  if (
    session.inputNames.length !== 1 ||
    inputShape === undefined ||
    inputShape.length !== 4 ||
    (typeof inputShape[1] === 'number' && inputShape[1] !== 3)
  ) {
    throw new Error(`expected one image input [1, 3, H, W], found ${JSON.stringify(session.inputMetadata)}`);
  }
  if (outputShape === undefined || outputShape.length !== 3) {
    throw new Error(`expected a detection output [1, 4 + classes, anchors], found ${JSON.stringify(session.outputMetadata)}`);
  }
  // Ultralytics records the export arguments; with nms=True the output is [1, N, 6] boxes, not the head.
  if (/['"]nms['"]\s*:\s*True/.test(metadata.get('args') ?? '')) {
    throw new Error('the export has NMS inside (nms=True); export without it: yolo export model=<model>.pt format=onnx');
  }
  checkTask(metadata.get('task'));
  const imgsz = parseImgsz(metadata.get('imgsz'));
  const names = parseUltralyticsNames(metadata.get('names'));
  checkChannels(outputShape[1], names);
  return {
    modelType: modelTypeFor(metadata.get('description'), modelPath),
    inputName: session.inputNames[0]!,
    outputName: session.outputNames[0]!,
    inputHeight: typeof inputShape[2] === 'number' ? inputShape[2] : (imgsz?.[0] ?? DEFAULT_INPUT),
    inputWidth: typeof inputShape[3] === 'number' ? inputShape[3] : (imgsz?.[1] ?? DEFAULT_INPUT),
    layout: { order: 'nchw', scale: 1 / 255 },
    classAgnostic: false,
    classNames: (dims) => {
      checkChannels(dims[1], names);
      return classNamesFor(dims[1]! - 4, names);
    },
    decode(output, dims, threshold) {
      if (dims.length !== 3 || dims[1]! < 5)
        throw new Error(`model output is not a [1, 4 + classes, anchors] tensor: [${dims.join(', ')}]`);
      return decodeYoloOutput(output, dims[1]! - 4, dims[2]!, threshold);
    },
  };
};
