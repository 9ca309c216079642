// SIGHUP on the real process re-reads ALGO_API_TOKENS_FILE without a restart: a rotated-out
// token is refused, the new one (held in the file as its SHA-256) accepted; a broken file keeps
// the tokens in use and says why.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { waitFor } from '../helpers/wait.js';

const OLD = 'rotate-old-token-3a9c1e7f5b0d';
const NEW = 'rotate-new-token-8e2b6d0a4c1f';
const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

describe('SIGHUP and the API tokens file', () => {
  let run: AlgoProcess | undefined;
  after(async () => {
    run?.child.kill('SIGTERM');
    await run?.exit;
  });

  test('rotation: the old token is refused and the new one accepted, by the same process; a broken file keeps the current tokens', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-tokens-'));
    const file = join(dir, 'tokens');
    await writeFile(file, `# API tokens\nviewer:read+metrics=${OLD}\n`);
    const port = await freePort();
    run = spawnAlgo({ PORT: String(port), ALGO_API_TOKENS_FILE: file });
    const url = `http://127.0.0.1:${port}`;
    await waitFor('start-up', async () => (run!.output().includes('algo is ready') ? true : undefined), 30_000);
    const info = async (token: string): Promise<number> =>
      (await fetch(`${url}/api/v1/info`, { headers: { authorization: `Bearer ${token}` } })).status;
    const pid = run.child.pid;
    assert.equal(await info(OLD), 200);
    assert.equal(await info(NEW), 401);

    await writeFile(file, `# rotated: the file holds only the digest\nviewer:read+metrics=sha256:${sha256(NEW)}\n`);
    run.child.kill('SIGHUP');
    await waitFor('tokens reloaded', async () => (run!.output().includes('API tokens reloaded') ? true : undefined), 10_000, 50);
    assert.equal(await info(OLD), 401);
    assert.equal(await info(NEW), 200);

    await writeFile(file, `viewer:read+everything=${OLD}\n`);
    run.child.kill('SIGHUP');
    await waitFor('broken file reported', async () => (run!.output().includes('API tokens not reloaded') ? true : undefined), 10_000, 50);
    assert.match(run.output(), /"problem":"line 1 \(viewer\): scopes must be one or more of/);
    assert.equal(await info(NEW), 200);
    assert.equal(await info(OLD), 401);

    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${NEW}` } })).text();
    assert.match(metrics, /^api_token_requests_total\{token="viewer",scope="read"\} 3$/m);
    assert.equal(run.child.exitCode, null);
    assert.equal(run.child.pid, pid, 'the same process throughout');
    assertNoKeyText(run.output() + metrics, [OLD, NEW], 'process output and /metrics');
  });
});
