// Ultralytics detection exports, told apart by their output shape and metadata (`task`,
// `names`, `imgsz`, `end2end`, `args`, `description`). Input `images` [1, 3, H, W], RGB in
// 0..1, float32 or float16 (half=True); H and W from the input shape, else `imgsz`.
// - head `[1, 4 + C, N]` (YOLOv8/11 default): cx, cy, w, h, C class scores per anchor;
//   class-wise NMS afterwards, as Ultralytics does;
// - end-to-end `[1, K, 6]` (YOLO26 and YOLOv10 defaults, `nms=True` exports): x1, y1, x2, y2,
//   score, class; no NMS again;
// - RT-DETR `[1, K, 4 + C]`: normalised cx, cy, w, h and C scores; no NMS.
// Pose, segment, classify and OBB exports, and any other shape, are refused with how to export.
import { classNamesFor, modelTypeFor, parseUltralyticsNames } from './class-names.js';
import { parseImgsz } from '../onnx/onnx-metadata.js';
import { decodeEnd2EndOutput, decodeRtDetrOutput } from './end2end-output.js';
import { decodeYoloOutput } from './yolo-output.js';
import { tensorShape, type ModelSignature, type SignatureReader } from './model-signature.js';

const DEFAULT_INPUT = 640;
/** Class count assumed when an end-to-end export carries no `names` (COCO). */
const DEFAULT_CLASSES = 80;
const TASK_NAMES: Record<string, string> = { pose: 'a pose', segment: 'a segment', classify: 'a classify', obb: 'an oriented-box (obb)' };
const NEEDS_DETECT = 'algo needs a detection export (yolo export model=<detection model>.pt format=onnx, task=detect)';
const EXPORTS =
  'algo reads YOLOv8/11 [1, 4 + classes, anchors], end-to-end [1, N, 6] (YOLO26, YOLOv10, nms=True) and RT-DETR [1, N, 4 + classes] outputs';

/** Which of the export layouts the output is. */
export type YoloOutputKind = 'head' | 'end2end' | 'rtdetr';

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

const isTrue = (value: string | undefined): boolean => value !== undefined && /^true$/i.test(value.trim());

/**
 * The layout of a `[1, A, B]` output. RT-DETR is named in Ultralytics' description
 * (`rtdetr-l`). Ultralytics' metadata says whether an export is end-to-end (`end2end: True`,
 * or `nms: True` in `args`); an export without that key (older Ultralytics, other tools) is
 * told by shape: 4 + classes rows is a head, 4 + classes columns an RT-DETR, 6 columns and
 * more rows end-to-end.
 */
export function outputKindOf(
  shape: ReadonlyArray<number | string>,
  names: Map<number, string> | undefined,
  metadata: ReadonlyMap<string, string>,
  modelPath: string,
): YoloOutputKind {
  const [, rows, columns] = shape;
  // The model's own description names it; the file name only when there is none (a YOLO
  // model saved as "…-from-rtdetr.onnx" is still a YOLO model).
  const description = metadata.get('description');
  const named = description ?? modelPath.replace(/^.*[\\/]/, '');
  if (/rt-?detr/i.test(named)) return 'rtdetr';
  if (isTrue(metadata.get('end2end')) || /['"]nms['"]\s*:\s*True/.test(metadata.get('args') ?? '')) return 'end2end';
  const channels = names === undefined ? undefined : 4 + names.size;
  if (channels !== undefined && rows === channels) return 'head';
  const saysNotEnd2End = metadata.has('end2end');
  // [1, K, 6] with 2 class names fits both an end-to-end export and RT-DETR: a model that says
  // it is a YOLO (YOLOv10, YOLO26, an older nms export) is end-to-end.
  const endToEndShape = !saysNotEnd2End && columns === 6 && (typeof rows !== 'number' || rows > 6);
  if (endToEndShape && /yolo/i.test(named)) return 'end2end';
  if (channels !== undefined && columns === channels && typeof rows === 'number' && rows > channels) return 'rtdetr';
  if (endToEndShape) return 'end2end';
  return 'head';
}

export const readYoloSignature: SignatureReader = (session, metadata, modelPath) => {
  const input = session.inputMetadata[0];
  const inputShape = tensorShape(input);
  const outputShape = tensorShape(session.outputMetadata[0]);
  if (
    session.inputNames.length !== 1 ||
    inputShape === undefined ||
    inputShape.length !== 4 ||
    (typeof inputShape[1] === 'number' && inputShape[1] !== 3)
  ) {
    throw new Error(`expected one image input [1, 3, H, W], found ${JSON.stringify(session.inputMetadata)}`);
  }
  const inputType = input !== undefined && input.isTensor ? input.type : undefined;
  if (inputType !== 'float32' && inputType !== 'float16') {
    throw new Error(`the image input is ${String(inputType)}; algo runs float32 and float16 (half=True) exports`);
  }
  // The task first: a classify or segment export is named as such, whatever its outputs look like.
  checkTask(metadata.get('task'));
  if (outputShape === undefined || outputShape.length !== 3) {
    throw new Error(`expected one detection output [1, A, B], found ${JSON.stringify(session.outputMetadata)}; ${EXPORTS}`);
  }
  const imgsz = parseImgsz(metadata.get('imgsz'));
  const names = parseUltralyticsNames(metadata.get('names'));
  const kind = outputKindOf(outputShape, names, metadata, modelPath);
  if (kind === 'head') checkChannels(outputShape[1], names);
  if (kind === 'rtdetr') checkChannels(outputShape[2], names);
  const inputHeight = typeof inputShape[2] === 'number' ? inputShape[2] : (imgsz?.[0] ?? DEFAULT_INPUT);
  const inputWidth = typeof inputShape[3] === 'number' ? inputShape[3] : (imgsz?.[1] ?? DEFAULT_INPUT);
  const base = {
    modelType: modelTypeFor(metadata.get('description'), modelPath),
    inputName: session.inputNames[0]!,
    outputName: session.outputNames[0]!,
    inputHeight,
    inputWidth,
    inputType,
    layout: { order: 'nchw', scale: 1 / 255 },
  } as const;
  const shapeError = (dims: readonly number[], expected: string): Error =>
    new Error(`model output is not a ${expected} tensor: [${dims.join(', ')}]; ${EXPORTS}`);
  const signatures: Record<YoloOutputKind, ModelSignature> = {
    head: {
      ...base,
      suppression: 'per-class',
      classNames: (dims) => {
        checkChannels(dims[1], names);
        return classNamesFor(dims[1]! - 4, names);
      },
      decode(output, dims, threshold) {
        if (dims.length !== 3 || dims[1]! < 5) throw shapeError(dims, '[1, 4 + classes, anchors]');
        return decodeYoloOutput(output, dims[1]! - 4, dims[2]!, threshold);
      },
    },
    end2end: {
      ...base,
      suppression: 'none',
      classNames: () => classNamesFor(names?.size ?? DEFAULT_CLASSES, names),
      decode(output, dims, threshold) {
        if (dims.length !== 3 || dims[2] !== 6) throw shapeError(dims, '[1, detections, 6]');
        return decodeEnd2EndOutput(output, dims[1]!, names?.size ?? DEFAULT_CLASSES, threshold);
      },
    },
    rtdetr: {
      ...base,
      suppression: 'none',
      classNames: (dims) => {
        checkChannels(dims[2], names);
        return classNamesFor(dims[2]! - 4, names);
      },
      decode(output, dims, threshold) {
        if (dims.length !== 3 || dims[2]! < 5) throw shapeError(dims, '[1, queries, 4 + classes]');
        return decodeRtDetrOutput(output, dims[1]!, dims[2]! - 4, inputWidth, inputHeight, threshold);
      },
    },
  };
  return signatures[kind];
};
