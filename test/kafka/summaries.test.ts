// Kafka mode with ALGO_LLM_STREAM_SUMMARIES, on librdkafka's mock cluster and a loopback
// OpenAI-speaking server: summaries ride on output messages at most once per camera per
// interval, and a slow LLM never holds the partition.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { renderMetrics } from '../../src/metrics/render.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
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
import { writeTestModel } from '../helpers/models.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

interface Output {
  camera_id: string;
  frame_id: string;
  objects: unknown[];
  summary?: { text: string; source: string; key_id: string; frame_id: string };
}

describe('Kafka stream summaries', () => {
  let broker: MockKafka;
  let producer: Producer;
  let fake: FakeOpenAi;
  let modelPath: string;
  let photo: Buffer;
  const cleanup: Array<() => Promise<void>> = [];

  before(async () => {
    [broker, fake, modelPath, photo] = await Promise.all([startMockKafka(1), startFakeOpenAi(), writeTestModel(), readFixture('person')]);
    producer = testKafka(broker.brokers).producer({ allowAutoTopicCreation: true });
    await producer.connect();
  });
  after(async () => {
    for (const step of cleanup.reverse()) await step();
    await producer?.disconnect();
    await fake?.close();
    await broker?.stop();
  });

  async function start(name: string, key: string, env: Record<string, string>): Promise<{ service: TestService; out: CollectedMessage[] }> {
    const service = await startTestService({
      ALGO_MODEL_PATH: modelPath,
      ...streamingEnv(broker.brokers, name),
      ALGO_LOG_LEVEL: 'warn',
      ALGO_LLM_BASE_URL: fake.baseUrl,
      ALGO_LLM_API_KEYS: `stream=${key}`,
      ALGO_LLM_STREAM_SUMMARIES: 'true',
      ...env,
    });
    cleanup.push(async () => void (await service.stop('test')));
    const { messages, consumer } = await collect(testKafka(broker.brokers), [`${name}.detections`], `${name}-collector`);
    cleanup.push(() => consumer.disconnect());
    return { service, out: messages.get(`${name}.detections`)! };
  }
  const frame = (camera: string, id: string) => ({ key: camera, value: photo, headers: { 'content-type': 'image/jpeg', 'frame-id': id } });
  const outputs = (out: CollectedMessage[]): Output[] => out.map((m) => JSON.parse(m.value?.toString() ?? '{}') as Output);
  const arrived = (out: CollectedMessage[], n: number) =>
    waitFor(`${n} results`, async () => (out.length >= n ? true : undefined), 60_000, 50);

  test('one summary per camera per interval, on an output message, naming the frame it describes', async () => {
    const name = 'summaries';
    const key = 'sk-stream-ok-0123456789abcdef';
    fake.script(key, { kind: 'ok', text: 'People at the door.', delayMs: 50 });
    const { service, out } = await start(name, key, { ALGO_LLM_MIN_INTERVAL_S: '3600' });
    await produceFrames(
      producer,
      `${name}.frames`,
      ['a', 'b'].flatMap((camera) => [0, 1, 2].map((i) => frame(`cam-${camera}`, `${camera}${i}`))),
    );
    await arrived(out, 6);
    await sleep(200); // the summaries are ready now; the next frame of each camera carries them
    await produceFrames(producer, `${name}.frames`, [frame('cam-a', 'a3'), frame('cam-b', 'b3')]);
    await arrived(out, 8);
    const results = outputs(out);
    assert.deepEqual(results.map((r) => r.frame_id).sort(), ['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3'], 'every frame has its result');
    for (const camera of ['cam-a', 'cam-b']) {
      const withSummary = results.filter((r) => r.camera_id === camera && r.summary !== undefined);
      assert.equal(withSummary.length, 1, `${camera}: exactly one summary within the interval`);
      assert.equal(withSummary[0]?.summary?.source, 'llm');
      assert.equal(withSummary[0]?.summary?.text, 'People at the door.');
      assert.equal(withSummary[0]?.summary?.key_id, 'stream');
      assert.equal(withSummary[0]?.summary?.frame_id, `${camera.slice(4)}0`, "the summary describes the camera's first frame");
    }
    assert.equal(fake.requestsFor(key).length, 2, 'one LLM call per camera');
    assert.match(await renderMetrics(service.metrics.registry, 'prometheus'), /^llm_scenes_total\{source="llm"\} 2$/m);
  });

  test('a hanging LLM never holds the partition: the summary is skipped and counted when the next one is due', async () => {
    const name = 'slowllm';
    const key = 'sk-stream-hang-0123456789abcdef';
    fake.script(key, { kind: 'hang' });
    const { service, out } = await start(name, key, {
      ALGO_LLM_MIN_INTERVAL_S: '2',
      ALGO_LLM_TIMEOUT_MS: '60000',
      ALGO_LLM_ATTEMPT_TIMEOUT_MS: '60000',
    });
    await produceFrames(producer, `${name}.frames`, [frame('gate', 'g0')]);
    await arrived(out, 1);
    await sleep(2_100);
    await produceFrames(producer, `${name}.frames`, [frame('gate', 'g1'), frame('gate', 'g2')]);
    await arrived(out, 3);
    assert.deepEqual(
      outputs(out).map((r) => [r.frame_id, r.summary === undefined]),
      [
        ['g0', true],
        ['g1', true],
        ['g2', true],
      ],
    );
    assert.equal(fake.requestsFor(key).length, 2, 'the second summary started once the interval passed');
    assert.match(await renderMetrics(service.metrics.registry, 'prometheus'), /^llm_scene_failures_total\{reason="stream_not_ready"\} 1$/m);
  });
});
