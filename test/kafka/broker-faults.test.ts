// Kafka consumers (real algo processes) through broker faults on librdkafka's mock cluster: the
// cluster frozen mid-stream and resumed, a second consumer joining and leaving mid-stream, the
// cluster killed and a new one started at the same address. Every frame is answered at least
// once afterwards (duplicates carry the same frame-id), and no consumer exits: an unhandled
// rejection would end the process with code 1 and its trace on stderr.
// The mock refuses commits while its group is joining and waits ~9 s before syncing: the waits
// here are for conditions, with room for that.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { freePort } from '../helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { runCleanup } from '../helpers/cleanup.js';

interface Consumer extends AlgoProcess {
  url: string;
  readiness(): Promise<{ status: number; kafka: boolean | undefined }>;
}

describe('Kafka consumers through broker faults', () => {
  let slowModel: string;
  let photo: Buffer;
  const cleanup: Array<() => Promise<unknown>> = [];

  before(async () => {
    [slowModel, photo] = await Promise.all([writeSlowModel(), readFixture('person')]);
  });
  after(async () => {
    await runCleanup(cleanup);
  });

  async function cluster(ports?: number[]): Promise<MockKafka> {
    const broker = await startMockKafka(3, ports === undefined ? {} : { ports });
    cleanup.push(async () => {
      broker.resume();
      await broker.stop();
    });
    return broker;
  }

  async function producerFor(broker: MockKafka): Promise<Producer> {
    const producer = testKafka(broker.brokers).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    return producer;
  }

  async function startConsumer(broker: MockKafka, name: string): Promise<Consumer> {
    const port = await freePort();
    // The slow model (100+ ms a frame) keeps the stream going long enough for a fault midway.
    const algo = spawnAlgo({
      PORT: String(port),
      ALGO_LOG_LEVEL: 'info',
      ALGO_MODEL_PATH: slowModel,
      ...streamingEnv(broker.brokers, name),
    });
    cleanup.push(async () => {
      algo.child.kill('SIGKILL');
      await algo.exit;
    });
    const url = `http://127.0.0.1:${port}`;
    return Object.assign(algo, {
      url,
      async readiness() {
        const response = await fetch(`${url}/readyz`);
        const body = (await response.json()) as { checks?: Record<string, boolean> };
        return { status: response.status, kafka: body.checks?.kafka };
      },
    });
  }

  async function sendFrames(producer: Producer, name: string, prefix: string, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    await produceFrames(
      producer,
      `${name}.frames`,
      ids.map((id, i) => ({ key: `cam-${i % 8}`, value: photo, headers: { 'frame-id': id } })),
    );
    return ids;
  }

  async function results(broker: MockKafka, name: string, group = `${name}-collector`): Promise<CollectedMessage[]> {
    const { messages, consumer } = await collect(testKafka(broker.brokers), [`${name}.detections`], group);
    cleanup.push(() => consumer.disconnect());
    return messages.get(`${name}.detections`) ?? [];
  }

  const answered = (results: CollectedMessage[]): Set<string> => new Set(results.map((m) => m.headers['frame-id'] ?? ''));
  const everyFrameAnswered = (results: CollectedMessage[], ids: string[], timeoutMs = 240_000): Promise<true> =>
    waitFor(
      'every frame answered',
      async () => {
        const seen = answered(results);
        return ids.every((id) => seen.has(id)) ? true : undefined;
      },
      timeoutMs,
      500,
    );

  /** `waiting`, its failure told with what the consumers said and whether they still run. */
  async function explained<T>(waiting: Promise<T>, ...consumers: AlgoProcess[]): Promise<T> {
    try {
      return await waiting;
    } catch (error) {
      const states = consumers.map(
        (c, i) => `consumer ${i}: exit ${c.child.exitCode ?? c.child.signalCode ?? 'none'}\n${c.output().slice(-4000)}`,
      );
      throw new Error(`${(error as Error).message}\n${states.join('\n')}`);
    }
  }

  /** Still running, and never reported an unhandled rejection or exception. */
  function assertAlive(consumer: AlgoProcess, name: string): void {
    assert.equal(consumer.child.exitCode, null, `${name} exited:\n${consumer.output().slice(-3000)}`);
    assert.equal(consumer.child.signalCode, null, `${name} was killed`);
    assert.doesNotMatch(consumer.output(), /unhandled|uncaught/i, `${name} reported an unhandled error`);
  }

  test('the cluster frozen for 25 s mid-stream: /readyz reports kafka false meanwhile, then every frame is answered and the consumer lives', async () => {
    const broker = await cluster();
    const ids = await sendFrames(await producerFor(broker), 'frozen', 'frozen', 40);
    const out = await results(broker, 'frozen');
    const consumer = await startConsumer(broker, 'frozen');
    await waitFor('some results', async () => (out.length >= 5 ? true : undefined), 120_000);
    assert.deepEqual(await consumer.readiness(), { status: 200, kafka: true });

    broker.freeze();
    try {
      const frozenAt = Date.now();
      // The session timeout is 10 s: past it without an answer from the coordinator, not ready.
      await waitFor(
        'readiness to report kafka false while the cluster is frozen',
        async () => {
          const readiness = await consumer.readiness();
          return readiness.status === 503 && readiness.kafka === false ? true : undefined;
        },
        24_000,
        500,
      );
      await sleep(Math.max(0, 25_000 - (Date.now() - frozenAt)));
      assertAlive(consumer, 'the consumer');
    } finally {
      // Also when a wait failed: the clean-up talks to the cluster.
      broker.resume();
    }

    await explained(everyFrameAnswered(out, ids), consumer);
    await waitFor('ready again', async () => ((await consumer.readiness()).status === 200 ? true : undefined), 120_000, 500);
    assertAlive(consumer, 'the consumer');
  });

  test('a second consumer joining and leaving mid-stream: every frame answered, neither dies', async () => {
    const broker = await cluster();
    const ids = await sendFrames(await producerFor(broker), 'joining', 'joining', 60);
    const out = await results(broker, 'joining');
    const first = await startConsumer(broker, 'joining');
    await waitFor('some results', async () => (out.length >= 5 ? true : undefined), 120_000);

    const second = await startConsumer(broker, 'joining');
    // The mock answers a follower that syncs after the leader with INVALID_REQUEST, so joining
    // can take the second consumer a few attempts (each restarting the group's join).
    await explained(
      waitFor('the second consumer in the group', async () => ((await second.readiness()).kafka === true ? true : undefined), 240_000, 500),
      first,
      second,
    );
    assertAlive(first, 'the first consumer');
    second.child.kill('SIGTERM');
    assert.equal(await second.exit, 0, second.output().slice(-3000));
    assert.doesNotMatch(second.output(), /unhandled|uncaught/i);

    await explained(everyFrameAnswered(out, ids), first);
    assertAlive(first, 'the first consumer');
  });

  test('the cluster killed mid-stream and a new one started at the same address: frames sent to it are answered, the consumer lives', async () => {
    const old = await cluster();
    await sendFrames(await producerFor(old), 'replaced', 'before', 40);
    const before = await results(old, 'replaced');
    const consumer = await startConsumer(old, 'replaced');
    await waitFor('some results', async () => (before.length >= 5 ? true : undefined), 120_000);

    await old.stop();
    // The mock accepts offset commits for a group it does not know (a real broker refuses a
    // generation it never gave), so a consumer still holding the old cluster's positions could
    // commit them into the new one. The new cluster is started once the consumer has given up
    // its old group (reported as a crash), and frames are sent once it has joined the new one.
    await explained(
      waitFor(
        'the consumer out of its group',
        async () =>
          /kafka consumer not in its group/.test(consumer.output()) && (await consumer.readiness()).kafka === false ? true : undefined,
        180_000,
        500,
      ),
      consumer,
    );
    assertAlive(consumer, 'the consumer');
    const replacement = await cluster(old.ports);
    await explained(
      waitFor("in the new cluster's group", async () => ((await consumer.readiness()).status === 200 ? true : undefined), 180_000, 500),
      consumer,
    );
    const ids = await sendFrames(await producerFor(replacement), 'replaced', 'after', 20);
    // A group of its own: the old cluster's reader reconnects to the same address too.
    const out = await results(replacement, 'replaced', 'replaced-collector-2');
    await explained(everyFrameAnswered(out, ids), consumer);
    await waitFor('ready again', async () => ((await consumer.readiness()).status === 200 ? true : undefined), 120_000, 500);
    assertAlive(consumer, 'the consumer');
  });
});
