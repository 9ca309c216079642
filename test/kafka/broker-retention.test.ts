// Frames the broker deleted before any consumer read them (retention) cannot be answered; they
// must not vanish silently. librdkafka's mock cluster keeps about 5 MiB per partition and drops
// the oldest messages beyond it, like retention.bytes: frames written while no consumer reads
// (here: between two consumers) are deleted, the group's committed offset falls before the log
// start, and kafkajs moves to the log start. The consumer counts the frames between
// (kafka_frames_skipped_total) and logs them; every frame the broker kept is still answered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFixture } from '../helpers/images.js';
import { writeTestModel } from '../helpers/models.js';
import { collect, produceFrames, startMockKafka, streamingEnv, testKafka, type FrameToSend } from '../helpers/mock-kafka.js';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { runCleanup } from '../helpers/cleanup.js';

const NAME = 'retention';
const TOPIC = `${NAME}.frames`;

describe('Kafka frames the broker deleted before they were read', () => {
  let model: string;
  let small: Buffer;
  let large: Buffer;
  const cleanup: Array<() => Promise<unknown>> = [];

  before(async () => {
    [model, small, large] = await Promise.all([writeTestModel(), readFixture('person'), readFixture('kite')]);
  });
  after(async () => {
    await runCleanup(cleanup);
  });

  test('are counted in kafka_frames_skipped_total and logged; every frame the broker kept is answered', async () => {
    const broker = await startMockKafka(1);
    cleanup.push(() => broker.stop());
    const kafka = testKafka(broker.brokers);
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const admin = kafka.admin();
    await admin.connect();
    cleanup.push(() => admin.disconnect());
    const { messages, consumer: collector } = await collect(kafka, [`${NAME}.detections`], `${NAME}-collector`);
    cleanup.push(() => collector.disconnect());
    const results = messages.get(`${NAME}.detections`) ?? [];
    const answered = (): Set<string> => new Set(results.map((m) => m.headers['frame-id'] ?? ''));

    /** One camera, so one partition; each frame sent alone, so each has its own offset. */
    const offsets = new Map<string, bigint>();
    let partition = -1;
    async function send(id: string, value: Buffer): Promise<void> {
      const frame: FrameToSend = { key: 'cam-1', value, headers: { 'frame-id': id } };
      const [where] = await produceFrames(producer, TOPIC, [frame]);
      assert.ok(where !== undefined);
      partition = where.partition;
      offsets.set(id, BigInt(where.baseOffset ?? -1));
    }
    async function startConsumer(): Promise<AlgoProcess & { url: string }> {
      const port = await freePort();
      const algo = spawnAlgo({ PORT: String(port), ALGO_LOG_LEVEL: 'info', ALGO_MODEL_PATH: model, ...streamingEnv(broker.brokers, NAME) });
      cleanup.push(async () => {
        algo.child.kill('SIGKILL');
        await algo.exit;
      });
      return Object.assign(algo, { url: `http://127.0.0.1:${port}` });
    }
    const allAnswered = (ids: string[], what: string): Promise<true> =>
      waitFor(what, async () => (ids.every((id) => answered().has(id)) ? true : undefined), 90_000, 250);

    // A first consumer answers three frames, commits them and leaves.
    const first = ['a-0', 'a-1', 'a-2'];
    for (const id of first) await send(id, small);
    const consumerA = await startConsumer();
    await allAnswered(first, 'the first frames answered');
    consumerA.child.kill('SIGTERM');
    assert.equal(await consumerA.exit, 0);
    const [group] = await admin.fetchOffsets({ groupId: `${NAME}-group`, topics: [TOPIC] });
    const committed = BigInt(group?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
    assert.equal(committed, 3n, 'the first consumer committed its three frames');

    // With no consumer reading, 7 MB of frames: the broker keeps the newest ~5 MiB and deletes the rest.
    const later = ['b-0', 'b-1', 'b-2', 'b-3', 'b-4'];
    for (const id of later) await send(id, large);
    const logStart = BigInt((await admin.fetchTopicOffsets(TOPIC)).find((p) => p.partition === partition)?.low ?? '0');
    assert.ok(logStart > committed, `the broker deleted unread frames (log starts at ${logStart})`);
    const deleted = later.filter((id) => (offsets.get(id) ?? 0n) < logStart);
    const kept = later.filter((id) => !deleted.includes(id));

    const consumerB = await startConsumer();
    await allAnswered(kept, 'every frame the broker kept answered');
    const metrics = await waitFor(
      'the skipped frames counted',
      async () => {
        const text = await (await fetch(`${consumerB.url}/metrics`)).text();
        return /^kafka_frames_skipped_total\{topic="retention\.frames"\} [1-9]/m.test(text) ? text : undefined;
      },
      10_000,
    );
    assert.match(metrics, new RegExp(`^kafka_frames_skipped_total\\{topic="retention\\.frames"\\} ${deleted.length}$`, 'm'));
    assert.match(
      consumerB.output(),
      new RegExp(`"partition":${partition},"from":"${committed}","to":"${logStart}","count":${deleted.length}.*deleted by the broker`),
    );
    assert.ok(!deleted.some((id) => answered().has(id)), 'deleted frames were never answered');
    assert.equal(consumerB.child.exitCode, null);
    assert.doesNotMatch(consumerB.output(), /unhandled|uncaught/i);
  });
});
