// Summaries through the real HTTP client, the key router and a real OpenAI-speaking server
// on loopback with failures injected per key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { DetectionResponse } from '../../src/detect/types.js';
import { createLlmService, type LlmService } from '../../src/llm/llm-service.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type AlgoMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { startFakeOpenAi, type FakeBehaviour, type FakeOpenAi } from '../helpers/fake-openai.js';
import { readFixture } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { LogCapture, testConfig } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const DETECTION: DetectionResponse = {
  camera_id: 'yard',
  model_type: 'yolov8n',
  image: { width: 1000, height: 600 },
  objects: [
    { label: 'person', class_id: 0, score: 0.9, box: { x: 100, y: 100, width: 50, height: 150 } },
    { label: 'person', class_id: 0, score: 0.8, box: { x: 160, y: 100, width: 50, height: 150 } },
    { label: 'person', class_id: 0, score: 0.7, box: { x: 220, y: 100, width: 50, height: 150 } },
    { label: 'dog', class_id: 16, score: 0.6, box: { x: 800, y: 450, width: 100, height: 80 } },
  ],
  groups: [{ id: 0, members: [0, 1, 2], size: 3, box: { x: 100, y: 100, width: 170, height: 150 } }],
  timings_ms: { decode: 1, preprocess: 1, inference: 1, postprocess: 1, total: 4 },
};

/** A distinct key per name, made of nothing that could appear in a log for another reason. */
const key = (name: string): string => `sk-${createHash('sha256').update(name).digest('base64url').slice(0, 32)}`;

interface Setup {
  llm: LlmService;
  metrics: AlgoMetrics;
  logs: LogCapture;
}

async function setup(fake: FakeOpenAi, env: Record<string, string>): Promise<Setup> {
  const config = testConfig({ ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_MODEL: 'gpt-test', ALGO_LLM_PROVIDER: 'fakeai', ...env });
  const metrics = createMetrics(config.metrics, { runtime: false });
  const logs = new LogCapture();
  const llm = await createLlmService(config.llm, metrics, createLogger('info', logs));
  return { llm, metrics, logs };
}

const value = async (metrics: AlgoMetrics, series: string): Promise<number | undefined> => {
  const line = (await renderMetrics(metrics.registry, 'prometheus')).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('scene summaries against an OpenAI-compatible server', () => {
  let fake: FakeOpenAi;
  const allKeys: string[] = [];
  const everything: string[] = [];
  before(async () => {
    fake = await startFakeOpenAi();
  });
  after(() => fake?.close());

  /** Two keys: `bad` with the behaviour under test first, then `good`. */
  async function failover(name: string, behaviour: FakeBehaviour, env: Record<string, string> = {}) {
    const bad = key(`${name}-bad`);
    const good = key(`${name}-good`);
    allKeys.push(bad, good);
    fake.script(bad, behaviour);
    const s = await setup(fake, { ALGO_LLM_API_KEYS: `bad=${bad},good=${good}`, ...env });
    const summary = await s.llm.summarizer.summarize(DETECTION, undefined);
    everything.push(JSON.stringify(summary), s.logs.raw.join('\n'), await renderMetrics(s.metrics.registry, 'prometheus'));
    return { ...s, summary, bad, good };
  }

  test('200: the answer text, usage and tokens are recorded', async () => {
    const { summary, metrics } = await failover('ok', { kind: 'ok', text: 'A quiet yard.' });
    assert.deepEqual(
      { ...summary, latency_ms: 0 },
      {
        text: 'A quiet yard.',
        source: 'llm',
        provider: 'fakeai',
        model: 'gpt-test',
        key_id: 'bad',
        attempts: 1,
        latency_ms: 0,
        usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 },
      },
    );
    assert.equal(await value(metrics, 'llm_tokens_total{provider="fakeai",model="gpt-test",type="prompt"}'), 120);
    assert.equal(await value(metrics, 'llm_requests_total{provider="fakeai",model="gpt-test",status="success"}'), 1);
  });

  const cases: Array<[string, FakeBehaviour, string, string, 'healthy' | 'cooling_down' | 'disabled']> = [
    ['429 with Retry-After', { kind: 'rate_limited', retryAfter: '7' }, 'rate_limited', 'rate_limited', 'cooling_down'],
    ['429 insufficient_quota', { kind: 'insufficient_quota' }, 'unauthorized', 'quota_exhausted', 'disabled'],
    ['401', { kind: 'unauthorized' }, 'unauthorized', 'unauthorized', 'disabled'],
    ['403', { kind: 'forbidden' }, 'unauthorized', 'unauthorized', 'disabled'],
    ['500', { kind: 'server_error' }, 'error', 'failure', 'healthy'],
    ['a hang past the attempt timeout', { kind: 'hang' }, 'timeout', 'failure', 'healthy'],
    ['malformed JSON', { kind: 'malformed' }, 'error', 'failure', 'healthy'],
    ['a connection reset', { kind: 'reset' }, 'error', 'failure', 'healthy'],
    ['a 200 body over 1 MiB', { kind: 'oversized', bytes: 2 * 1024 * 1024 }, 'error', 'failure', 'healthy'],
    ['a 200 body that never ends', { kind: 'endless' }, 'error', 'failure', 'healthy'],
  ];
  for (const [what, behaviour, llmStatus, keyOutcome, state] of cases) {
    test(`${what} on one key: the next key answers, and the attempt is counted as ${llmStatus}`, async () => {
      // Only the hang needs a short attempt timeout; the others get time to be read in full on a busy machine.
      const attemptTimeoutMs = behaviour.kind === 'hang' ? '300' : '5000';
      const { summary, metrics, llm } = await failover(what.replace(/\W+/g, '-'), behaviour, {
        ALGO_LLM_ATTEMPT_TIMEOUT_MS: attemptTimeoutMs,
      });
      assert.equal(summary.source, 'llm');
      assert.equal(summary.key_id, 'good');
      assert.equal(summary.attempts, 2);
      assert.equal(await value(metrics, `llm_requests_total{provider="fakeai",model="gpt-test",status="${llmStatus}"}`), 1);
      assert.equal(await value(metrics, 'llm_requests_total{provider="fakeai",model="gpt-test",status="success"}'), 1);
      assert.equal(await value(metrics, `api_key_requests_total{key_id="bad",outcome="${keyOutcome}"}`), 1);
      assert.equal(llm.router.states().find((k) => k.keyId === 'bad')?.state, state);
    });
  }

  test('summary.text is capped at 2000 characters', async () => {
    const { summary } = await failover('long-text', { kind: 'ok', text: 'word '.repeat(10_000) });
    assert.equal(summary.source, 'llm');
    assert.equal(summary.key_id, 'bad');
    assert.ok(summary.text.length <= 2000, String(summary.text.length));
    assert.ok(summary.text.length > 1500, String(summary.text.length));
    assert.ok(summary.text.endsWith('…'));
  });

  for (const [what, usage] of [
    ['absurd (1e15)', { prompt_tokens: 120, completion_tokens: 1e15, total_tokens: 1e15 }],
    ['negative or fractional', { prompt_tokens: 120, completion_tokens: -5, total_tokens: 2.5 }],
    ['not numbers', { prompt_tokens: 120, completion_tokens: '12', total_tokens: null }],
  ] as const) {
    test(`malformed usage (${what}) counts 0 tokens for those fields and keeps the summary`, async () => {
      const { summary, metrics } = await failover(`usage-${what.replace(/\W+/g, '-')}`, { kind: 'ok', text: 'Fine.', usage });
      assert.equal(summary.source, 'llm');
      assert.equal(summary.text, 'Fine.');
      assert.deepEqual(summary.usage, { prompt_tokens: 120, completion_tokens: 0, total_tokens: 0 });
      assert.equal(await value(metrics, 'llm_tokens_total{provider="fakeai",model="gpt-test",type="prompt"}'), 120);
      assert.equal((await value(metrics, 'llm_tokens_total{provider="fakeai",model="gpt-test",type="completion"}')) ?? 0, 0);
    });
  }

  test('Retry-After as an HTTP date rests the key until that date', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 20_000);
    const { llm } = await failover('date', { kind: 'rate_limited', retryAfter: at.toUTCString() });
    const until = llm.router.states().find((k) => k.keyId === 'bad')?.cooldownUntilMs;
    assert.ok(until !== undefined && Math.abs(until - at.getTime()) < 1_000, `${until} vs ${at.getTime()}`);
  });

  test('Retry-After as an RFC 850 or asctime date rests the key until that date too, not for a guessed second', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 20_000);
    const [weekday, day, month, year, time] = at.toUTCString().split(/,? /) as [string, string, string, string, string];
    const longDay = at.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
    for (const [form, value] of [
      ['rfc850', `${longDay}, ${day}-${month}-${year.slice(2)} ${time} GMT`],
      ['asctime', `${weekday} ${month} ${String(at.getUTCDate()).padStart(2, ' ')} ${time} ${year}`],
    ] as const) {
      const { llm } = await failover(`date-${form}`, { kind: 'rate_limited', retryAfter: value });
      const until = llm.router.states().find((k) => k.keyId === 'bad')?.cooldownUntilMs;
      assert.ok(until !== undefined && Math.abs(until - at.getTime()) < 1_000, `${value}: ${until} vs ${at.getTime()}`);
    }
  });

  test('every key failing: a template summary with the error code, every failure counted', async () => {
    const a = key('down-a');
    const b = key('down-b');
    allKeys.push(a, b);
    fake.script(a, { kind: 'server_error', status: 502 });
    fake.script(b, { kind: 'hang' });
    const { llm, metrics, logs } = await setup(fake, {
      ALGO_LLM_API_KEYS: `${a},${b}`,
      ALGO_LLM_ATTEMPT_TIMEOUT_MS: '200',
      ALGO_LLM_MAX_ATTEMPTS: '2',
    });
    const summary = await llm.summarizer.summarize(DETECTION, undefined);
    assert.equal(summary.source, 'template');
    assert.equal(summary.text, '3 people in 1 group, 1 dog');
    assert.equal(summary.error, 'llm_timeout');
    assert.equal(summary.attempts, 2);
    assert.match(summary.key_id ?? '', /^key-[0-9a-f]{10}$/, 'a bare key is named by its fingerprint');
    assert.equal(await value(metrics, 'llm_requests_total{provider="fakeai",model="gpt-test",status="error"}'), 1);
    assert.equal(await value(metrics, 'llm_requests_total{provider="fakeai",model="gpt-test",status="timeout"}'), 1);
    assert.equal(await value(metrics, 'llm_scene_failures_total{reason="llm_timeout"}'), 1);
    everything.push(JSON.stringify(summary), logs.raw.join('\n'), await renderMetrics(metrics.registry, 'prometheus'));
  });

  test('the per-request deadline bounds the whole summary', async () => {
    const a = key('slow');
    allKeys.push(a);
    fake.script(a, { kind: 'hang' });
    const { llm } = await setup(fake, {
      ALGO_LLM_API_KEYS: a,
      ALGO_LLM_TIMEOUT_MS: '300',
      ALGO_LLM_ATTEMPT_TIMEOUT_MS: '10000',
      ALGO_LLM_MAX_ATTEMPTS: '5',
    });
    const summary = await llm.summarizer.summarize(DETECTION, undefined);
    assert.equal(summary.error, 'llm_timeout');
    assert.equal(summary.attempts, 1, 'the attempt was cut at the request deadline, leaving no time for another');
  });

  test('a request whose deadline ran short while queuing in algo is cut without counting against the key', async () => {
    const a = key('queued');
    allKeys.push(a);
    // A server of its own: no pooled connection left over from other tests.
    const own = await startFakeOpenAi();
    try {
      // The first call answers slowly (and holds the only concurrency slot); the next one hangs.
      own.script(a, (n) => (n === 0 ? { kind: 'ok', delayMs: 300 } : { kind: 'hang' }));
      const { llm, metrics } = await setup(own, {
        ALGO_LLM_API_KEYS: `queued=${a}`,
        ALGO_LLM_MAX_CONCURRENCY: '1',
        ALGO_LLM_TIMEOUT_MS: '1500',
        ALGO_LLM_ATTEMPT_TIMEOUT_MS: '1500',
        ALGO_LLM_BREAKER_THRESHOLD: '1',
      });
      const [first, second] = await Promise.all([1, 2].map(() => llm.summarizer.summarize(DETECTION, undefined)));
      assert.equal(first?.source, 'llm');
      assert.deepEqual([second?.error, second?.attempts], ['llm_timeout', 1]);
      assert.equal(llm.router.states()[0]?.state, 'healthy', "the key never failed: the queued request's deadline did");
      assert.equal(await value(metrics, 'api_key_requests_total{key_id="queued",outcome="failure"}'), undefined);
    } finally {
      await own.close();
    }
  });

  test('with the LLM unreachable, once the circuit is open a summary falls back at once instead of waiting for the probe', async () => {
    const a = key('closed-port');
    allKeys.push(a);
    const config = testConfig({
      ALGO_LLM_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`,
      ALGO_LLM_API_KEYS: `down=${a}`,
      ALGO_LLM_BREAKER_COOLDOWN_MS: '5000',
    });
    const metrics = createMetrics(config.metrics, { runtime: false });
    const llm = await createLlmService(config.llm, metrics, createLogger('silent'));
    const first = await llm.summarizer.summarize(DETECTION, undefined);
    assert.deepEqual([first.error, first.attempts], ['llm_unavailable', 3]);
    // The circuit closes for a probe in 5 s, well within the 30 s deadline: not waited for.
    const second = await llm.summarizer.summarize(DETECTION, undefined);
    assert.deepEqual([second.source, second.error, second.attempts], ['template', 'all_keys_cooling_down', 0]);
  });

  test('a 400 (unknown model) is not retried on other keys', async () => {
    const { summary } = await failover('reject', { kind: 'bad_request' });
    assert.equal(summary.source, 'template');
    assert.equal(summary.error, 'llm_rejected');
    assert.equal(summary.attempts, 1);
  });

  test('with ALGO_LLM_VISION the frame goes along as a downscaled JPEG image part', async () => {
    const k = key('vision');
    allKeys.push(k);
    const { llm } = await setup(fake, { ALGO_LLM_API_KEYS: k, ALGO_LLM_VISION: 'true', ALGO_LLM_VISION_MAX_SIDE: '256' });
    const photo = await readFixture('horses');
    assert.equal((await llm.summarizer.summarize(DETECTION, photo)).source, 'llm');
    const content = fake.requestsFor(k)[0]?.body?.messages?.find((m) => m.role === 'user')?.content as Array<{
      type: string;
      text?: string;
      image_url?: { url: string };
    }>;
    assert.equal(content[0]?.type, 'text');
    assert.match(content[0]?.text ?? '', /Detected: 3 person, 1 dog/);
    const url = content[1]?.image_url?.url ?? '';
    assert.match(url, /^data:image\/jpeg;base64,/);
    const meta = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(Math.max(meta.width ?? 0, meta.height ?? 0), 256);
  });

  test('ALGO_LLM_PROMPT_FILE replaces the prompt, its placeholders filled from the detections', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-prompt-'));
    const file = join(dir, 'prompt.txt');
    await writeFile(file, 'Cam {{camera_id}}: {{counts}} | {{groups}} | {{template_summary}} | {{unknown}}');
    const k = key('prompt');
    allKeys.push(k);
    const { llm } = await setup(fake, { ALGO_LLM_API_KEYS: k, ALGO_LLM_PROMPT_FILE: file });
    await llm.summarizer.summarize(DETECTION, undefined);
    const content = fake.requestsFor(k)[0]?.body?.messages?.find((m) => m.role === 'user')?.content;
    assert.equal(content, 'Cam yard: 3 person, 1 dog | 3 people at top-left | 3 people in 1 group, 1 dog | {{unknown}}');
  });

  test('the keys file is read at start and again on reload; a revoked key is enabled again by the reload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-keys-'));
    const file = join(dir, 'keys');
    const first = key('file-first');
    const second = key('file-second');
    allKeys.push(first, second);
    fake.script(first, (n) => (n === 0 ? { kind: 'unauthorized' } : { kind: 'ok' }));
    await writeFile(file, `# team keys\nfirst=${first}\n\n`);
    const { llm, logs } = await setup(fake, { ALGO_LLM_API_KEYS_FILE: file });
    assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).error, 'all_keys_disabled');
    await writeFile(file, `first=${first}\nsecond=${second};rpm=100\n`);
    assert.deepEqual(await llm.reloadKeys(), { ok: true, keys: 2 });
    assert.deepEqual(
      llm.router.states().map((k) => [k.keyId, k.state]),
      [
        ['first', 'healthy'],
        ['second', 'healthy'],
      ],
    );
    assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).source, 'llm');
    await writeFile(file, `first=${first}\nbroken ${second}\n`);
    const refused = await llm.reloadKeys();
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.problem, /line 2: a key must be/);
    assert.equal(llm.router.size, 2, 'a bad file keeps the current keys');
    assert.ok(logs.lines.some((l) => l.msg === 'API keys not reloaded; the current keys stay in use'));
    everything.push(logs.raw.join('\n'), refused.ok ? '' : refused.problem);
  });

  test('a key disabled by a spurious 401 is probed again after ALGO_LLM_DISABLED_RETRY_S and serves again, without a reload', async () => {
    const k = key('spurious-401');
    allKeys.push(k);
    fake.script(k, (n) => (n === 0 ? { kind: 'unauthorized' } : { kind: 'ok', text: 'Back again.' }));
    const { llm, logs, metrics } = await setup(fake, { ALGO_LLM_API_KEYS: `only=${k}`, ALGO_LLM_DISABLED_RETRY_S: '0.2' });
    assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).error, 'all_keys_disabled');
    assert.equal(await value(metrics, 'api_key_state{key_id="only"}'), 2);
    const text = await waitFor(
      'the key to serve again',
      async () => {
        const summary = await llm.summarizer.summarize(DETECTION, undefined);
        return summary.source === 'llm' ? summary.text : undefined;
      },
      10_000,
      50,
    );
    assert.equal(text, 'Back again.');
    assert.equal(fake.requestsFor(k).length, 2, 'one probe request, none while disabled');
    assert.equal(await value(metrics, 'api_key_state{key_id="only"}'), 0);
    assert.ok(logs.lines.some((l) => l.msg === 'LLM API key only enabled again: a probe request was accepted'));
    everything.push(logs.raw.join('\n'));
  });

  test('a base URL without /v1 gets one warning naming the URL tried and the likely fix, however many calls fail', async () => {
    const k = key('no-v1');
    allKeys.push(k);
    const base = fake.baseUrl.replace(/\/v1$/, '');
    const { llm, logs } = await setup(fake, { ALGO_LLM_API_KEYS: k, ALGO_LLM_BASE_URL: base });
    for (let i = 0; i < 3; i++) assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).error, 'llm_rejected');
    const warnings = logs.lines.filter((l) => /answered 40[45]/.test(String(l.msg)));
    assert.deepEqual(
      warnings.map((l) => l.msg),
      [
        `LLM API answered 404 at ${base}/chat/completions; likely fix: ALGO_LLM_BASE_URL (${base}) probably lacks the API version: try ${base}/v1`,
      ],
    );
    everything.push(logs.raw.join('\n'));
  });

  test('a base URL with /chat/completions pasted in is used without it, with one warning', async () => {
    const k = key('pasted');
    allKeys.push(k);
    const { llm, logs } = await setup(fake, { ALGO_LLM_API_KEYS: k, ALGO_LLM_BASE_URL: `${fake.baseUrl}/chat/completions` });
    assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).source, 'llm');
    assert.equal((await llm.summarizer.summarize(DETECTION, undefined)).source, 'llm');
    assert.deepEqual(
      logs.lines.filter((l) => l.level === 40).map((l) => l.msg),
      [`ALGO_LLM_BASE_URL ends with /chat/completions, which algo appends itself: using ${fake.baseUrl}`],
    );
    everything.push(logs.raw.join('\n'));
  });

  test('a bad keys file stops start-up with an error that names the line, not the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-keys-'));
    const file = join(dir, 'keys');
    const secret = key('bad-file');
    allKeys.push(secret);
    await writeFile(file, `a=${secret}\nb=${secret}\n`);
    await assert.rejects(setup(fake, { ALGO_LLM_API_KEYS_FILE: file }), (error: Error) => {
      assert.match(
        error.message,
        /^Invalid configuration: ALGO_LLM_API_KEYS_FILE=".*keys" is not allowed; expected .*line 2: the same key is listed twice/,
      );
      everything.push(error.message);
      return true;
    });
    await assert.rejects(
      setup(fake, { ALGO_LLM_API_KEYS_FILE: join(dir, 'missing') }),
      /ALGO_LLM_API_KEYS_FILE=".*missing" is not allowed; .*cannot read it: ENOENT/,
    );
  });

  test('no key text in any summary, log line, error or metric of these runs', () => {
    assert.ok(everything.length > 20);
    assertNoKeyText(everything.join('\n'), allKeys, 'summaries, logs and metrics');
  });
});
