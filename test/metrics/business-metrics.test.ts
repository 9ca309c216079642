import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyIdFor } from '../../src/llm/key-id.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { SuccessWindow } from '../../src/metrics/success-window.js';

const lines = (text: string, prefix: string): string[] => text.split('\n').filter((line) => line.startsWith(prefix));

describe('business metrics', () => {
  test('recordDetection feeds the counter and the three histograms', async () => {
    const metrics = createMetrics({ maxCameras: 5, apiKeyWindowSeconds: 60 }, { runtime: false });
    metrics.detection.recordDetection({ cameraId: 'cam-1', modelType: 'yolov8n', latencySeconds: 0.2, numObjects: 4, numGroups: 2 });
    const text = await renderMetrics(metrics.registry, 'prometheus');
    assert.deepEqual(lines(text, 'detection_total{'), ['detection_total{camera_id="cam-1",model_type="yolov8n"} 1']);
    assert.ok(text.includes('detection_latency_seconds_sum{model_type="yolov8n"} 0.2'));
    assert.ok(text.includes('detection_objects_bucket{le="5",model_type="yolov8n"} 1'));
    assert.ok(text.includes('detection_objects_bucket{le="3",model_type="yolov8n"} 0'));
    assert.ok(text.includes('detection_groups_sum{model_type="yolov8n"} 2'));
  });

  test('cameras beyond ALGO_MAX_CAMERAS are reported as other', async () => {
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false });
    for (const cameraId of ['a', 'b', 'c', 'd', 'a']) {
      metrics.detection.recordDetection({ cameraId, modelType: 'centernet-mbv3-coco', latencySeconds: 0.1, numObjects: 1, numGroups: 0 });
    }
    const series = lines(await renderMetrics(metrics.registry, 'prometheus'), 'detection_total{');
    assert.deepEqual(series.sort(), [
      'detection_total{camera_id="a",model_type="centernet-mbv3-coco"} 2',
      'detection_total{camera_id="b",model_type="centernet-mbv3-coco"} 1',
      'detection_total{camera_id="other",model_type="centernet-mbv3-coco"} 2',
    ]);
  });

  test('a configured camera has all its series at 0 before its first frame, so rates and the outcome identity work from the start', async () => {
    const metrics = createMetrics({ maxCameras: 5, apiKeyWindowSeconds: 60 }, { runtime: false });
    metrics.cameras.camera('door', ['detected', 'dropped', 'failed']);
    const text = await renderMetrics(metrics.registry, 'prometheus');
    assert.deepEqual(
      lines(text, 'camera_')
        .filter((line) => !line.startsWith('camera_last_frame'))
        .sort(),
      [
        'camera_frames_processed_total{camera_id="door",outcome="detected"} 0',
        'camera_frames_processed_total{camera_id="door",outcome="dropped"} 0',
        'camera_frames_processed_total{camera_id="door",outcome="failed"} 0',
        'camera_frames_total{camera_id="door"} 0',
        'camera_reconnects_total{camera_id="door"} 0',
        'camera_resolution_changes_total{camera_id="door"} 0',
        'camera_stalls_total{camera_id="door"} 0',
        'camera_up{camera_id="door"} 0',
      ],
    );
  });

  test('llm latency buckets reach at least 60 seconds', async () => {
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false });
    metrics.llm.forModel('openai', 'm').attempt('timeout', 59);
    const text = await renderMetrics(metrics.registry, 'prometheus');
    assert.ok(
      text.includes('llm_latency_seconds_bucket{le="60",model="m",provider="openai"} 1') ||
        /llm_latency_seconds_bucket\{le="60",[^}]*\} 1/.test(text),
    );
    assert.ok(text.includes('llm_requests_total{provider="openai",model="m",status="timeout"} 1'));
  });

  test('key ids are aliases or fingerprints that contain no part of the key', () => {
    const key = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const id = keyIdFor(key);
    assert.match(id, /^key-[0-9a-f]{10}$/);
    for (let i = 0; i + 4 <= key.length; i++) assert.ok(!id.includes(key.slice(i, i + 4)) || /^[0-9a-f]+$/.test(key.slice(i, i + 4)));
    assert.equal(keyIdFor(key), id, 'stable across calls');
    assert.notEqual(keyIdFor(`${key}x`), id);
    assert.equal(keyIdFor(key, 'primary'), 'primary');
    assert.match(keyIdFor(key, 'bad alias with spaces'), /^key-/);
  });

  test('api_key_success_rate is the success share over the window and disappears when idle', async () => {
    let now = 1_000_000;
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false, now: () => now });
    for (let i = 0; i < 3; i++) metrics.apiKeys.recordKeyOutcome('primary', 'success');
    metrics.apiKeys.recordKeyOutcome('primary', 'rate_limited');
    let text = await renderMetrics(metrics.registry, 'prometheus');
    assert.ok(text.includes('api_key_success_rate{key_id="primary"} 0.75'));
    assert.ok(text.includes('api_key_requests_total{key_id="primary",outcome="rate_limited"} 1'));
    now += 61_000;
    text = await renderMetrics(metrics.registry, 'prometheus');
    assert.deepEqual(lines(text, 'api_key_success_rate{'), []);
  });

  test('the success window forgets slots older than the window', () => {
    let now = 0;
    const window = new SuccessWindow(60, () => now);
    window.record(false);
    now = 30_000;
    window.record(true);
    assert.equal(window.rate(), 0.5);
    now = 61_000;
    assert.equal(window.rate(), 1);
    now = 200_000;
    assert.equal(window.rate(), undefined);
  });

  test('kafka_consumer_lag keeps only the partitions of the latest reading', async () => {
    const metrics = createMetrics({ maxCameras: 5, apiKeyWindowSeconds: 60 }, { runtime: false });
    metrics.kafka.lag(
      'algo.frames',
      [0, 1, 2, 3].map((partition) => ({ partition, messages: partition * 10 })),
    );
    metrics.kafka.lag('algo.frames', [
      { partition: 1, messages: 4 },
      { partition: 3, messages: 0 },
    ]);
    let series = lines(await renderMetrics(metrics.registry, 'prometheus'), 'kafka_consumer_lag{');
    assert.deepEqual(series, [
      'kafka_consumer_lag{topic="algo.frames",partition="1"} 4',
      'kafka_consumer_lag{topic="algo.frames",partition="3"} 0',
    ]);
    metrics.kafka.lag('algo.frames', []);
    series = lines(await renderMetrics(metrics.registry, 'prometheus'), 'kafka_consumer_lag{');
    assert.deepEqual(series, []);
  });
});
