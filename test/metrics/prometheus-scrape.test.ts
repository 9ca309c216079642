// A real Prometheus scrapes the real running service; everything is asserted through
// Prometheus' HTTP API, as a dashboard would see it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keyIdFor } from '../../src/llm/key-id.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('Prometheus scraping algo', () => {
  let service: TestService;
  let prometheus: RunningPrometheus;
  let traffic: NodeJS.Timeout;

  before(async () => {
    service = await startTestService({ ALGO_LOG_LEVEL: 'warn' });
    prometheus = await startPrometheus([{ address: new URL(service.url).host }]);
    const keys = [keyIdFor('sk-test-key-one'), keyIdFor('sk-test-key-two', 'backup')];
    const llmCalls = service.metrics.llm.forModel('openai', 'gpt-4o-mini');
    let tick = 0;
    // Steady traffic through the public recorders and HTTP, as the service would see it.
    const generate = async (): Promise<void> => {
      tick++;
      service.metrics.detection.recordDetection({
        cameraId: `cam-${tick % 3}`,
        modelType: 'yolov8n',
        latencySeconds: 0.04 + (tick % 5) / 100,
        numObjects: tick % 7,
        numGroups: tick % 2,
      });
      llmCalls.attempt(tick % 4 === 0 ? 'error' : 'success', 0.5 + (tick % 10));
      service.metrics.apiKeys.recordKeyOutcome(keys[tick % 2]!, tick % 5 === 0 ? 'failure' : 'success');
      await fetch(`${service.url}/api/v1/info`);
    };
    await generate();
    traffic = setInterval(() => void generate(), 250);
  });

  after(async () => {
    clearInterval(traffic);
    await prometheus?.stop();
    await service?.stop('test');
  });

  test('the algo target is up', async () => {
    const target = await waitFor('target up', async () => {
      const [first] = await prometheus.targets();
      return first?.health === 'up' ? first : undefined;
    });
    assert.equal(target.lastError, '');
    assert.match(target.scrapeUrl, /\/metrics$/);
  });

  const queries = [
    'process_resident_memory_bytes',
    'rate(process_cpu_seconds_total[1m])',
    'rate(http_requests_total[1m])',
    'rate(detection_total[1m])',
    'histogram_quantile(0.95, rate(llm_latency_seconds_bucket[5m]))',
    'avg(api_key_success_rate) by (key_id)',
  ];
  for (const expr of queries) {
    test(`query returns series: ${expr}`, async () => {
      const samples = await waitFor(expr, async () => {
        const result = await prometheus.query(expr);
        return result.length > 0 && result.every((sample) => Number.isFinite(Number(sample.value[1]))) ? result : undefined;
      });
      assert.ok(samples.length > 0);
    });
  }

  test('rates reflect the recorded traffic', async () => {
    const detections = await waitFor('detection rate > 0', async () => {
      const result = await prometheus.query('sum(rate(detection_total[1m]))');
      const value = Number(result[0]?.value[1]);
      return value > 0 ? value : undefined;
    });
    assert.ok(detections > 0);
    const keys = await prometheus.query('avg(api_key_success_rate) by (key_id)');
    const ids = keys.map((sample) => sample.metric.key_id).sort();
    assert.deepEqual(ids, ['backup', keyIdFor('sk-test-key-one')].sort());
    for (const sample of keys) {
      const rate = Number(sample.value[1]);
      assert.ok(rate > 0 && rate <= 1, `success rate ${rate} within 0..1`);
    }
  });
});
