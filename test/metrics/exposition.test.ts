import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyIdFor } from '../../src/llm/key-id.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { negotiateFormat, renderMetrics } from '../../src/metrics/render.js';
import { promtool } from '../helpers/promtool.js';

function populated() {
  const metrics = createMetrics({ maxCameras: 10, apiKeyWindowSeconds: 60 });
  metrics.http.requestStarted();
  metrics.http.requestFinished('GET', '/api/v1/cameras/:id', 200, 0.003);
  metrics.http.requestStarted();
  metrics.http.requestFinished('GET', undefined, 404, 0.001);
  metrics.detection.recordDetection({
    cameraId: 'lobby "east"\\\ncam',
    modelType: 'yolov8n',
    latencySeconds: 0.05,
    numObjects: 3,
    numGroups: 1,
  });
  metrics.detection.recordDetectionError('decode_failed');
  metrics.llm.forModel('openai', 'gpt-4o').attempt('success', 42);
  metrics.apiKeys.recordKeyOutcome(keyIdFor('sk-secret-value'), 'success');
  metrics.kafka.consumed('algo.frames');
  metrics.kafka.lag('algo.frames', [{ partition: 3, messages: 12 }]);
  return metrics;
}

describe('metrics exposition', () => {
  test('the full Prometheus text output passes promtool check metrics', async () => {
    const text = await renderMetrics(populated().registry, 'prometheus');
    const result = await promtool(['check', 'metrics'], text);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output.trim(), '');
  });

  test('runtime metrics include process and Node series, and no gauge ends in _total', async () => {
    const text = await renderMetrics(populated().registry, 'prometheus');
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles',
      'algo_build_info',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    const gaugesEndingTotal = [...text.matchAll(/^# TYPE (\S+_total) gauge$/gm)].map((match) => match[1]);
    assert.deepEqual(gaugesEndingTotal, []);
    assert.match(text, /^algo_build_info\{version="[^"]+",node_version="v20\.[^"]+"\} 1$/m);
  });

  test('OpenMetrics output names counter families without _total and ends with # EOF', async () => {
    const metrics = populated();
    const text = await renderMetrics(metrics.registry, 'openmetrics');
    assert.match(text, /^# TYPE http_requests counter$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="\/api\/v1\/cameras\/:id",status_code="200"\} 1$/m);
    assert.ok(text.endsWith('# EOF\n'));
    // Rendering OpenMetrics must not rename the shared metric objects for the next Prometheus scrape.
    const after = await renderMetrics(metrics.registry, 'prometheus');
    assert.match(after, /^# TYPE http_requests_total counter$/m);
    assert.equal((await promtool(['check', 'metrics'], after)).code, 0);
  });

  test('label values with quotes, backslashes and newlines are escaped', async () => {
    const text = await renderMetrics(populated().registry, 'prometheus');
    assert.ok(
      text.includes('camera_id="lobby \\"east\\"\\\\\\ncam"'),
      text.split('\n').find((line) => line.startsWith('detection_total')),
    );
  });

  test('Accept negotiation picks OpenMetrics only when asked', () => {
    assert.equal(negotiateFormat(undefined), 'prometheus');
    assert.equal(negotiateFormat('text/plain;version=0.0.4;q=0.3,*/*;q=0.2'), 'prometheus');
    assert.equal(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
      'openmetrics',
    );
  });
});
