import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { AccessControl } from '../../src/auth/access-control.js';
import { buildApp } from '../../src/http/app.js';
import { Lifecycle } from '../../src/http/lifecycle.js';
import { RateLimitedLog } from '../../src/log/rate-limited-log.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { openSocket, rawExchange, readAnswers } from '../helpers/raw-http.js';
import { LogCapture, startTestService, testConfig, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const running: TestService[] = [];
async function start(env: Record<string, string> = {}): Promise<TestService> {
  const service = await startTestService(env);
  running.push(service);
  return service;
}
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop('test');
});

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers });
  assert.equal(response.status, 200);
  return response.text();
}
const series = (text: string, prefix: string): string[] => text.split('\n').filter((line) => line.startsWith(prefix));

describe('HTTP service', () => {
  test('/metrics answers in the Prometheus text format by default', async () => {
    const service = await start();
    const response = await fetch(`${service.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(await response.text(), /^# TYPE process_cpu_seconds_total counter$/m);
  });

  test('OpenMetrics is served when the Accept header asks for it', async () => {
    const service = await start();
    const response = await fetch(`${service.url}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
    });
    assert.equal(response.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok((await response.text()).endsWith('# EOF\n'));
  });

  test('OpenMetrics is not served when Accept refuses it (q=0) or prefers the text format', async () => {
    const service = await start();
    for (const accept of [
      'application/openmetrics-text;q=0, text/plain',
      'application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9',
      'application/openmetrics-text; q=0',
    ]) {
      const response = await fetch(`${service.url}/metrics`, { headers: { accept } });
      assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8', accept);
    }
    const prometheus =
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    const response = await fetch(`${service.url}/metrics`, { headers: { accept: prometheus } });
    assert.equal(response.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  });

  test('requests are labelled by route template, not raw URL', async () => {
    const logs = new LogCapture();
    const logger = createLogger('info', logs);
    const metrics = createMetrics({ maxCameras: 5, apiKeyWindowSeconds: 60 }, { runtime: false });
    const config = testConfig();
    const throttledLog = new RateLimitedLog(logger, { intervalMs: 1000 });
    const app = buildApp({
      config,
      logger,
      metrics,
      lifecycle: new Lifecycle(),
      throttledLog,
      access: new AccessControl({ config: config.auth, metricsToken: undefined, recorder: metrics.auth, throttledLog, logger }),
      tls: undefined,
      routes: (instance) => instance.get('/api/v1/cameras/:id', async (request) => ({ id: (request.params as { id: string }).id })),
    });
    for (const id of ['1', '2', 'front-door']) assert.equal((await app.inject({ url: `/api/v1/cameras/${id}` })).statusCode, 200);
    const text = (await app.inject({ url: '/metrics' })).body;
    await app.close();
    assert.deepEqual(series(text, 'http_requests_total{method="GET",route="/api/v1/cameras'), [
      'http_requests_total{method="GET",route="/api/v1/cameras/:id",status_code="200"} 3',
    ]);
    assert.ok(!text.includes('front-door'));
  });

  test('unmatched routes share one route label', async () => {
    const service = await start();
    for (let i = 0; i < 25; i++) await fetch(`${service.url}/scan/${i}/wp-admin.php?x=${i}`);
    await fetch(`${service.url}/%E0%A4%A`); // malformed percent-encoding goes through the framework error path
    const text = await scrape(service.url);
    const notFound = series(text, 'http_requests_total{').filter((line) => !line.includes('route="/metrics"'));
    assert.deepEqual(notFound.sort(), [
      'http_requests_total{method="GET",route="unmatched",status_code="400"} 1',
      'http_requests_total{method="GET",route="unmatched",status_code="404"} 25',
    ]);
  });

  test('errors answer JSON with a stable code', async () => {
    const service = await start();
    const response = await fetch(`${service.url}/nowhere`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      statusCode: 404,
      code: 'not_found',
      error: 'Not Found',
      message: 'Route GET /nowhere not found',
    });
    // The answer names the path, bounded: a 5 000-character one does not come back whole.
    const long = await fetch(`${service.url}/${'x'.repeat(5000)}`);
    assert.equal(long.status, 404);
    const text = await long.text();
    assert.ok(text.length < 600, `${text.length} characters`);
    assert.equal((JSON.parse(text) as { code: string }).code, 'not_found');
  });

  test('in-flight gauge counts the scrape in progress and nothing else', async () => {
    const service = await start();
    await fetch(`${service.url}/api/v1/info`);
    assert.deepEqual(series(await scrape(service.url), 'http_requests_in_flight '), ['http_requests_in_flight 1']);
  });

  test('disabled metrics: /metrics is 404 and no HTTP instrumentation runs', async () => {
    const service = await start({ ALGO_ENABLE_PROMETHEUS: 'false' });
    assert.equal((await fetch(`${service.url}/metrics`)).status, 404);
    await fetch(`${service.url}/api/v1/info`);
    const text = (await service.metrics.registry.getSingleMetricAsString('http_requests_total')).trim();
    assert.deepEqual(series(text, 'http_requests_total{'), []);
    assert.ok(service.logs.lines.some((line) => line.msg === 'Prometheus metrics endpoint disabled (ALGO_ENABLE_PROMETHEUS=false)'));
  });

  test('a custom metrics path is served and announced in the start-up line', async () => {
    const service = await start({ ALGO_METRICS_PATH: '/internal/prom' });
    assert.equal((await fetch(`${service.url}/internal/prom`)).status, 200);
    assert.equal((await fetch(`${service.url}/metrics`)).status, 404);
    assert.ok(service.logs.lines.some((line) => line.msg === 'Prometheus metrics endpoint enabled at /internal/prom'));
  });

  test('a separate metrics port serves /metrics there and not on the main port', async () => {
    const service = await start({ ALGO_METRICS_PORT: '0' });
    assert.ok(service.metricsUrl !== undefined && service.metricsUrl !== service.url);
    assert.equal((await fetch(`${service.url}/metrics`)).status, 404);
    await fetch(`${service.url}/api/v1/info`);
    const text = await scrape(service.metricsUrl);
    assert.deepEqual(series(text, 'http_requests_total{method="GET",route="/api/v1/info"'), [
      'http_requests_total{method="GET",route="/api/v1/info",status_code="200"} 1',
    ]);
  });

  test('a bearer token is required to scrape when configured', async () => {
    const token = 'scrape-token-0123456789';
    const service = await start({ ALGO_METRICS_TOKEN: token });
    const missing = await fetch(`${service.url}/metrics`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="algo-metrics"');
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-value' } })).status, 401);
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: `Basic ${token}` } })).status, 401);
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
    // The scheme is case-insensitive (RFC 9110 §11.1).
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: `bearer ${token}` } })).status, 200);
    assert.equal((await fetch(`${service.url}/metrics`, { headers: { authorization: `BEARER  ${token}` } })).status, 200);
    const ok = await scrape(service.url, { authorization: `Bearer ${token}` });
    assert.match(ok, /http_requests_total\{method="GET",route="\/metrics",status_code="401"\} 4/);
    assert.ok(!service.logs.raw.join('\n').includes(token), 'token never logged');
  });

  test('scrapes and health probes write no log line at the default level; other requests write one', async () => {
    const service = await start();
    const before = service.logs.lines.length;
    for (let i = 0; i < 5; i++) {
      await fetch(`${service.url}/metrics`);
      await fetch(`${service.url}/healthz`);
      await fetch(`${service.url}/readyz`);
    }
    assert.equal(service.logs.lines.length, before);
    await fetch(`${service.url}/api/v1/info?camera=1`);
    const added = service.logs.lines.slice(before);
    assert.equal(added.length, 1);
    assert.deepEqual(
      { msg: added[0]?.msg, route: added[0]?.route, path: added[0]?.path, statusCode: added[0]?.statusCode },
      { msg: 'request completed', route: '/api/v1/info', path: '/api/v1/info', statusCode: 200 },
    );
    assert.equal(typeof added[0]?.responseTimeMs, 'number');
  });

  test('repeated requests of one kind write one line and then a summary; ALGO_LOG_REQUESTS=all writes one per request', async () => {
    const summarised = await start({ ALGO_LOG_SUMMARY_INTERVAL_MS: '3600000' });
    const before = summarised.logs.lines.length;
    for (let i = 0; i < 30; i++) await fetch(`${summarised.url}/api/v1/info`);
    assert.deepEqual(
      summarised.logs.lines.slice(before).map((line) => [line.msg, line.route]),
      [['request completed', '/api/v1/info']],
    );
    await summarised.stop('test');
    running.splice(running.indexOf(summarised), 1);
    const summary = summarised.logs.lines.find((line) => line.repeated !== undefined);
    assert.deepEqual(
      [summary?.msg, summary?.route, summary?.repeated],
      ['request completed (repeated)', '/api/v1/info', 29],
      'the count is written, at the latest at shutdown',
    );

    const each = await start({ ALGO_LOG_REQUESTS: 'all' });
    const start0 = each.logs.lines.length;
    for (let i = 0; i < 30; i++) await fetch(`${each.url}/api/v1/info`);
    assert.equal(each.logs.lines.slice(start0).filter((line) => line.msg === 'request completed').length, 30);
  });

  test('connections past ALGO_MAX_CONNECTIONS are closed at accept, counted and logged once', { timeout: 20_000 }, async () => {
    const service = await start({ ALGO_MAX_CONNECTIONS: '2' });
    const port = Number(new URL(service.url).port);
    const held = [await openSocket(port), await openSocket(port)];
    const extra = await openSocket(port);
    const { answers, closed } = await readAnswers(extra);
    assert.deepEqual({ answers: answers.length, closed }, { answers: 0, closed: true });
    await waitFor(
      'the log line',
      async () => (service.logs.lines.some((line) => line.msg === 'connection refused: ALGO_MAX_CONNECTIONS reached') ? true : undefined),
      5000,
      20,
    );
    assert.equal(await sampleValue(service.metrics.registry, 'http_connections_refused_total'), 1);
    for (const socket of held) socket.destroy();
    await waitFor(
      'a free slot',
      async () => ((await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')).answer?.status === 200 ? true : undefined),
      5000,
      50,
    );
  });

  test('/healthz is alive and /readyz turns not ready while draining', async () => {
    const service = await start();
    assert.deepEqual(await (await fetch(`${service.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${service.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { phase: string }).phase, 'ready');
  });
});
