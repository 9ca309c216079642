import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyScrapeError } from '../../src/doctor/prometheus/scrape-errors.js';

const context = { address: 'host.docker.internal:5000', metricsPath: '/metrics', scrapeTimeoutSeconds: 10, algoRenderSeconds: 0.004 };

describe('scrape error classification', () => {
  // Texts as Prometheus 2.x/3.x write them in a target's lastError.
  test('each known lastError text gets its own kind and fix', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['server returned HTTP status 404 Not Found', 'not_found', /metrics_path/],
      ['server returned HTTP status 401 Unauthorized', 'unauthorized', /authorization:/],
      [
        'Get "http://host.docker.internal:5000/metrics": dial tcp 172.17.0.1:5000: connect: connection refused',
        'refused',
        /HOST=0\.0\.0\.0/,
      ],
      [
        'Get "http://host.docker.internal:5000/metrics": dial tcp: lookup host.docker.internal on 127.0.0.11:53: no such host',
        'no_such_host',
        /extra_hosts: \["host\.docker\.internal:host-gateway"\]/,
      ],
      [
        'Get "http://host.docker.internal:5000/metrics": context deadline exceeded',
        'deadline',
        /ufw allow in on docker0 to any port 5000 proto tcp/,
      ],
      ['received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target', 'content_type', /text\/plain/],
      [
        'non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target',
        'content_type',
        /text\/plain/,
      ],
      ['expected a valid start token, got "<" ("INVALID") while parsing: "<"', 'parse_error', /metrics path/],
      ['server returned HTTP status 500 Internal Server Error', 'http_error', /log/],
    ];
    for (const [text, kind, fix] of cases) {
      const diagnosis = classifyScrapeError(text, context);
      assert.equal(diagnosis.kind, kind, text);
      assert.match(diagnosis.fix, fix, text);
    }
  });

  test('a deadline with a slow render blames the timeout, not the network', () => {
    const slow = classifyScrapeError('context deadline exceeded', { ...context, algoRenderSeconds: 8 });
    assert.match(slow.cause, /slower than its timeout: algo takes 8\.00 s to render \/metrics, against scrape_timeout \(10 s\)/);
    const timedOut = classifyScrapeError('context deadline exceeded', {
      ...context,
      algoRenderSeconds: undefined,
      algoSlowerThanSeconds: 10,
    });
    assert.match(timedOut.cause, /algo takes more than 10 s to render/);
  });

  test('a refused target on another port than algo names both ports', () => {
    const refused = classifyScrapeError('dial tcp 127.0.0.1:5699: connect: connection refused', {
      ...context,
      address: '127.0.0.1:5699',
      algoAddress: '127.0.0.1:5600',
    });
    assert.match(refused.cause, /algo answers on port 5600, the target says 5699/);
    assert.match(refused.fix, /point the target at port 5600/);
  });

  test('an unresolvable name outside Docker is not blamed on compose', () => {
    const diagnosis = classifyScrapeError('dial tcp: lookup algo-host on 127.0.0.53:53: no such host', {
      ...context,
      address: 'algo-host:5000',
    });
    assert.match(diagnosis.fix, /127\.0\.0\.1 when Prometheus runs on the same machine/);
  });
});
