// What a batch does when the broker refuses part of it (the group moved on: a commit or
// heartbeat answered REBALANCE_IN_PROGRESS or UNKNOWN_MEMBER_ID, a publish failed): the refusal
// ends the batch and goes to the client, which rejoins and redelivers; nothing is left as an
// unhandled rejection (which ends a Node process) and nothing after the refusal is published.
// On a scripted client, so each refusal lands exactly while the next frame is being detected;
// the real-broker faults are in broker-faults.test.ts.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Detector } from '../../src/detect/types.js';
import type { BatchControl, ConsumedRecord } from '../../src/kafka/client.js';
import { readFixture } from '../helpers/images.js';
import { startScriptedConsumer } from '../helpers/scripted-kafka.js';

/** Detects nothing, taking a little while, as a real detector does. */
const slowDetector: Detector = {
  modelType: 'slow',
  inputSize: { width: 64, height: 64 },
  detect: async () => {
    await sleep(100);
    return { objects: [], timings: { decode: 0, preprocess: 0, inference: 100, postprocess: 0 } };
  },
  detectLetterboxed: () => Promise.reject(new Error('not used')),
  close: async () => undefined,
};

/** A kafkajs protocol error as the coordinator sends it. */
const groupMovedOn = (type: string): Error => Object.assign(new Error(`The group is rebalancing (${type})`), { type });

describe('Kafka batches the broker refuses', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  async function records(count: number): Promise<ConsumedRecord[]> {
    const photo = await readFixture('person');
    return Array.from({ length: count }, (_, i) => ({
      topic: 'algo.frames',
      partition: 0,
      offset: String(i),
      key: Buffer.from('cam-1'),
      value: photo,
      headers: { 'frame-id': `f-${i}` },
    }));
  }

  function control(overrides: Partial<BatchControl>): BatchControl & { committed: string[] } {
    const committed: string[] = [];
    return {
      committed,
      isRunning: () => true,
      heartbeat: async () => undefined,
      commit: async (record) => void committed.push(record.offset),
      pause: () => () => undefined,
      ...overrides,
    };
  }

  test('a commit refused while the next frame is detected ends the batch with that refusal, nothing unhandled, nothing after it published', async () => {
    const { client, consumer, logs } = startScriptedConsumer(slowDetector);
    await consumer.start();
    const refusal = groupMovedOn('REBALANCE_IN_PROGRESS');
    const batch = control({
      commit: async () => {
        throw refusal;
      },
    });
    const handled = client.handler?.({ topic: 'algo.frames', partition: 0, highWatermark: '4', records: await records(4) }, batch);
    await assert.rejects(handled!, (error) => error === refusal);
    // Give a stray rejection its turn to surface.
    await sleep(50);
    assert.deepEqual(unhandled, []);
    assert.equal(client.sent, 1, 'only the frame before the refusal was published');
    assert.ok(logs.lines.some((line) => line.msg.startsWith('broker refused a publish, commit or heartbeat')));
    await consumer.stop();
  });

  test('a heartbeat refused mid-batch lets the publish and commit in flight settle before the batch ends', async () => {
    const { client, consumer } = startScriptedConsumer(slowDetector);
    await consumer.start();
    const refusal = groupMovedOn('UNKNOWN_MEMBER_ID');
    // The first result is still being acknowledged when the heartbeat is refused; its commit is refused too.
    client.onSend = () => sleep(200);
    const batch = control({
      heartbeat: async () => {
        throw refusal;
      },
      commit: async () => {
        throw groupMovedOn('UNKNOWN_MEMBER_ID');
      },
    });
    const handled = client.handler?.({ topic: 'algo.frames', partition: 0, highWatermark: '3', records: await records(3) }, batch);
    await assert.rejects(handled!, (error) => error === refusal);
    assert.equal(client.sent, 1, 'the publish in flight finished before the batch ended');
    await sleep(300);
    assert.deepEqual(unhandled, []);
    assert.equal(client.sent, 1);
    await consumer.stop();
  });

  test('a publish refused (broker gone) ends the batch: no frame after it is committed', async () => {
    const { client, consumer } = startScriptedConsumer(slowDetector);
    await consumer.start();
    const refusal = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    let sends = 0;
    client.onSend = async () => {
      if (++sends === 2) throw refusal;
    };
    const batch = control({});
    const handled = client.handler?.({ topic: 'algo.frames', partition: 0, highWatermark: '4', records: await records(4) }, batch);
    await assert.rejects(handled!, (error) => error === refusal);
    await sleep(50);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(batch.committed, ['0'], 'frames from the refused one on are read again');
    await consumer.stop();
  });
});
