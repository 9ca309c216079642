// The built-in model is shipped, not downloaded: the file in assets/models is the one its
// provenance describes, with its licence, and every way of running algo finds it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { BUILTIN_MODEL } from '../../src/detect/builtin-model.js';

describe('built-in model file', () => {
  test('its sha256 is the one in the code and in PROVENANCE.md', async () => {
    const sha256 = createHash('sha256')
      .update(await readFile(BUILTIN_MODEL.path))
      .digest('hex');
    assert.equal(sha256, BUILTIN_MODEL.sha256);
    assert.ok((await readFile('assets/models/PROVENANCE.md', 'utf8')).includes(sha256));
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
