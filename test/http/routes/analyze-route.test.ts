// POST /api/v1/analyze through the real HTTP server and a real OpenAI-speaking server on
// loopback with one healthy, one rate-limited and one revoked key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderMetrics } from '../../../src/metrics/render.js';
import { startFakeOpenAi, type FakeOpenAi } from '../../helpers/fake-openai.js';
import { readFixture } from '../../helpers/images.js';
import { writeTestModel } from '../../helpers/models.js';
import { freePort } from '../../helpers/ports.js';
import { assertNoKeyText } from '../../helpers/secrets.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import { waitFor } from '../../helpers/wait.js';

const KEYS = { good: 'sk-good-0123456789abcdefGHIJ', limited: 'sk-limited-9876543210zyxwVUTS', revoked: 'sk-revoked-ABCDEFGH12345678ijkl' };
const RETRY_AFTER_S = 40;

interface AnalyzeAnswer {
  camera_id: string;
  objects: Array<{ label: string }>;
  groups: unknown[];
  timings_ms: Record<string, number>;
  summary: {
    text: string;
    source: string;
    provider: string;
    model: string;
    key_id: string | null;
    attempts: number;
    latency_ms: number;
    usage: Record<string, number> | null;
    error?: string;
  };
}

const body = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);
const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('POST /api/v1/analyze', () => {
  let fake: FakeOpenAi;
  let service: TestService;
  let modelPath: string;
  const answers: string[] = [];
  const analyze = async (target: TestService, query = '?camera_id=lobby'): Promise<{ status: number; body: AnalyzeAnswer }> => {
    const response = await fetch(`${target.url}/api/v1/analyze${query}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: body(await readFixture('person')),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: JSON.parse(text) as AnalyzeAnswer };
  };

  before(async () => {
    fake = await startFakeOpenAi();
    fake.script(KEYS.limited, { kind: 'rate_limited', retryAfter: String(RETRY_AFTER_S) });
    fake.script(KEYS.revoked, { kind: 'unauthorized' });
    modelPath = await writeTestModel();
    service = await startTestService({
      ALGO_MODEL_PATH: modelPath,
      ALGO_LLM_BASE_URL: fake.baseUrl,
      ALGO_LLM_MODEL: 'gpt-test',
      ALGO_LLM_PROVIDER: 'fakeai',
      ALGO_LLM_API_KEYS: `revoked=${KEYS.revoked},limited=${KEYS.limited},good=${KEYS.good}`,
    });
  });
  after(async () => {
    await service?.stop('test');
    await fake?.close();
  });

  test('with a healthy, a rate-limited and a revoked key every answer is 200 with an LLM summary', async () => {
    const started = Date.now() / 1000;
    for (let i = 0; i < 8; i++) {
      const { status, body: answer } = await analyze(service);
      assert.equal(status, 200);
      assert.equal(answer.camera_id, 'lobby');
      assert.equal(answer.objects[0]?.label, 'person');
      assert.ok('timings_ms' in answer && Array.isArray(answer.groups));
      assert.equal(answer.summary.source, 'llm', JSON.stringify(answer.summary));
      assert.equal(answer.summary.text, 'Three people stand together near a dog.');
      assert.equal(answer.summary.key_id, 'good');
      assert.equal(answer.summary.provider, 'fakeai');
      assert.equal(answer.summary.model, 'gpt-test');
      assert.deepEqual(answer.summary.usage, { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 });
      assert.equal(answer.summary.error, undefined);
    }
    assert.equal(fake.requestsFor(KEYS.revoked).length, 1, 'the revoked key is tried once');
    assert.equal(fake.requestsFor(KEYS.limited).length, 1, 'the limited key rests for its Retry-After');
    assert.equal(fake.requestsFor(KEYS.good).length, 8);

    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.equal(metricValue(text, 'api_key_state{key_id="good"}'), 0);
    assert.equal(metricValue(text, 'api_key_state{key_id="limited"}'), 1);
    assert.equal(metricValue(text, 'api_key_state{key_id="revoked"}'), 2);
    const until = metricValue(text, 'api_key_cooldown_until_seconds{key_id="limited"}');
    assert.ok(
      until !== undefined && until >= started + RETRY_AFTER_S - 1 && until <= Date.now() / 1000 + RETRY_AFTER_S + 1,
      `cooldown ends ${until} ≈ ${started} + ${RETRY_AFTER_S}`,
    );
    assert.equal(metricValue(text, 'api_key_cooldown_until_seconds{key_id="good"}'), undefined);
    assert.equal(metricValue(text, 'api_key_requests_total{key_id="good",outcome="success"}'), 8);
    assert.equal(metricValue(text, 'api_key_requests_total{key_id="limited",outcome="rate_limited"}'), 1);
    assert.equal(metricValue(text, 'api_key_requests_total{key_id="revoked",outcome="unauthorized"}'), 1);
    assert.equal(metricValue(text, 'api_key_success_rate{key_id="good"}'), 1);
    assert.equal(metricValue(text, 'api_key_success_rate{key_id="revoked"}'), 0);
    assert.equal(metricValue(text, 'llm_requests_total{provider="fakeai",model="gpt-test",status="success"}'), 8);
    assert.equal(metricValue(text, 'llm_requests_total{provider="fakeai",model="gpt-test",status="rate_limited"}'), 1);
    assert.equal(metricValue(text, 'llm_requests_total{provider="fakeai",model="gpt-test",status="unauthorized"}'), 1);
    assert.equal(metricValue(text, 'llm_latency_seconds_count{provider="fakeai",model="gpt-test"}'), 10);
    assert.equal(metricValue(text, 'llm_tokens_total{provider="fakeai",model="gpt-test",type="prompt"}'), 8 * 120);
    assert.equal(metricValue(text, 'llm_tokens_total{provider="fakeai",model="gpt-test",type="completion"}'), 8 * 12);
    assert.equal(metricValue(text, 'llm_scenes_total{source="llm"}'), 8);

    const warnings = service.logs.lines.filter((line) => line.level === 40 && String(line.msg).includes('disabled'));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.key_id, 'revoked');
    assert.match(warnings[0]!.msg, /LLM API key revoked disabled until the keys are reloaded/);
  });

  test('the prompt carries the detections: counts, groups and positions', () => {
    const prompt = fake.requestsFor(KEYS.good)[0]?.body?.messages?.find((m) => m.role === 'user')?.content;
    assert.equal(typeof prompt, 'string');
    assert.match(String(prompt), /Camera lobby, frame 640x424 px/);
    assert.match(String(prompt), /Detected: \d+ person/);
    assert.match(String(prompt), /Groups of people: 3 people at /);
    assert.match(String(prompt), /- person 0\.90 (top|middle|bottom)-(left|center|right)|- person 0\.90 center/);
  });

  test('bad input to analyze is refused and counted like detect', async () => {
    const response = await fetch(`${service.url}/api/v1/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 415);
    assert.equal(((await response.json()) as { code: string }).code, 'unsupported_type');
    const empty = await fetch(`${service.url}/api/v1/analyze?camera_id=%3Cx%3E`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: body(await readFixture('person')),
    });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { code: string }).code, 'invalid_camera_id');
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.ok((metricValue(text, 'detection_errors_total{reason="unsupported_type"}') ?? 0) >= 1);
    assert.ok((metricValue(text, 'detection_errors_total{reason="invalid_camera_id"}') ?? 0) >= 1);
    assert.ok((metricValue(text, 'http_requests_total{method="POST",route="/api/v1/analyze",status_code="415"}') ?? 0) >= 1);
  });

  test('with the LLM unreachable the detections still come back with a template summary', async () => {
    const closedPort = await freePort();
    const offline = await startTestService({
      ALGO_MODEL_PATH: modelPath,
      ALGO_LLM_BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      ALGO_LLM_API_KEYS: `only=${KEYS.good}`,
      ALGO_LLM_TIMEOUT_MS: '3000',
    });
    try {
      const { status, body: answer } = await analyze(offline);
      assert.equal(status, 200);
      assert.ok(answer.objects.length > 0);
      assert.equal(answer.summary.source, 'template');
      assert.equal(answer.summary.error, 'llm_unavailable');
      assert.equal(answer.summary.attempts, 3);
      assert.equal(answer.summary.provider, 'local');
      assert.match(answer.summary.text, /^\d+ people in 1 group/);
      const text = await renderMetrics(offline.metrics.registry, 'prometheus');
      assert.equal(metricValue(text, 'llm_requests_total{provider="local",model="gpt-4o-mini",status="error"}'), 3);
      assert.equal(metricValue(text, 'llm_scene_failures_total{reason="llm_unavailable"}'), 1);
      assert.equal(metricValue(text, 'llm_scenes_total{source="template"}'), 1);
      assertNoKeyText(offline.logs.raw.join('\n') + text, Object.values(KEYS), 'the offline service');
    } finally {
      await offline.stop('test');
    }
  });

  test('with no keys configured the answer has a template summary and no error', async () => {
    const plain = await startTestService({ ALGO_MODEL_PATH: modelPath });
    try {
      const { status, body: answer } = await analyze(plain);
      assert.equal(status, 200);
      assert.equal(answer.summary.source, 'template');
      assert.equal(answer.summary.error, undefined);
      assert.equal(answer.summary.attempts, 0);
      assert.equal(answer.summary.key_id, null);
    } finally {
      await plain.stop('test');
    }
  });

  test('no key text in /metrics, the logs or any answer', async () => {
    const scrape = await (await fetch(`${service.url}/metrics`)).text();
    assertNoKeyText(scrape, Object.values(KEYS), '/metrics');
    assertNoKeyText(service.logs.raw.join('\n'), Object.values(KEYS), 'the logs');
    assertNoKeyText(answers.join('\n'), Object.values(KEYS), 'the answers');
    assert.ok(fake.requestsFor(KEYS.revoked).length > 0, 'the revoked key did reach the API (its text was there to leak)');
  });

  describe('cancellation', () => {
    const HANG = 'sk-hang-71e0c2b5a9d4f3e8';
    let hanging: TestService;
    before(async () => {
      fake.script(HANG, { kind: 'hang' });
      hanging = await startTestService({ ALGO_MODEL_PATH: modelPath, ALGO_LLM_BASE_URL: fake.baseUrl, ALGO_LLM_API_KEYS: `slow=${HANG}` });
    });
    after(() => hanging?.stop('test'));

    test('a client that disconnects cancels the upstream LLM call', async () => {
      const client = new AbortController();
      const request = fetch(`${hanging.url}/api/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: body(await readFixture('person')),
        signal: client.signal,
      }).catch(() => 'aborted');
      const before = fake.cancelled;
      await waitFor('the upstream call', async () => (fake.requestsFor(HANG).length >= 1 ? true : undefined), 20_000, 20);
      client.abort();
      assert.equal(await request, 'aborted');
      await waitFor('the upstream call cancelled', async () => (fake.cancelled > before ? true : undefined), 10_000, 20);
      const aborted = async (): Promise<number | undefined> =>
        metricValue(await renderMetrics(hanging.metrics.registry, 'prometheus'), 'llm_scene_failures_total{reason="llm_aborted"}');
      await waitFor('the aborted summary counted', async () => ((await aborted()) === 1 ? true : undefined), 10_000, 20);
      const text = await renderMetrics(hanging.metrics.registry, 'prometheus');
      assert.equal(metricValue(text, 'api_key_requests_total{key_id="slow",outcome="failure"}'), undefined, 'not held against the key');
    });

    test('shutdown cancels the LLM call in flight; the request still gets its detections', async () => {
      const request = fetch(`${hanging.url}/api/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: body(await readFixture('person')),
      });
      await waitFor('the upstream call', async () => (fake.requestsFor(HANG).length >= 2 ? true : undefined), 20_000, 20);
      const stopped = hanging.stop('test');
      const response = await request;
      assert.equal(response.status, 200);
      const answer = (await response.json()) as AnalyzeAnswer;
      assert.ok(answer.objects.length > 0);
      assert.deepEqual([answer.summary.source, answer.summary.error], ['template', 'llm_aborted']);
      assert.deepEqual([answer.summary.key_id, answer.summary.attempts], ['slow', 1], 'key_id: the key whose call shutdown cut');
      assert.equal(await stopped, 0);
      const text = await renderMetrics(hanging.metrics.registry, 'prometheus');
      assert.equal(metricValue(text, 'llm_scene_failures_total{reason="llm_aborted"}'), 2, 'the disconnect and the shutdown');
    });
  });
});
