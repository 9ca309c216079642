// Weights stored as float16, computed in float32. The built-in model's weights were float16 in
// its TensorFlow.js original, so storing them as float16 loses nothing and halves the file;
// at load they are widened back to float32 and the model runs exactly as before. The file says
// so itself (metadata `algo.stored_weights` = `float16`); a model without that marker (every
// user export, half=True ones included) is passed to onnxruntime untouched.
// Works on the protobuf wire format, so every field it does not rewrite is kept byte for byte:
// widening a stored file gives back the float32 original exactly.
import protobuf from 'protobufjs/minimal.js';
import { fromHalf, toHalf } from '../worker/float16.js';

export const STORED_WEIGHTS_KEY = 'algo.stored_weights';
const FLOAT = 1;
const FLOAT16 = 10;
// ONNX field numbers.
const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const GRAPH_INITIALIZER = 5;
const TENSOR_DATA_TYPE = 2;
const TENSOR_RAW_DATA = 9;
const ENTRY_KEY = 1;

interface Field {
  tag: number;
  field: number;
  /** The whole field as it lies in the message (tag included). */
  raw: Uint8Array;
  /** Length-delimited fields: the payload. */
  payload?: Uint8Array;
  /** Varint fields: the value. */
  varint?: number;
}

function fieldsOf(bytes: Uint8Array): Field[] {
  const reader = protobuf.Reader.create(bytes);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    let payload: Uint8Array | undefined;
    let varint: number | undefined;
    if (wire === 2) payload = reader.bytes();
    else if (wire === 0) varint = reader.uint32();
    else reader.skipType(wire);
    fields.push({
      tag,
      field,
      raw: bytes.subarray(start, reader.pos),
      ...(payload === undefined ? {} : { payload }),
      ...(varint === undefined ? {} : { varint }),
    });
  }
  return fields;
}

const delimited = (tag: number, payload: Uint8Array): Uint8Array => {
  const head = protobuf.Writer.create().uint32(tag).uint32(payload.length).finish();
  return concat([head, payload]);
};
const varintField = (tag: number, value: number): Uint8Array => protobuf.Writer.create().uint32(tag).uint32(value).finish();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The model with each graph initializer (a TensorProto's bytes) replaced by `map`'s answer. */
export function mapInitializers(model: Uint8Array, map: (tensor: Uint8Array) => Uint8Array): Uint8Array {
  return concat(
    fieldsOf(model).map(({ tag, field, raw, payload }) => {
      if (field !== MODEL_GRAPH || payload === undefined) return raw;
      const graph = fieldsOf(payload).map((g) =>
        g.field === GRAPH_INITIALIZER && g.payload !== undefined ? delimited(g.tag, map(g.payload)) : g.raw,
      );
      return delimited(tag, concat(graph));
    }),
  );
}

/** A tensor's data type and raw data rewritten; other fields unchanged. Undefined when it has no raw data of type `from`. */
export function convertRawTensor(
  tensor: Uint8Array,
  from: number,
  to: number,
  convert: (raw: Uint8Array) => Uint8Array,
): Uint8Array | undefined {
  const fields = fieldsOf(tensor);
  if (!fields.some((f) => f.field === TENSOR_DATA_TYPE && f.varint === from) || !fields.some((f) => f.field === TENSOR_RAW_DATA))
    return undefined;
  return concat(
    fields.map((f) => {
      if (f.field === TENSOR_DATA_TYPE) return varintField(f.tag, to);
      if (f.field === TENSOR_RAW_DATA && f.payload !== undefined) return delimited(f.tag, convert(f.payload));
      return f.raw;
    }),
  );
}

function metadataKeyOf(entry: Uint8Array): string | undefined {
  const key = fieldsOf(entry).find((f) => f.field === ENTRY_KEY)?.payload;
  return key === undefined ? undefined : new TextDecoder().decode(key);
}

/** Whether the model's weights are stored as float16 by algo (the metadata marker). */
export function hasStoredFloat16Weights(model: Uint8Array): boolean {
  return fieldsOf(model).some(
    (f) => f.field === MODEL_METADATA && f.payload !== undefined && metadataKeyOf(f.payload) === STORED_WEIGHTS_KEY,
  );
}

let halfTable: Float32Array | undefined;

/** float16 raw data (little-endian) → float32 raw data, through a table of all 65 536 halves. */
function widenRaw(raw: Uint8Array): Uint8Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = fromHalf(bits);
  }
  const halves = new Uint16Array(new Uint8Array(raw).buffer); // a copy: `raw` may be an unaligned view
  const floats = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) floats[i] = halfTable[halves[i]!]!;
  return new Uint8Array(floats.buffer);
}

/** float32 raw data → float16, or undefined when a value is not exactly a float16. */
export function narrowRaw(raw: Uint8Array): Uint8Array | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Uint8Array(raw.length / 2);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < raw.length / 4; i++) {
    const value = view.getFloat32(i * 4, true);
    const half = toHalf(value);
    if (!Object.is(fromHalf(half), value) && !(Number.isNaN(value) && Number.isNaN(fromHalf(half)))) return undefined;
    outView.setUint16(i * 2, half, true);
  }
  return out;
}

/**
 * The model as onnxruntime should load it: float16-stored initializers widened to float32 and
 * the marker removed when the file carries it; otherwise the bytes unchanged.
 */
export function widenStoredWeights(model: Uint8Array): Uint8Array {
  if (!hasStoredFloat16Weights(model)) return model;
  const widened = mapInitializers(model, (tensor) => convertRawTensor(tensor, FLOAT16, FLOAT, widenRaw) ?? tensor);
  return concat(
    fieldsOf(widened)
      .filter((f) => !(f.field === MODEL_METADATA && f.payload !== undefined && metadataKeyOf(f.payload) === STORED_WEIGHTS_KEY))
      .map((f) => f.raw),
  );
}

/**
 * Stores a float32 model's weights as float16 with the marker appended: every float32
 * initializer whose values are all exactly float16 is narrowed; the others stay float32.
 * Returns the new model and how many initializers were narrowed and kept.
 */
export function storeWeightsAsFloat16(model: Uint8Array): { model: Uint8Array; narrowed: number; kept: number } {
  let narrowed = 0;
  let kept = 0;
  const mapped = mapInitializers(model, (tensor) => {
    let exact = true;
    const converted = convertRawTensor(tensor, FLOAT, FLOAT16, (raw) => {
      const half = narrowRaw(raw);
      exact = half !== undefined;
      return half ?? raw;
    });
    if (converted === undefined) return tensor;
    if (!exact) {
      kept++;
      return tensor;
    }
    narrowed++;
    return converted;
  });
  const entry = concat([
    delimited((ENTRY_KEY << 3) | 2, new TextEncoder().encode(STORED_WEIGHTS_KEY)),
    delimited((2 << 3) | 2, new TextEncoder().encode('float16')),
  ]);
  return { model: concat([mapped, delimited((MODEL_METADATA << 3) | 2, entry)]), narrowed, kept };
}
