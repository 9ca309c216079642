// What the Kafka consumer logs when conditions repeat: a broker that stays down, and bad frames
// from one camera. The consumer runs on a scripted KafkaClient so the outage can cycle states
// hundreds of times without waiting for real retries; the real-broker tests are in
// kafka-streaming.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Detector } from '../../src/detect/types.js';
import type { BatchControl, ConsumedRecord } from '../../src/kafka/client.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { startScriptedConsumer } from '../helpers/scripted-kafka.js';

const notExpected = (): Promise<never> => Promise.reject(new Error('not expected: every frame here is refused before detection'));
const noDetector: Detector = {
  modelType: 'none',
  inputSize: { width: 64, height: 64 },
  detect: notExpected,
  detectLetterboxed: notExpected,
  close: async () => undefined,
};

const startConsumer = () => startScriptedConsumer(noDetector);

describe('Kafka consumer logs', () => {
  test('a broker that stays down is one warning, not a line per crash/stop/disconnect cycle', async () => {
    const { client, logs, consumer } = startConsumer();
    await consumer.start();
    client.emit('connecting');
    client.emit('joined');
    for (let cycle = 0; cycle < 100; cycle++) {
      client.emit('crashed', 'Connection error: connect ECONNREFUSED');
      client.emit('stopped');
      client.emit('disconnected');
    }
    const warnings = logs.lines.filter((line) => line.level >= 40);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.msg, 'kafka consumer not in its group; retrying with backoff');
    client.emit('connecting');
    client.emit('joined');
    assert.equal(logs.lines.filter((line) => line.msg === 'kafka consumer joined').length, 2, 'the recovery is reported');
    await consumer.stop();
  });

  test('bad frames from one camera are logged once per reason and interval, and every one is counted', async () => {
    const { client, logs, consumer, metrics } = startConsumer();
    await consumer.start();
    const record = (offset: number, key: string | null, value: Buffer | null): ConsumedRecord => ({
      topic: 'algo.frames',
      partition: 0,
      offset: String(offset),
      key: key === null ? null : Buffer.from(key),
      value,
      headers: {},
    });
    const records = [
      ...Array.from({ length: 50 }, (_, i) => record(i, 'cam-1', randomBytes(200))),
      ...Array.from({ length: 20 }, (_, i) => record(50 + i, null, randomBytes(200))),
      ...Array.from({ length: 10 }, (_, i) => record(70 + i, 'cam-1', null)),
    ];
    const control: BatchControl = {
      isRunning: () => true,
      heartbeat: async () => undefined,
      commit: async () => undefined,
      pause: () => () => undefined,
    };
    await client.handler?.({ topic: 'algo.frames', partition: 0, highWatermark: '80', records }, control);
    assert.equal(client.sent, 80, 'every frame reached the dead-letter topic');
    const deadLetterLines = logs.lines.filter((line) => line.msg === 'frame sent to the dead-letter topic');
    assert.deepEqual(
      deadLetterLines.map((line) => [line.reason, line.cameraId]).sort(),
      [
        ['decode_failed', 'cam-1'],
        ['empty_body', undefined],
        ['missing_key', undefined],
      ].sort(),
    );
    assert.equal(await sampleValue(metrics.registry, 'detection_errors_total{reason="decode_failed"}'), 50);
    assert.equal(await sampleValue(metrics.registry, 'detection_errors_total{reason="missing_key"}'), 20);
    assert.equal(await sampleValue(metrics.registry, 'detection_errors_total{reason="empty_body"}'), 10);
    await consumer.stop();
  });
});
