import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessControl } from '../../src/auth/access-control.js';
import { parseTokenList } from '../../src/auth/api-tokens.js';
import type { AuthMode } from '../../src/auth/auth-config.js';
import { isLoopback } from '../../src/auth/loopback.js';
import { RateLimitedLog } from '../../src/log/rate-limited-log.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { LogCapture } from '../helpers/service.js';

const VIEWER = 'viewer-token-1c5e9a3f7b2d8e40';

const SCRAPER = 'scraper-token-7d1a4c9e2b6f0853';

function accessControl(mode: AuthMode = 'tokens', tokenList = `viewer:read+metrics=${VIEWER}`, metricsToken?: string): AccessControl {
  const logger = createLogger('info', new LogCapture());
  const parsed = tokenList === '' ? { ok: true as const, tokens: [] } : parseTokenList(tokenList);
  assert.ok(parsed.ok);
  return new AccessControl({
    config: {
      mode,
      tokens: parsed.tokens,
      tokensFile: undefined,
      throttle: { maxFailures: 3, windowMs: 60_000, maxClients: 100 },
    },
    metricsToken,
    recorder: createMetrics({ maxCameras: 1, apiKeyWindowSeconds: 60 }, { runtime: false }).auth,
    throttledLog: new RateLimitedLog(logger, { intervalMs: 60_000 }),
    logger,
  });
}

describe('access decision', () => {
  test('loopback is 127.0.0.0/8, ::1 and ::ffff:127.x, nothing else', () => {
    for (const address of ['127.0.0.1', '127.255.3.4', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(address), address);
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '::2', '0.0.0.0', '128.0.0.1', undefined])
      assert.ok(!isLoopback(address), String(address));
  });

  test("authenticate(): a login form's check of a token string, throttled like a request", () => {
    const access = accessControl();
    const ok = access.authenticate(VIEWER, '10.0.0.5');
    assert.ok(ok.ok);
    assert.deepEqual([ok.name, [...ok.scopes]], ['viewer', ['read', 'metrics']]);
    for (let i = 0; i < 3; i++)
      assert.deepEqual(access.authenticate(`guess-${i}-0123456789abcdef`, '10.0.0.6'), {
        ok: false,
        reason: 'invalid',
        retryAfterSeconds: 0,
      });
    const throttled = access.authenticate(VIEWER, '10.0.0.6');
    assert.ok(!throttled.ok && throttled.reason === 'throttled' && throttled.retryAfterSeconds > 0);
    // The same guesses count for requests from that address too, and not for another one.
    assert.equal(access.check('read', '10.0.0.6', `Bearer ${VIEWER}`, '/api/v1/cameras').ok, false);
    assert.equal(access.check('read', '10.0.0.5', `Bearer ${VIEWER}`, '/api/v1/cameras').ok, true);
  });

  test('ALGO_METRICS_TOKEN alone is no API token: loopback mode tells another host to configure tokens, and hides unknown URLs', () => {
    const access = accessControl('loopback', '', SCRAPER);
    assert.deepEqual(access.tokenNames, []);
    const remote = access.check('read', '10.0.0.5', undefined, '/api/v1/cameras');
    assert.ok(!remote.ok && remote.reason === 'not_loopback');
    assert.match(remote.message ?? '', /configure API tokens \(ALGO_API_TOKENS or ALGO_API_TOKENS_FILE\)/);
    const unknown = access.check('any', '10.0.0.5', `Bearer ${SCRAPER}`, '');
    assert.ok(!unknown.ok && unknown.reason === 'not_loopback', JSON.stringify(unknown));
    assert.equal(access.check('metrics', '10.0.0.5', `Bearer ${SCRAPER}`, '/metrics').ok, true);
    assert.equal(access.check('any', '127.0.0.1', undefined, '').ok, true);
  });
});
