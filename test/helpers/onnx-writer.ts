// Builds ONNX models from code, so the repo can generate the small YOLO-shaped models its
// tests and benchmarks run (no weights can be downloaded here).
import { AttributeType, ModelProto, TensorDataType } from '../../src/detect/onnx/onnx-schema.js';

export type AttributeValue = number | number[] | { ints: number[] } | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  /** float32 data (raw little-endian), float16 bit patterns, or int64 data. */
  data: Float32Array | { float16: Uint16Array } | { int64: number[] };
}

export type ElementType = 'float32' | 'float16';

export interface ModelSpec {
  inputs: Array<{ name: string; dims: Array<number | string>; type?: ElementType }>;
  outputs: Array<{ name: string; dims: Array<number | string>; type?: ElementType }>;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  metadata?: Record<string, string>;
  opset?: number;
}

function attribute(name: string, value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'number') return { name, i: value, type: AttributeType.INT };
  if (Array.isArray(value)) return { name, ints: value, type: AttributeType.INTS };
  if ('ints' in value) return { name, ints: value.ints, type: AttributeType.INTS };
  return { name, f: value.float, type: AttributeType.FLOAT };
}

function tensor(spec: TensorSpec): Record<string, unknown> {
  if (spec.data instanceof Float32Array) {
    return {
      name: spec.name,
      dims: spec.dims,
      dataType: TensorDataType.FLOAT,
      rawData: new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength),
    };
  }
  if ('float16' in spec.data) {
    const bits = spec.data.float16;
    return {
      name: spec.name,
      dims: spec.dims,
      dataType: TensorDataType.FLOAT16,
      rawData: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength),
    };
  }
  return { name: spec.name, dims: spec.dims, dataType: TensorDataType.INT64, int64Data: spec.data.int64 };
}

function valueInfo(name: string, dims: Array<number | string>, type: ElementType = 'float32'): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType: type === 'float16' ? TensorDataType.FLOAT16 : TensorDataType.FLOAT,
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

export function encodeModel(spec: ModelSpec): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'algo',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'algo-generated',
      node: spec.nodes.map((node, index) => ({
        name: `${node.op}_${index}`,
        opType: node.op,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value)),
      })),
      initializer: spec.initializers.map(tensor),
      input: spec.inputs.map((input) => valueInfo(input.name, input.dims, input.type)),
      output: spec.outputs.map((output) => valueInfo(output.name, output.dims, output.type)),
    },
  });
  return ModelProto.encode(message).finish();
}
