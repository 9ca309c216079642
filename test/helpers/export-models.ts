// Small ONNX graphs with the signatures of Ultralytics' detection exports — YOLOv8/11 heads,
// end-to-end [1, K, 6] (YOLO26, YOLOv10, nms=True), RT-DETR [1, K, 4 + C] — and the metadata
// Ultralytics writes, so each decoder is checked against values known in advance. The output
// is a fixed table plus the input's mean times zero, so the graph really reads its input.
import { encodeModel, type ElementType } from './onnx-writer.js';

export interface ExportModelSpec {
  /** Input height and width. */
  height: number;
  width: number;
  /** Output dims [1, A, B] and its values, row-major. */
  /** [1, A, B] for detection exports; other ranks for the refusals (classify: [1, C]). */
  outputDims: [1, ...number[]];
  values: number[];
  metadata: Record<string, string>;
  /** half=True: float16 input and output. */
  type?: ElementType;
}

/** Ultralytics' metadata for a detection export of the given description and names. */
export function ultralyticsMetadata(description: string, names: string[], imgsz: [number, number], extra: Record<string, string> = {}) {
  return {
    description,
    author: 'Ultralytics',
    version: '8.3.200',
    license: 'AGPL-3.0 License (https://ultralytics.com/license)',
    stride: '32',
    task: 'detect',
    batch: '1',
    imgsz: `[${imgsz[0]}, ${imgsz[1]}]`,
    names: `{${names.map((name, id) => `${id}: '${name}'`).join(', ')}}`,
    end2end: 'False',
    ...extra,
  };
}

export function buildExportModel(spec: ExportModelSpec): Uint8Array {
  const type = spec.type ?? 'float32';
  const float16 = type === 'float16';
  return encodeModel({
    inputs: [{ name: 'images', dims: [1, 3, spec.height, spec.width], type }],
    outputs: [{ name: 'output0', dims: spec.outputDims, type }],
    initializers: [
      { name: 'table', dims: spec.outputDims, data: Float32Array.from(spec.values) },
      { name: 'zero', dims: [1], data: Float32Array.of(0) },
      { name: 'scalar_shape', dims: [spec.outputDims.length], data: { int64: spec.outputDims.map(() => 1) } },
    ],
    nodes: [
      // float16 graphs compute in float32 between two casts, as mixed-precision exports do.
      ...(float16 ? [{ op: 'Cast', inputs: ['images'], outputs: ['images32'], attributes: { to: 1 } }] : []),
      { op: 'ReduceMean', inputs: [float16 ? 'images32' : 'images'], outputs: ['mean'], attributes: { keepdims: 1 } },
      { op: 'Reshape', inputs: ['mean', 'scalar_shape'], outputs: ['mean3'] },
      { op: 'Mul', inputs: ['mean3', 'zero'], outputs: ['nothing'] },
      { op: 'Add', inputs: ['table', 'nothing'], outputs: [float16 ? 'output32' : 'output0'] },
      ...(float16 ? [{ op: 'Cast', inputs: ['output32'], outputs: ['output0'], attributes: { to: 10 } }] : []),
    ],
    metadata: spec.metadata,
  });
}

/** `rows` padded with zero rows to `total` (end-to-end exports always return max_det rows). */
export function padRows(rows: number[][], columns: number, total: number): number[] {
  const out = rows.flat();
  while (out.length < total * columns) out.push(0);
  return out;
}
