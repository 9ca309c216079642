// Access control seen from another host: a test host in a network namespace, joined by a veth
// pair (10.203.x.y/30, nothing else is reached), so algo sees a non-loopback client. Skipped
// with a message when not root or without iproute2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
import { createTestHost, netnsUnavailable, requestsFrom, type TestHost } from '../helpers/netns.js';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo } from '../helpers/process.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { startTestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const unavailable = await netnsUnavailable();

describe('access control from another host', { skip: unavailable === undefined ? false : `skipped: ${unavailable}` }, () => {
  let host: TestHost;
  let base: Record<string, string>;
  before(async () => {
    host = await createTestHost();
    base = { HOST: '0.0.0.0', ALGO_MODEL_PATH: await writeTestModel(), ALGO_CAMERAS_FILE: await writeCamerasFile(CAMERAS) };
  });
  after(async () => {
    await host?.remove();
  });

  test('a fresh start (no settings) answers another host only on the health probes, and says how to configure tokens', async () => {
    const port = await freePort();
    const run = spawnAlgo({ ...base, PORT: String(port) });
    try {
      await waitFor('start-up', async () => (run.output().includes('algo is ready') ? true : undefined), 60_000);
      const remote = matrix(`http://${host.serverAddress}:${port}`).filter((c) => c.credential === 'none' || c.credential === 'wrong');
      const answers = await requestsFrom(
        host,
        remote.map((c) => c.request),
      );
      remote.forEach((c, i) => {
        const answer = answers[i]!;
        const what = `${c.route.method} ${c.route.path} (${c.credential} token)`;
        if (c.route.access === 'public') return assert.equal(answer.status, 200, what);
        const body = JSON.parse(answer.body) as { code: string; message: string };
        assert.equal(answer.status, 401, what);
        if (c.credential === 'wrong') return assert.equal(body.code, 'invalid_token', what);
        assert.equal(body.code, 'auth_required', what);
        assert.match(body.message, /ALGO_API_TOKENS or ALGO_API_TOKENS_FILE/, what);
        assert.match(body.message, /ALGO_API_AUTH=none/, what);
      });
      // The same routes still answer on this machine without a token.
      const local = await requestsHere(
        matrix(`http://127.0.0.1:${port}`)
          .filter((c) => c.credential === 'none')
          .map((c) => c.request),
      );
      ROUTES.forEach((route, i) => assert.equal(local[i]!.status, route.allowed, route.path));
      const metrics = local[ROUTES.findIndex((route) => route.path === '/metrics')]!.body;
      const protectedRoutes = ROUTES.filter((route) => route.access !== 'public').length;
      assert.match(metrics, new RegExp(`^http_auth_failures_total\\{reason="not_loopback"\\} ${protectedRoutes}$`, 'm'));
      assert.match(run.output(), /"mode":"loopback".*API access: loopback/);
      assertNoKeyText(run.output() + metrics, [WRONG_TOKEN], 'process output and metrics');
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
  });

  test('tokens mode: every route × no token, wrong token, token without the scope, right token', async () => {
    const service = await startTestService({ ...base, ALGO_API_TOKENS: TOKENS_ENV, ALGO_AUTH_MAX_FAILURES: '1000' });
    try {
      const cases = matrix(`http://${host.serverAddress}:${new URL(service.url).port}`);
      const answers = await requestsFrom(
        host,
        cases.map((c) => c.request),
      );
      cases.forEach((c, i) => assertTokenAnswer(c, answers[i]!, 'auth_required'));
      const text = await renderMetrics(service.metrics.registry, 'prometheus');
      assertNoKeyText(
        service.logs.raw.join('\n') + text + answers.map((a) => a.body + JSON.stringify(a.headers)).join('\n'),
        ALL_TOKENS,
        'logs, metrics and answers',
      );
    } finally {
      await service.stop('test');
    }
  });

  test('loopback mode with tokens: this machine needs none, another host needs one with the scope', async () => {
    const service = await startTestService({ ...base, ALGO_API_AUTH: 'loopback', ALGO_API_TOKENS: TOKENS_ENV });
    try {
      const remoteUrl = `http://${host.serverAddress}:${new URL(service.url).port}/api/v1/cameras`;
      const [none, right, other] = await requestsFrom(host, [
        { url: remoteUrl },
        { url: remoteUrl, headers: { authorization: `Bearer ${TOKENS.read}` } },
        { url: remoteUrl, headers: { authorization: `Bearer ${TOKENS.detect}` } },
      ]);
      assert.deepEqual([none!.status, right!.status, other!.status], [401, 200, 403]);
      assert.doesNotMatch(JSON.parse(none!.body).message as string, /ALGO_API_AUTH=none/);
      assert.equal((await fetch(`${service.url}/api/v1/cameras`)).status, 200);
    } finally {
      await service.stop('test');
    }
  });

  test('a password-guessing host is throttled (429, even with a right token) while a client on this machine is not slowed', async () => {
    const service = await startTestService({ ...base, ALGO_API_TOKENS: TOKENS_ENV, ALGO_AUTH_MAX_FAILURES: '10' });
    try {
      const remoteUrl = `http://${host.serverAddress}:${new URL(service.url).port}/api/v1/cameras`;
      const guesses = Array.from({ length: 30 }, (_, i) => ({
        url: remoteUrl,
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
      }));
      const answers = await requestsFrom(host, [...guesses, { url: remoteUrl, headers: { authorization: `Bearer ${TOKENS.read}` } }]);
      assert.deepEqual(
        answers.map((a) => a.status),
        [...Array<number>(10).fill(401), ...Array<number>(21).fill(429)],
      );
      const retryAfter = Number(answers.at(-1)!.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 60, String(retryAfter));
      // The good client on this machine: every request answered, none throttled.
      const local = await requestsHere(
        Array.from({ length: 30 }, () => ({ url: `${service.url}/api/v1/cameras`, headers: { authorization: `Bearer ${TOKENS.read}` } })),
      );
      assert.deepEqual(new Set(local.map((a) => a.status)), new Set([200]));
      const registry = service.metrics.registry;
      assert.equal(await sampleValue(registry, 'http_auth_failures_total{reason="invalid"}'), 10);
      assert.equal(await sampleValue(registry, 'http_auth_failures_total{reason="throttled"}'), 21);
      const refusals = service.logs.lines.filter((line) => line.msg === 'API request refused by access control');
      assert.deepEqual(
        refusals.map((line) => [line.reason, line.client]),
        [
          ['invalid', host.clientAddress],
          ['throttled', host.clientAddress],
        ],
      );
    } finally {
      await service.stop('test');
    }
  });
});
