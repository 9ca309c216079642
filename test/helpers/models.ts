// Writes the generated test model (and broken variants) to a temporary folder.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCostModel } from '../../bench/yolo-cost-model.js';
import { encodeModel } from './onnx-writer.js';
import { buildTestModel } from './yolo-test-model.js';

export async function writeTempFile(name: string, bytes: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-model-'));
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

export const writeTestModel = (): Promise<string> => writeTempFile('algo-test.onnx', buildTestModel());

/**
 * A deliberately slow real detector, for tests that need frames to pile up: the YOLOv8n-cost
 * graph at 960×960 (about 2.3× YOLOv8n's work, roughly 100–250 ms a frame on 2 shared cores).
 */
export const writeSlowModel = (): Promise<string> => writeTempFile('yolov8n-cost-960.onnx', buildCostModel(960).bytes);

/** A valid ONNX model that is not a detector: its output is the image itself. */
export const writeNonDetectorModel = (): Promise<string> =>
  writeTempFile(
    'identity.onnx',
    encodeModel({
      inputs: [{ name: 'images', dims: [1, 3, 64, 64] }],
      outputs: [{ name: 'out', dims: [1, 3, 64, 64] }],
      nodes: [{ op: 'Identity', inputs: ['images'], outputs: ['out'] }],
      initializers: [],
    }),
  );
