// SIGHUP on the real process re-reads ALGO_LLM_API_KEYS_FILE without a restart.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
import { readFixture } from '../helpers/images.js';
import { writeTestModel } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { waitFor } from '../helpers/wait.js';

const REVOKED = 'sk-sighup-revoked-5f1c0e9a7b3d';
const FRESH = 'sk-sighup-fresh-2a8e4c6b0d9f';

describe('SIGHUP', () => {
  let fake: FakeOpenAi;
  let run: AlgoProcess | undefined;
  before(async () => {
    fake = await startFakeOpenAi();
    fake.script(REVOKED, { kind: 'unauthorized' });
  });
  after(async () => {
    run?.child.kill('SIGTERM');
    await run?.exit;
    await fake?.close();
  });

  test('reloads the API keys file: a new key is used, the revoked one leaves the metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-sighup-'));
    const keysFile = join(dir, 'keys');
    await writeFile(keysFile, `old=${REVOKED}\n`);
    const port = await freePort();
    run = spawnAlgo({
      PORT: String(port),
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_LLM_BASE_URL: fake.baseUrl,
      ALGO_LLM_API_KEYS_FILE: keysFile,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor('start-up', async () => (run!.output().includes('algo is ready') ? true : undefined), 30_000);
    const photo = new Uint8Array(await readFixture('person'));
    const analyze = async (): Promise<{ source: string; key_id: string | null; error?: string }> => {
      const response = await fetch(`${url}/api/v1/analyze`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo });
      assert.equal(response.status, 200);
      return ((await response.json()) as { summary: { source: string; key_id: string | null; error?: string } }).summary;
    };
    const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();

    assert.deepEqual(await analyze().then((s) => [s.source, s.error]), ['template', 'all_keys_disabled']);
    assert.match(await scrape(), /^api_key_state\{key_id="old"\} 2$/m);

    await writeFile(keysFile, `new=${FRESH}\n`);
    run.child.kill('SIGHUP');
    await waitFor('keys reloaded', async () => (run!.output().includes('API keys reloaded') ? true : undefined), 10_000, 50);
    const summary = await analyze();
    assert.deepEqual([summary.source, summary.key_id], ['llm', 'new']);
    const text = await scrape();
    assert.match(text, /^api_key_state\{key_id="new"\} 0$/m);
    assert.doesNotMatch(text, /api_key_state\{key_id="old"\}/);
    assert.equal(run.child.exitCode, null, 'still the same process');
    assertNoKeyText(run.output() + text, [REVOKED, FRESH], 'process output and /metrics');
  });
});
