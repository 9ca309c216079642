// At-least-once across consumer crashes and clean shutdowns, with real consumer processes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { readFixture } from '../helpers/images.js';
import { writeSlowModel } from '../helpers/models.js';
import {
  collect,
  produceFrames,
  startMockKafka,
  streamingEnv,
  testKafka,
  type CollectedMessage,
  type MockKafka,
} from '../helpers/mock-kafka.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

describe('Kafka consumers that stop', () => {
  let broker: MockKafka;
  let producer: Producer;
  let slowModel: string;
  const cleanup: Array<() => Promise<unknown>> = [];

  before(async () => {
    broker = await startMockKafka(3);
    producer = testKafka(broker.brokers).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    slowModel = await writeSlowModel();
  });
  after(async () => {
    for (const step of cleanup.reverse()) await step();
    await producer?.disconnect();
    await broker?.stop();
  });

  function startConsumer(name: string): AlgoProcess {
    // The slow model (100+ ms a frame) keeps the stream going long enough to stop it midway.
    const consumer = spawnAlgo({ PORT: '0', ALGO_LOG_LEVEL: 'info', ALGO_MODEL_PATH: slowModel, ...streamingEnv(broker.brokers, name) });
    cleanup.push(async () => {
      consumer.child.kill('SIGKILL');
      await consumer.exit;
    });
    return consumer;
  }

  async function setUp(name: string, count: number): Promise<{ results: CollectedMessage[]; ids: string[] }> {
    const photo = await readFixture('person');
    const ids = Array.from({ length: count }, (_, i) => `${name}-${i}`);
    await produceFrames(
      producer,
      `${name}.frames`,
      ids.map((id, i) => ({ key: `cam-${i % 8}`, value: photo, headers: { 'frame-id': id } })),
    );
    const { messages, consumer } = await collect(testKafka(broker.brokers), [`${name}.detections`], `${name}-collector`);
    cleanup.push(() => consumer.disconnect());
    return { results: messages.get(`${name}.detections`) ?? [], ids };
  }

  const frameIds = (results: CollectedMessage[]): string[] => results.map((m) => m.headers['frame-id'] ?? '');

  test('a consumer killed with SIGKILL mid-stream and restarted leaves no frame without a result', async () => {
    const { results, ids } = await setUp('crash', 40);
    const first = startConsumer('crash');
    await waitFor('some results', async () => (results.length >= 5 ? true : undefined), 60_000);
    first.child.kill('SIGKILL');
    assert.equal(await first.exit, null, 'killed, not exited');
    const doneBeforeCrash = new Set(frameIds(results)).size;
    assert.ok(doneBeforeCrash < ids.length, 'killed mid-stream');

    startConsumer('crash');
    await waitFor('every frame has a result', async () => (ids.every((id) => frameIds(results).includes(id)) ? true : undefined), 120_000);
    const seen = frameIds(results);
    assert.deepEqual([...new Set(seen)].sort(), [...ids].sort());
    // Duplicates are allowed (frames in flight when killed), missing results are not.
    assert.ok(seen.length >= ids.length);
  });

  test('SIGTERM commits what was processed and leaves the group: a successor redoes nothing', async () => {
    const { results, ids } = await setUp('drain', 30);
    const first = startConsumer('drain');
    await waitFor('some results', async () => (results.length >= 5 ? true : undefined), 60_000);
    first.child.kill('SIGTERM');
    assert.equal(await first.exit, 0);
    assert.match(first.output(), /algo stopped/);
    const processedByFirst = new Set(frameIds(results));
    assert.ok(processedByFirst.size < ids.length, 'stopped mid-stream');

    const started = Date.now();
    startConsumer('drain');
    await waitFor('every frame has a result', async () => (ids.every((id) => frameIds(results).includes(id)) ? true : undefined), 120_000);
    const counts = new Map<string, number>();
    for (const id of frameIds(results)) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual(
      [...counts].filter(([, n]) => n > 1),
      [],
      'no frame processed twice after a clean shutdown',
    );
    // A clean leave means the successor gets the partitions at once, not after the 10 s session timeout.
    assert.ok(Date.now() - started < 60_000);
  });
});
