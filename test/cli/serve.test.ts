// The real entry point as users run it: a separate Node process.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const serve = spawnAlgo;

describe('algo process', () => {
  test('a bad configuration value stops start-up with a message naming it', async () => {
    const run = serve({ PORT: 'eighty' });
    assert.equal(await run.exit, 2);
    assert.match(run.output(), /PORT="eighty" is not allowed; expected an integer from 0 to 65535/);
  });

  test('a metrics path that collides with a health route is a configuration error (exit 2), not a Fastify crash', async () => {
    const run = serve({ PORT: '0', ALGO_METRICS_PATH: '/healthz' });
    assert.equal(await run.exit, 2);
    assert.match(run.output(), /ALGO_METRICS_PATH="\/healthz" is not allowed/);
  });

  test('a missing model file stops start-up with an error naming the file', async () => {
    const run = serve({ PORT: '0', ALGO_MODEL_PATH: '/models/missing-yolov8n.onnx' });
    assert.equal(await run.exit, 1);
    assert.match(run.output(), /failed to start: Cannot load model \/models\/missing-yolov8n\.onnx: file not found/);
  });

  test('a bad keys or prompt file is a configuration error (exit 2) naming the variable and line, found before the detector loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-serve-keys-'));
    const keys = join(dir, 'keys');
    await writeFile(keys, 'good=sk-serve-secret-1\nbad alias=sk-serve-secret-2\n');
    // A missing model file too: were the detector loaded first, this would be exit 1.
    const missingModel = { ALGO_MODEL_PATH: join(dir, 'missing.onnx') };
    for (const [env, message] of [
      [
        { ALGO_LLM_API_KEYS_FILE: '/nonexistent' },
        /algo: Invalid configuration: ALGO_LLM_API_KEYS_FILE="\/nonexistent" is not allowed; expected a readable file .*cannot read it: ENOENT/,
      ],
      [
        { ALGO_LLM_API_KEYS_FILE: keys },
        /algo: Invalid configuration: ALGO_LLM_API_KEYS_FILE=".*keys" is not allowed; expected .*line 2: the alias before "=" must be/,
      ],
      [
        { ALGO_LLM_PROMPT_FILE: '/nonexistent' },
        /algo: Invalid configuration: ALGO_LLM_PROMPT_FILE="\/nonexistent" is not allowed; expected a readable, non-empty prompt template file/,
      ],
    ] as const) {
      const run = serve({ PORT: '0', ...missingModel, ...env });
      assert.equal(await run.exit, 2, run.output());
      assert.match(run.output(), message);
      assert.doesNotMatch(run.output(), /failed to start|detector loaded|sk-serve-secret/);
    }
  });

  test('start-up logs the metrics line, SIGTERM drains and exits 0', async () => {
    const port = await freePort();
    const run = serve({ PORT: String(port), ALGO_SHUTDOWN_DELAY_MS: '200' });
    await waitFor(
      'start-up line',
      async () => (run.output().includes('Prometheus metrics endpoint enabled at /metrics') ? true : undefined),
      60_000,
    );
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(response.status, 200);
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
    assert.match(run.output(), /readiness reports draining/);
    assert.match(run.output(), /algo stopped/);
  });
});
