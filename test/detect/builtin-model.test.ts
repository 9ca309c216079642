// The built-in model is shipped, not downloaded: the file in assets/models is the one its
// provenance describes, with its licence, and every way of running algo finds it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { BUILTIN_MODEL } from '../../src/detect/builtin-model.js';
import { hasStoredFloat16Weights, narrowRaw, storeWeightsAsFloat16, widenStoredWeights } from '../../src/detect/onnx/stored-weights.js';
import { buildTestModel } from '../helpers/yolo-test-model.js';

describe('built-in model file', () => {
  test('its sha256 is the one in the code and in PROVENANCE.md', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(BUILTIN_MODEL.path))
      .digest('hex');
    assert.equal(sha256, BUILTIN_MODEL.sha256);
    assert.ok((await readFile('assets/models/PROVENANCE.md', 'utf8')).includes(sha256));
  });

  test('its weights are stored as float16 in half the bytes and widen back to the float32 file exactly (bit-identical detections)', async () => {
    const file = await readFile(BUILTIN_MODEL.path);
    assert.ok(hasStoredFloat16Weights(file));
    assert.ok(file.length < 4.5e6, `${file.length} bytes`);
    const widened = widenStoredWeights(file);
    assert.equal(widened.length, 8_158_149);
    assert.equal(createHash('sha256').update(widened).digest('hex'), BUILTIN_MODEL.float32Sha256);
    assert.ok((await readFile('assets/models/PROVENANCE.md', 'utf8')).includes(BUILTIN_MODEL.float32Sha256));
  });

  test('a model without the float16-storage marker (a user export, half=True or not) reaches onnxruntime untouched', async () => {
    const model = buildTestModel();
    assert.equal(hasStoredFloat16Weights(model), false);
    assert.equal(widenStoredWeights(model), model);
  });

  test('storing as float16 keeps a tensor in float32 when any of its values is not exactly a float16', () => {
    const exact = storeWeightsAsFloat16(buildTestModel());
    assert.ok(exact.narrowed > 0);
    assert.equal(Buffer.compare(Buffer.from(widenStoredWeights(exact.model)), Buffer.from(buildTestModel())), 0);
    assert.equal(narrowRaw(new Uint8Array(Float32Array.of(0.1).buffer)), undefined);
    assert.deepEqual([...narrowRaw(new Uint8Array(Float32Array.of(0.5, -2).buffer))!], [0x00, 0x38, 0x00, 0xc0]);
  });

  test('ships with the MIT licence of the weights it comes from', async () => {
    const licence = await readFile('assets/models/LICENSE', 'utf8');
    assert.match(licence, /^MIT License/);
    assert.match(licence, /Copyright \(c\) 2021 Vladimir Mandic/);
  });

  test('is found in the repository from the sources, the build and the Docker image', async () => {
    assert.equal(relative(process.cwd(), BUILTIN_MODEL.path), 'assets/models/centernet-mbv3-coco.onnx');
    const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(finalStage, /^COPY --chown=node:node assets\/models \.\/assets\/models$/m);
    assert.match(finalStage, /^COPY --from=build --chown=node:node \/app\/dist \.\/dist$/m);
  });

  test('the reference packages (the 166 MB models package, TensorFlow.js, OpenCV.js) are not dependencies', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const names = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
    assert.deepEqual(
      names.filter((name) => /^@vladmandic\/|^@tensorflow\/|opencv/.test(name)),
      [],
    );
  });
});
