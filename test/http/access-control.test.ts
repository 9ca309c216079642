// Access control seen from loopback, in-process: every route × every kind of credential, the
// modes, the route table, unmatched URLs, the throttle (the attacker on 127.0.0.2, a good
// client on 127.0.0.1), the metrics and the logs; and no token text anywhere in what algo says.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, before, describe, test } from 'node:test';
import { renderMetrics } from '../../src/metrics/render.js';
import {
  ALL_TOKENS,
  CAMERAS,
  ROUTES,
  TOKENS,
  TOKENS_ENV,
  WRONG_TOKEN,
  assertTokenAnswer,
  matrix,
  requestsHere,
} from '../helpers/access-matrix.js';
import { writeCamerasFile } from '../helpers/cameras.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { writeTestModel } from '../helpers/models.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { startTestService, type TestService } from '../helpers/service.js';

const running: TestService[] = [];
let base: Record<string, string>;
async function start(env: Record<string, string>, routes?: Parameters<typeof startTestService>[1]): Promise<TestService> {
  const service = await startTestService({ ...base, ...env }, routes);
  running.push(service);
  return service;
}
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop('test');
});

/** GET `url` from a given local address (127.0.0.2 is loopback too, and another client). */
function getFrom(
  localAddress: string,
  url: string,
  token: string,
): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers: { authorization: `Bearer ${token}` } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const refusalLines = (service: TestService) => service.logs.lines.filter((line) => line.msg === 'API request refused by access control');

describe('access control from loopback', () => {
  before(async () => {
    base = { ALGO_MODEL_PATH: await writeTestModel(), ALGO_CAMERAS_FILE: await writeCamerasFile(CAMERAS) };
  });

  test('tokens mode: every route × no token, wrong token, token without the scope, right token', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_AUTH_MAX_FAILURES: '1000' });
    const cases = matrix(service.url);
    const answers = await requestsHere(cases.map((c) => c.request));
    cases.forEach((c, i) => assertTokenAnswer(c, answers[i]!, 'auth_required'));

    const protectedRoutes = ROUTES.filter((route) => route.access !== 'public').length;
    const registry = service.metrics.registry;
    for (const reason of ['missing', 'invalid', 'forbidden'])
      assert.equal(await sampleValue(registry, `http_auth_failures_total{reason="${reason}"}`), protectedRoutes, reason);
    for (const reason of ['throttled', 'not_loopback'])
      assert.equal(await sampleValue(registry, `http_auth_failures_total{reason="${reason}"}`), 0);
    assert.equal(await sampleValue(registry, 'api_token_requests_total{token="read",scope="read"}'), 4);
    assert.equal(await sampleValue(registry, 'api_token_requests_total{token="admin",scope="admin"}'), 1);
    assert.equal(await sampleValue(registry, 'api_token_requests_total{token="metrics",scope="metrics"}'), 1);

    // One line per reason, the rest summarised later: never one line per attempt.
    assert.deepEqual(
      refusalLines(service).map((line) => line.reason),
      ['missing', 'invalid', 'forbidden'],
    );
    // The name of the token that lacked the scope is logged (under a key the logger does not redact).
    const forbiddenLine = refusalLines(service).find((line) => line.reason === 'forbidden');
    assert.ok(forbiddenLine?.tokenName === 'read' || forbiddenLine?.tokenName === 'admin', JSON.stringify(forbiddenLine));
    assert.ok(!service.logs.raw.some((line) => line.includes('[redacted]')), 'no refusal field is redacted');
    const metricsText = await renderMetrics(registry, 'prometheus');
    assertNoKeyText(
      service.logs.raw.join('\n') + metricsText + answers.map((a) => a.body + JSON.stringify(a.headers)).join('\n'),
      ALL_TOKENS,
      'logs, metrics and answers',
    );
  });

  test('loopback mode (the default without tokens): every route answers a client on this machine without a token', async () => {
    const service = await start({});
    const answers = await requestsHere(
      matrix(service.url)
        .filter((c) => c.credential === 'none')
        .map((c) => c.request),
    );
    ROUTES.forEach((route, i) =>
      assert.equal(answers[i]!.status, route.allowed, `${route.method} ${route.path}: ${answers[i]!.body.slice(0, 200)}`),
    );
    const startLine = service.logs.lines.find((line) => line.msg.startsWith('API access: loopback'));
    assert.equal(startLine?.mode, 'loopback');
    assert.equal(service.logs.lines.find((line) => line.msg === 'algo is ready')?.auth, 'loopback');
  });

  test('none mode must be asked for, serves every route and warns once at start-up', async () => {
    const service = await start({ ALGO_API_AUTH: 'none' });
    const answers = await requestsHere(
      matrix(service.url)
        .filter((c) => c.credential === 'none')
        .map((c) => c.request),
    );
    ROUTES.forEach((route, i) => assert.equal(answers[i]!.status, route.allowed, `${route.method} ${route.path}`));
    const warnings = service.logs.lines.filter((line) => line.level === 40 && line.mode === 'none');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.msg, /ALGO_API_AUTH=none/);
  });

  test('/metrics takes ALGO_METRICS_TOKEN or an API token with the metrics scope, in every mode', async () => {
    const metricsToken = 'scrape-only-token-2f9d6b0c4e8a';
    const modes: Array<Record<string, string>> = [{ ALGO_API_TOKENS: TOKENS_ENV }, {}, { ALGO_API_AUTH: 'none' }];
    for (const env of modes) {
      const service = await start({ ...env, ALGO_METRICS_TOKEN: metricsToken });
      const scrape = async (token?: string): Promise<number> =>
        (await fetch(`${service.url}/metrics`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })).status;
      assert.equal(await scrape(), 401, JSON.stringify(env));
      assert.equal(await scrape(metricsToken), 200, JSON.stringify(env));
      assert.equal(await scrape(WRONG_TOKEN), 401, JSON.stringify(env));
      if (env.ALGO_API_TOKENS !== undefined) {
        assert.equal(await scrape(TOKENS.metrics), 200);
        assert.equal(await scrape(TOKENS.read), 403);
        // The metrics token is a metrics credential only.
        const info = await fetch(`${service.url}/api/v1/info`, { headers: { authorization: `Bearer ${metricsToken}` } });
        assert.equal(info.status, 403);
      }
      assert.equal(await sampleValue(service.metrics.registry, 'api_token_requests_total{token="ALGO_METRICS_TOKEN",scope="metrics"}'), 1);
      assertNoKeyText(
        service.logs.raw.join('\n') + (await renderMetrics(service.metrics.registry, 'prometheus')),
        [metricsToken],
        'logs and metrics',
      );
      await running.pop()?.stop('test');
    }
  });

  test('ALGO_METRICS_TOKEN is no API token: the start-up log names none, and it does not reveal unknown URLs', async () => {
    const metricsToken = 'scrape-only-token-2f9d6b0c4e8a';
    const alone = await start({ ALGO_METRICS_TOKEN: metricsToken });
    const startLine = alone.logs.lines.find((line) => line.msg.startsWith('API access: loopback'));
    assert.deepEqual(startLine?.tokens, []);
    assert.match(startLine?.msg ?? '', /clients on this machine only/);
    await running.pop()?.stop('test');

    const withTokens = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_METRICS_TOKEN: metricsToken });
    const unknown = await fetch(`${withTokens.url}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(unknown.status, 401);
    assert.equal((await fetch(`${withTokens.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).status, 200);
  });

  test('the Bearer scheme is case-insensitive; other schemes count as no token', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV });
    for (const [header, status] of [
      [`bearer ${TOKENS.read}`, 200],
      [`BEARER   ${TOKENS.read}  `, 200],
      [`Basic ${TOKENS.read}`, 401],
      [`Bearer ${TOKENS.read}x`, 401],
      [`Bearer`, 401],
    ] as const) {
      assert.equal((await fetch(`${service.url}/api/v1/info`, { headers: { authorization: header } })).status, status, header);
    }
  });

  test('every registered route declares its scope or is explicitly public', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_METRICS_PORT: '0' });
    const undeclared = [...service.app.routeAccess, ...(service.metricsApp?.routeAccess ?? [])].filter((route) => !route.declared);
    assert.deepEqual(undeclared, []);
    const table = new Map(service.app.routeAccess.map((route) => [`${route.method} ${route.url}`, route.access]));
    for (const route of ROUTES.filter((r) => r.path !== '/metrics'))
      assert.equal(table.get(`${route.method} ${route.path.replace('/door', '/:id')}`), route.access, route.path);
    assert.equal(table.get('HEAD /healthz'), 'public');
    assert.equal(
      new Map(service.metricsApp?.routeAccess.map((route) => [`${route.method} ${route.url}`, route.access])).get('GET /metrics'),
      'metrics',
    );
  });

  test('a route that declares no scope needs admin', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV }, (app) => app.get('/api/v1/forgotten', async () => ({ ok: true })));
    assert.deepEqual(
      service.app.routeAccess
        .filter((route) => route.url === '/api/v1/forgotten')
        .map((route) => [route.method, route.access, route.declared]),
      [
        ['GET', 'admin', false],
        ['HEAD', 'admin', false],
      ],
    );
    const get = (token: string) => fetch(`${service.url}/api/v1/forgotten`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await get(TOKENS.read);
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { message: string }).message, /lacks the scope "admin"/);
    assert.equal((await get(TOKENS.admin)).status, 200);
  });

  test('an unknown URL answers 404 only to a client with a valid token, 401 to others', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV });
    const get = (token?: string) =>
      fetch(`${service.url}/api/v1/nothing-here`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    assert.equal((await get()).status, 401);
    assert.equal((await get(WRONG_TOKEN)).status, 401);
    assert.equal((await get(TOKENS.metrics)).status, 404);
  });

  test('an unknown URL refuses a client without a token before reading its body: 401, not 400 for bad JSON', async () => {
    // A short request deadline: a server that waited for the body would answer 408 instead.
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_HEADERS_TIMEOUT_MS: '1000', ALGO_REQUEST_TIMEOUT_MS: '2000' });
    const url = `${service.url}/api/v1/nothing-here`;
    const badJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not json' });
    assert.equal(badJson.status, 401);
    assert.equal(((await badJson.json()) as { code: string }).code, 'auth_required');

    // 20 MB announced, 64 KiB sent: the answer comes while the client is still sending.
    const answer = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) },
      });
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          req.destroy();
          resolve({ status: response.statusCode ?? 0, code: (JSON.parse(body) as { code: string }).code });
        });
      });
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024, '['));
    });
    assert.deepEqual(answer, { status: 401, code: 'auth_required' });
  });

  test('a reload that revokes a token ends the event streams opened with it; the others stay open', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'algo-tokens-'));
    const file = join(dir, 'tokens');
    const revokedToken = 'revoked-token-5c2e8a1f7d3b9e60';
    await writeFile(file, `gone:read=${revokedToken}\n`);
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_API_TOKENS_FILE: file });
    const open = async (token: string) => {
      const response = await fetch(`${service.url}/api/v1/events/stream`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      await reader.read(); // the opening comment
      return reader;
    };
    const revoked = await open(revokedToken);
    const kept = await open(TOKENS.read);
    await writeFile(file, '# gone is revoked\n');
    await service.access.reload();
    for (let chunk = await revoked.read(); !chunk.done; chunk = await revoked.read());
    assert.equal(await sampleValue(service.metrics.registry, 'scene_event_stream_clients'), 1, 'the stream of the kept token is open');
    await kept.cancel();
  });

  test('repeated bad tokens from one address get 429 with Retry-After, even with a right token; another client is not slowed', async () => {
    const service = await start({ ALGO_API_TOKENS: TOKENS_ENV, ALGO_AUTH_MAX_FAILURES: '5' });
    const url = `${service.url}/api/v1/info`;
    for (let i = 0; i < 5; i++) assert.equal((await getFrom('127.0.0.2', url, `${WRONG_TOKEN}${i}`)).status, 401);
    const throttled = await getFrom('127.0.0.2', url, TOKENS.read);
    assert.equal(throttled.status, 429);
    assert.equal(JSON.parse(throttled.body).code, 'auth_throttled');
    assert.ok(Number(throttled.retryAfter) > 0 && Number(throttled.retryAfter) <= 60, throttled.retryAfter);
    for (let i = 0; i < 20; i++) assert.equal((await getFrom('127.0.0.1', url, TOKENS.read)).status, 200);
    assert.equal(
      (await getFrom('127.0.0.1', url, WRONG_TOKEN)).status,
      401,
      'the good client is still told its token is wrong, not throttled',
    );
    assert.equal(await sampleValue(service.metrics.registry, 'http_auth_failures_total{reason="throttled"}'), 1);
    assert.equal(service.access.throttledAddresses, 2);
    assert.equal(refusalLines(service).filter((line) => line.reason === 'invalid').length, 1, 'bad tokens logged once, then summarised');
  });
});
