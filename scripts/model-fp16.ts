// npm run model:fp16 — stores the built-in model's weights as float16 (they were float16 in
// the TensorFlow.js original, so nothing is lost): every float32 initializer whose values are
// all exactly float16 is narrowed, and the file is marked so algo widens them back at load.
// Refuses to write unless widening the result gives back the input byte for byte.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { BUILTIN_MODEL } from '../src/detect/builtin-model.js';
import { hasStoredFloat16Weights, storeWeightsAsFloat16, widenStoredWeights } from '../src/detect/onnx/stored-weights.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const input = process.argv[2] ?? BUILTIN_MODEL.path;
const output = process.argv[3] ?? input;
const original = await readFile(input);
if (hasStoredFloat16Weights(original)) {
  console.log(`${input} already stores its weights as float16 (sha256 ${sha256(original)})`);
  process.exit(0);
}
const { model, narrowed, kept } = storeWeightsAsFloat16(original);
if (Buffer.compare(Buffer.from(widenStoredWeights(model)), original) !== 0) {
  console.error('widening the float16 file does not give back the original: not written');
  process.exit(1);
}
await writeFile(output, model);
console.log(`${narrowed} initializers stored as float16, ${kept} kept as float32`);
console.log(`${input}: ${original.length} bytes, sha256 ${sha256(original)}`);
console.log(`${output}: ${model.length} bytes, sha256 ${sha256(model)} (widens back to the input exactly)`);
