// The doctor's LLM check against a real HTTP server speaking the OpenAI API: one GET /models
// with the first configured key, each failure classified with its cause and fix, the key never
// shown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkLlm } from '../../src/doctor/llm-checks.js';
import { llmTargetFrom } from '../../src/doctor/llm-target.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
import { freePort } from '../helpers/ports.js';

const SECRET = 'sk-doctor-check-0123456789';

describe('algo doctor: the LLM API', () => {
  let fake: FakeOpenAi;
  before(async () => {
    fake = await startFakeOpenAi();
  });
  after(() => fake.close());

  const run = async (env: Record<string, string>) => {
    const results = await checkLlm(llmTargetFrom(env), 5000);
    assert.equal(results.length, 1);
    assert.ok(!JSON.stringify(results).includes(SECRET), 'the key never appears in the report');
    return results[0]!;
  };

  test('no key configured: skipped, summaries come from the template', async () => {
    const result = await run({});
    assert.equal(result.status, 'skip');
    assert.equal(result.id, 'llm.models');
  });

  test('a working key and a listed model pass, with one GET /models and no completion', async () => {
    const before = fake.requests.length;
    const result = await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: `main=${SECRET}` });
    assert.equal(result.status, 'pass', result.detail);
    assert.match(result.detail, /key "main" accepted/);
    assert.equal(fake.requests.length - before, 1);
    assert.equal(fake.requests.at(-1)?.body, undefined);
  });

  test('a model the API does not list warns, naming one it does', async () => {
    const result = await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: SECRET, ALGO_LLM_MODEL: 'gpt-4o-mimi' });
    assert.equal(result.status, 'warn');
    assert.match(result.fix ?? '', /gpt-4o-mini/);
  });

  test('a revoked key fails as refused (401), naming the alias only', async () => {
    fake.script(`${SECRET}-revoked`, { kind: 'unauthorized' });
    const result = await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: `old=${SECRET}-revoked` });
    assert.equal(result.status, 'fail');
    assert.match(result.detail, /key "old".*refused \(401\)/);
    assert.match(result.fix ?? '', /SIGHUP/);
  });

  test('a base URL without /v1 fails with the URL to use instead', async () => {
    const result = await run({ ALGO_LLM_BASE_URL: fake.baseUrl.replace(/\/v1$/, ''), ALGO_LLM_API_KEYS: SECRET });
    assert.equal(result.status, 'fail');
    assert.match(result.cause ?? '', /lacks the API version \(\/v1\)/);
    assert.equal(result.fix, `set ALGO_LLM_BASE_URL=${fake.baseUrl}`);
  });

  test('a pasted /chat/completions is taken off as algo does', async () => {
    const result = await run({ ALGO_LLM_BASE_URL: `${fake.baseUrl}/chat/completions`, ALGO_LLM_API_KEYS: SECRET });
    assert.equal(result.status, 'pass', result.detail);
  });

  test('a rate-limited key warns; a failing provider warns', async () => {
    fake.script(`${SECRET}-busy`, { kind: 'rate_limited', retryAfter: '30' });
    assert.equal((await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: `${SECRET}-busy` })).status, 'warn');
    fake.script(`${SECRET}-5xx`, { kind: 'server_error', status: 503 });
    assert.equal((await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: `${SECRET}-5xx` })).status, 'warn');
  });

  test('nothing listening fails as refused, with the fix', async () => {
    const port = await freePort();
    const result = await run({ ALGO_LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, ALGO_LLM_API_KEYS: SECRET });
    assert.equal(result.status, 'fail');
    assert.match(result.detail, /unreachable \(refused\)/);
  });

  test('the first key of the keys file is used when ALGO_LLM_API_KEYS is unset', async () => {
    const { writeTempFile } = await import('../helpers/models.js');
    const file = await writeTempFile('keys.txt', Buffer.from(`# pool\nfromfile=${SECRET}\n`));
    const result = await run({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS_FILE: file });
    assert.match(result.detail, /key "fromfile" accepted/);
  });
});
