// Reads an ONNX file's metadata_props (Ultralytics keeps `names`, `imgsz`, `description`
// there); onnxruntime-node does not expose them.
import { ModelMetadataOnly } from './onnx-schema.js';

export function readOnnxMetadata(file: Uint8Array): Map<string, string> {
  const decoded = ModelMetadataOnly.toObject(ModelMetadataOnly.decode(file)) as { metadataProps?: Array<{ key?: string; value?: string }> };
  const metadata = new Map<string, string>();
  for (const entry of decoded.metadataProps ?? []) {
    if (entry.key !== undefined) metadata.set(entry.key, entry.value ?? '');
  }
  return metadata;
}

/** Ultralytics' imgsz metadata, e.g. "[640, 640]" → [640, 640] (height, width). */
export function parseImgsz(value: string | undefined): [number, number] | undefined {
  const numbers = value?.match(/\d+/g)?.map(Number);
  if (numbers === undefined || numbers.length === 0) return undefined;
  return [numbers[0]!, numbers[1] ?? numbers[0]!];
}
