// Streaming mode against a real Kafka-protocol broker (librdkafka's mock cluster).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { renderMetrics } from '../../src/metrics/render.js';
import { readFixture } from '../helpers/images.js';
import {
  collect,
  produceFrames,
  startMockKafka,
  streamingEnv,
  testKafka,
  type CollectedMessage,
  type MockKafka,
} from '../helpers/mock-kafka.js';
import { writeSlowModel, writeTestModel } from '../helpers/models.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('Kafka streaming mode', () => {
  let broker: MockKafka;
  let producer: Producer;
  let modelPath: string;
  const services: TestService[] = [];
  const stopAfter: Array<() => Promise<void>> = [];

  before(async () => {
    broker = await startMockKafka(3);
    producer = testKafka(broker.brokers).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    modelPath = await writeTestModel();
  });
  after(async () => {
    for (const stop of stopAfter) await stop();
    for (const service of services) await service.stop('test');
    await producer?.disconnect();
    await broker?.stop();
  });

  async function consumer(name: string, env: Record<string, string> = {}): Promise<TestService> {
    const service = await startTestService({
      ALGO_MODEL_PATH: modelPath,
      ...streamingEnv(broker.brokers, name),
      ALGO_LOG_LEVEL: 'warn',
      ...env,
    });
    services.push(service);
    return service;
  }

  async function results(name: string, topics = ['detections', 'frames.dlq']): Promise<Map<string, CollectedMessage[]>> {
    const { messages, consumer } = await collect(
      testKafka(broker.brokers),
      topics.map((t) => `${name}.${t}`),
      `${name}-collector`,
    );
    stopAfter.push(() => consumer.disconnect());
    return messages;
  }

  test('N frames over several partitions in, N results out, keyed by camera with frame ids', async () => {
    const name = 'many';
    const photo = await readFixture('person');
    const frames = Array.from({ length: 16 }, (_, i) => ({
      key: `cam-${i % 8}`,
      value: photo,
      headers: { 'content-type': 'image/jpeg', 'frame-id': `frame-${i}`, 'capture-ts': String(Date.now()) },
    }));
    await produceFrames(producer, `${name}.frames`, frames);
    const service = await consumer(name);
    const out = await results(name);
    const detections = await waitFor(
      '16 results',
      async () => ((out.get(`${name}.detections`)?.length ?? 0) >= 16 ? out.get(`${name}.detections`) : undefined),
      60_000,
    );
    const byFrame = new Map(detections.map((m) => [m.headers['frame-id'], m]));
    assert.deepEqual([...byFrame.keys()].sort(), frames.map((f) => f.headers['frame-id']).sort());
    assert.ok(new Set(detections.map((m) => m.partition)).size > 1, 'results spread over partitions');
    for (const message of detections) {
      const body = JSON.parse(message.value?.toString() ?? '{}') as {
        camera_id: string;
        frame_id: string;
        model_type: string;
        objects: unknown[];
      };
      assert.equal(body.camera_id, message.key);
      assert.equal(body.frame_id, message.headers['frame-id']);
      assert.equal(body.model_type, 'yolov8n');
      assert.ok(body.objects.length > 0);
    }
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^kafka_messages_consumed_total\{topic="many\.frames"\} 16$/m);
    assert.match(text, /^kafka_messages_produced_total\{topic="many\.detections"\} 16$/m);
    assert.match(text, /^kafka_processing_seconds_count 16$/m);
    assert.match(text, /^kafka_frame_age_seconds_count 16$/m);
    assert.match(text, /^kafka_consumer_rebalances_total [1-9]/m);
    assert.match(text, /^detection_total\{camera_id="cam-0",model_type="yolov8n"\} 2$/m);
    // Lag is read from the broker every ALGO_KAFKA_LAG_INTERVAL_MS (200 ms here).
    await waitFor(
      'lag 0 on every partition',
      async () => {
        const lag = [
          ...(await renderMetrics(service.metrics.registry, 'prometheus')).matchAll(
            /^kafka_consumer_lag\{topic="many\.frames",partition="\d"\} (\d+)$/gm,
          ),
        ];
        return lag.length === 4 && lag.every((m) => m[1] === '0') ? true : undefined;
      },
      10_000,
      50,
    );
    const ready = (await (await fetch(`${service.url}/readyz`)).json()) as { ready: boolean; checks: Record<string, boolean> };
    assert.deepEqual({ ready: ready.ready, checks: ready.checks }, { ready: true, checks: { kafka: true } });
  });

  test('capture-ts in milliseconds, seconds (with fraction) or ISO 8601 gives the frame age; one before 2000 or a day ahead is counted, not observed', async () => {
    const name = 'capture';
    const photo = await readFixture('person');
    const now = Date.now();
    const stamps: Record<string, string> = {
      ms: String(now),
      seconds: String(Math.floor(now / 1000)),
      'seconds-fraction': (now / 1000).toFixed(3),
      iso: new Date(now).toISOString(),
      'seconds-1999': '946684799',
      'ms-1999': '946684799000',
      'two-days-ahead': String(now + 2 * 86_400_000),
      words: 'yesterday noon',
    };
    await produceFrames(
      producer,
      `${name}.frames`,
      Object.entries(stamps).map(([id, ts]) => ({ key: 'cam-1', value: photo, headers: { 'frame-id': id, 'capture-ts': ts } })),
    );
    const service = await consumer(name);
    const out = await results(name, ['detections']);
    await waitFor('8 results', async () => ((out.get(`${name}.detections`)?.length ?? 0) >= 8 ? true : undefined), 60_000);
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^kafka_frame_age_seconds_count 4$/m);
    // Four frames produced moments ago: their ages add up to minutes at most, not the 7.2e9 s of seconds read as ms.
    const sum = Number(/^kafka_frame_age_seconds_sum (\S+)$/m.exec(text)?.[1]);
    assert.ok(sum >= 0 && sum < 3600, `kafka_frame_age_seconds_sum ${sum}`);
    assert.match(text, /^kafka_capture_ts_invalid_total\{reason="before_2000"\} 2$/m);
    assert.match(text, /^kafka_capture_ts_invalid_total\{reason="future"\} 1$/m);
    assert.match(text, /^kafka_capture_ts_invalid_total\{reason="unreadable"\} 1$/m);
    assert.doesNotMatch(text, /^detection_errors_total\{.*\} [1-9]/m, 'a bad capture-ts does not refuse the frame');
  });

  test('poison messages go to the dead-letter topic with the original payload, and the stream continues', async () => {
    const name = 'poison';
    const photo = await readFixture('dog');
    const garbage = randomBytes(5000);
    const oversize = Buffer.concat([photo, randomBytes(1024 * 1024)]);
    // All on one camera key (one partition), so the good frame after the poison proves the partition moved on.
    await produceFrames(producer, `${name}.frames`, [
      { key: 'cam-1', value: photo, headers: { 'frame-id': 'good-1' } },
      { key: 'cam-1', value: garbage, headers: { 'frame-id': 'garbage' } },
      { key: null, value: photo, headers: { 'frame-id': 'no-key' } },
      { key: 'cam-1', value: oversize, headers: { 'frame-id': 'oversize' } },
      { key: 'cam-1', value: photo, headers: { 'frame-id': 'gif', 'content-type': 'image/gif' } },
      { key: 'cam 1!', value: photo, headers: { 'frame-id': 'bad-key' } },
      { key: 'other', value: photo, headers: { 'frame-id': 'reserved-key' } },
      { key: 'cam-1', value: null, headers: { 'frame-id': 'empty' } },
      { key: 'cam-1', value: photo, headers: { 'frame-id': 'good-2' } },
    ]);
    const service = await consumer(name, { ALGO_MAX_BODY_BYTES: String(1024 * 1024) });
    const out = await results(name);
    await waitFor(
      'all outcomes',
      async () =>
        (out.get(`${name}.detections`)?.length ?? 0) >= 2 && (out.get(`${name}.frames.dlq`)?.length ?? 0) >= 7 ? true : undefined,
      60_000,
    );
    assert.deepEqual(
      out
        .get(`${name}.detections`)
        ?.map((m) => m.headers['frame-id'])
        .sort(),
      ['good-1', 'good-2'],
    );
    const dlq = new Map(out.get(`${name}.frames.dlq`)?.map((m) => [m.headers['frame-id'], m]));
    assert.deepEqual(Object.fromEntries([...dlq].map(([id, m]) => [id, m.headers['algo-error-code']])), {
      garbage: 'decode_failed',
      'no-key': 'missing_key',
      oversize: 'too_large',
      gif: 'unsupported_type',
      'bad-key': 'invalid_camera_id',
      'reserved-key': 'invalid_camera_id',
      empty: 'empty_body',
    });
    assert.ok(dlq.get('garbage')?.value?.equals(garbage), 'original payload kept');
    assert.ok(dlq.get('oversize')?.value?.equals(oversize));
    assert.equal(dlq.get('garbage')?.headers['algo-source-topic'], 'poison.frames');
    assert.match(dlq.get('garbage')?.headers['algo-error-message'] ?? '', /decod/i);
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^kafka_messages_failed_total\{topic="poison\.frames",reason="decode_failed"\} 1$/m);
    assert.match(text, /^kafka_messages_produced_total\{topic="poison\.frames\.dlq"\} 7$/m);
    // Every refused frame is a detection error too, whichever check refused it.
    for (const [reason, count] of [
      ['decode_failed', 1],
      ['missing_key', 1],
      ['too_large', 1],
      ['unsupported_type', 1],
      ['invalid_camera_id', 2],
      ['empty_body', 1],
    ] as const) {
      assert.match(text, new RegExp(`^detection_errors_total\\{reason="${reason}"\\} ${count}$`, 'm'), reason);
    }
  });

  test('two consumers in one group share the partitions', async () => {
    const name = 'shared';
    const first = await consumer(name);
    const second = await consumer(name);
    await waitFor(
      'both consumers in the group',
      async () => (first.frameConsumer?.ready() && second.frameConsumer?.ready() ? true : undefined),
      60_000,
    );
    const photo = await readFixture('scream');
    await produceFrames(
      producer,
      `${name}.frames`,
      Array.from({ length: 24 }, (_, i) => ({ key: `cam-${i}`, value: photo, headers: { 'frame-id': `f-${i}` } })),
    );
    const out = await results(name, ['detections']);
    const detections = await waitFor(
      '24 results',
      async () => {
        const list = out.get(`${name}.detections`) ?? [];
        return new Set(list.map((m) => m.headers['frame-id'])).size >= 24 ? list : undefined;
      },
      60_000,
    );
    const byConsumer = new Map<string, number>();
    for (const m of detections) byConsumer.set(m.headers['algo-worker'] ?? '?', (byConsumer.get(m.headers['algo-worker'] ?? '?') ?? 0) + 1);
    assert.deepEqual([...byConsumer.keys()].sort(), [first.frameConsumer?.consumerId, second.frameConsumer?.consumerId].sort());
    const partitionsOf = async (service: TestService) =>
      [
        ...(await renderMetrics(service.metrics.registry, 'prometheus')).matchAll(
          /^kafka_consumer_lag\{topic="shared\.frames",partition="(\d)"\}/gm,
        ),
      ].map((m) => m[1]);
    const [a, b] = await waitFor(
      'lag reported by both consumers',
      async () => {
        const pair: [string[], string[]] = [(await partitionsOf(first)).map(String), (await partitionsOf(second)).map(String)];
        return pair[0].length > 0 && pair[1].length > 0 ? pair : undefined;
      },
      10_000,
      50,
    );
    assert.deepEqual(
      a.filter((p) => b.includes(p)),
      [],
      'no partition consumed by both',
    );
  });

  test('consumer lag is read from the broker: frames waiting show, and partitions handed to another consumer drop out', async () => {
    const name = 'lagging';
    const lagOf = async (service: TestService): Promise<Map<string, number>> =>
      new Map(
        [
          ...(await renderMetrics(service.metrics.registry, 'prometheus')).matchAll(
            /^kafka_consumer_lag\{topic="lagging\.frames",partition="(\d)"\} (\d+)$/gm,
          ),
        ].map((m) => [m[1]!, Number(m[2])]),
      );
    // A slow model (100+ ms a frame) keeps frames waiting in one partition.
    const photo = await readFixture('person');
    await produceFrames(
      producer,
      `${name}.frames`,
      Array.from({ length: 10 }, (_, i) => ({ key: 'cam-slow', value: photo, headers: { 'frame-id': `f-${i}` } })),
    );
    const first = await consumer(name, { ALGO_MODEL_PATH: await writeSlowModel() });
    const waiting = await waitFor(
      'lag above 0 while frames wait',
      async () => {
        const max = Math.max(0, ...(await lagOf(first)).values());
        return max > 0 ? max : undefined;
      },
      30_000,
      50,
    );
    assert.ok(waiting <= 10, `lag ${waiting}`);
    await waitFor(
      'every partition of the lone consumer caught up',
      async () => {
        const lag = await lagOf(first);
        return lag.size === 4 && [...lag.values()].every((messages) => messages === 0) ? true : undefined;
      },
      60_000,
    );

    const second = await consumer(name);
    const [a, b] = await waitFor(
      'partitions split between the two consumers',
      async () => {
        const [lagA, lagB] = [await lagOf(first), await lagOf(second)];
        return lagA.size > 0 && lagB.size > 0 && lagA.size + lagB.size === 4 ? [[...lagA.keys()], [...lagB.keys()]] : undefined;
      },
      60_000,
      100,
    );
    assert.deepEqual([...a, ...b].sort(), ['0', '1', '2', '3']);
  });

  test('an unreachable broker leaves HTTP serving, /readyz not ready, and one log line for the outage', async () => {
    const { freePort } = await import('../helpers/ports.js');
    const deadBroker = `127.0.0.1:${await freePort()}`;
    const service = await startTestService({
      ALGO_MODEL_PATH: modelPath,
      ALGO_ENABLE_KAFKA_STREAMING: 'true',
      ALGO_KAFKA_BROKERS: deadBroker,
      ALGO_LOG_LEVEL: 'info',
    });
    services.push(service);
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
    const readiness = await fetch(`${service.url}/readyz`);
    assert.equal(readiness.status, 503);
    assert.deepEqual(((await readiness.json()) as { checks: Record<string, boolean> }).checks, { kafka: false });
    const outage = (): number =>
      service.logs.lines.filter((line) => line.msg === 'kafka unavailable at start-up; retrying with backoff').length;
    await waitFor('the outage to be logged', async () => (outage() > 0 ? true : undefined), 30_000);
    // Further attempts keep failing; the outage is still reported once.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    assert.equal(outage(), 1);
    assert.equal((await fetch(`${service.url}/readyz`)).status, 503);
    const outageLines = service.logs.lines.filter((line) => line.msg === 'kafka unavailable at start-up; retrying with backoff');
    assert.equal(outageLines.length, 1);
  });
});
