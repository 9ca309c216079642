import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';

describe('console settings', () => {
  test('defaults: 30 min idle, 12 h at most, 1000 sessions, no Grafana link', () => {
    const { console: settings } = loadConfig({});
    assert.deepEqual(settings, { sessions: { idleSeconds: 1800, maxAgeSeconds: 43_200, maxSessions: 1000 }, grafanaUrl: undefined });
  });

  test('ALGO_GRAFANA_URL is an http(s) URL without credentials', () => {
    assert.equal(
      loadConfig({ ALGO_GRAFANA_URL: 'http://grafana:3000/d/algo?orgId=1' }).console.grafanaUrl,
      'http://grafana:3000/d/algo?orgId=1',
    );
    for (const bad of ['grafana:3000', 'ftp://grafana/', 'javascript:alert(1)', 'http://admin:secret@grafana:3000/', 'not a url']) {
      assert.throws(
        () => loadConfig({ ALGO_GRAFANA_URL: bad }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'ALGO_GRAFANA_URL' && !error.message.includes('secret'),
        bad,
      );
    }
  });

  test('session settings are bounded', () => {
    assert.throws(() => loadConfig({ ALGO_CONSOLE_SESSION_IDLE_S: '5' }), ConfigError);
    assert.throws(() => loadConfig({ ALGO_CONSOLE_MAX_SESSIONS: '0' }), ConfigError);
    assert.equal(loadConfig({ ALGO_CONSOLE_SESSION_MAX_S: '3600' }).console.sessions.maxAgeSeconds, 3600);
  });
});
