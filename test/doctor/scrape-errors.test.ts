import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyScrapeError } from '../../src/doctor/scrape-errors.js';

const context = { address: 'host.docker.internal:5000', metricsPath: '/metrics', scrapeTimeoutSeconds: 10, algoRenderSeconds: 0.004 };

describe('scrape error classification', () => {
  // Texts as Prometheus 2.x/3.x write them in a target's lastError.
  test('each known lastError text gets its own kind and fix', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['server returned HTTP status 404 Not Found', 'not_found', /metrics_path/],
      ['server returned HTTP status 401 Unauthorized', 'unauthorized', /authorization:/],
      ['Get "http://host.docker.internal:5000/metrics": dial tcp 172.17.0.1:5000: connect: connection refused', 'refused', /HOST=0\.0\.0\.0/],
      ['Get "http://host.docker.internal:5000/metrics": dial tcp: lookup host.docker.internal on 127.0.0.11:53: no such host', 'no_such_host', /extra_hosts: \["host\.docker\.internal:host-gateway"\]/],
      ['Get "http://host.docker.internal:5000/metrics": context deadline exceeded', 'deadline', /firewall/],
      ['received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target', 'content_type', /text\/plain/],
      ['non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target', 'content_type', /text\/plain/],
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
    assert.match(slow.cause, /slower than its timeout: algo renders \/metrics in 8\.00 s against scrape_timeout 10 s/);
  });
});
