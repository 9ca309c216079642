import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseExposition } from '../../src/doctor/exposition.js';

const TEXT = `# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{route="/a",method="GET",status_code="200"} 3
http_requests_total{route="/b \\"q\\"",method="GET",status_code="500"} 1 1700000000000
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 1
latency_seconds_bucket{le="+Inf"} 2
latency_seconds_sum 0.3
latency_seconds_count 2
# TYPE up_gauge gauge
up_gauge NaN
`;

describe('exposition reader', () => {
  test('reads families, labels with escapes, suffixed samples and special values', () => {
    const result = parseExposition(TEXT);
    assert.ok(result.ok);
    assert.equal(result.sampleCount, 7);
    assert.equal(result.families.get('http_requests_total')?.samples[1]?.labels.route, '/b "q"');
    assert.equal(result.families.get('latency_seconds')?.samples.length, 4);
    assert.ok(Number.isNaN(result.families.get('up_gauge')?.samples[0]?.value));
  });

  test('OpenMetrics counters are keyed with _total like the text format, even with no samples yet', () => {
    const result = parseExposition(
      '# TYPE detection counter\n# HELP detection Frames.\n# TYPE jobs counter\njobs_total 4\njobs_created 1.7e9\n# EOF\n',
    );
    assert.ok(result.ok);
    assert.deepEqual([...result.families.keys()].sort(), ['detection_total', 'jobs_total']);
  });

  test('an HTML page, a JSON document, an empty body and a broken line are not expositions', () => {
    for (const [body, why] of [
      ['<!doctype html><html><body>Login</body></html>', /line 1: expected a metric name/],
      ['{"status":"ok"}', /line 1: expected a metric name/],
      ['', /empty/],
      ['# TYPE a counter\na_total{x="1" 3\n', /line 2: expected , or }/],
      ['# TYPE a counter\na_total{x="1"} three\n', /line 2: expected a sample value/],
      ['# TYPE a countr\n', /unknown metric type/],
    ] as const) {
      const result = parseExposition(body);
      assert.equal(result.ok, false, body);
      if (!result.ok) assert.match(result.error, why);
    }
  });
});
