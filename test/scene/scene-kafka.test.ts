// The walk as Kafka frames of a push camera (key = camera id, capture-ts headers) on a real
// Kafka-protocol broker: the results carry the track ids, the events arrive on the events
// topic keyed by camera id, and a real Prometheus scraping algo shows the counts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Producer } from 'kafkajs';
import { writeCamerasFile } from '../helpers/cameras.js';
import {
  collect,
  produceFrames,
  startMockKafka,
  streamingEnv,
  testKafka,
  type CollectedMessage,
  type MockKafka,
} from '../helpers/mock-kafka.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { assertOnePass, makeWalk, pass, SCENE, type ApiEvent, type TrackedAnswer } from '../helpers/walk.js';

describe('scene analytics over Kafka', () => {
  let broker: MockKafka;
  let service: TestService;
  let producer: Producer;
  let prometheus: RunningPrometheus;
  let messages: Map<string, CollectedMessage[]>;
  let stopCollector: () => Promise<void>;

  before(async () => {
    const walk = await makeWalk();
    broker = await startMockKafka(1);
    service = await startTestService({
      ...streamingEnv(broker.brokers, 'walk'),
      ALGO_KAFKA_EVENTS_TOPIC: 'walk.events',
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'lobby', ...SCENE }]),
      ALGO_LOG_LEVEL: 'warn',
    });
    prometheus = await startPrometheus([{ address: service.url.replace('http://', '') }]);
    const kafka = testKafka(broker.brokers);
    producer = kafka.producer();
    await producer.connect();
    const collector = await collect(kafka, ['walk.detections', 'walk.events'], 'walk-collector');
    messages = collector.messages;
    stopCollector = () => collector.consumer.disconnect();
    const start = Date.now() - 60_000;
    await produceFrames(
      producer,
      'walk.frames',
      await Promise.all(
        walk.frames.map(async (frame, k) => ({
          key: 'lobby',
          value: await readFile(frame),
          headers: { 'content-type': 'image/jpeg', 'frame-id': `walk-${k}`, 'capture-ts': String(start + k * 500) },
        })),
      ),
    );
  });
  after(async () => {
    await stopCollector?.();
    await producer?.disconnect();
    await prometheus?.stop();
    await service?.stop('test');
    await broker?.stop();
  });

  test('results carry one track id for the walk and the pass is on the events topic, keyed by camera id', async () => {
    const events = await waitFor(
      'the pass on the events topic',
      async () => pass((messages.get('walk.events') ?? []).map((m) => JSON.parse(m.value!.toString()) as ApiEvent)),
      120_000,
      500,
    );
    assertOnePass(events, [2, 4]);
    assert.ok((messages.get('walk.events') ?? []).every((m) => m.key === 'lobby' && m.headers['content-type'] === 'application/json'));
    const results = (messages.get('walk.detections') ?? []).map((m) => JSON.parse(m.value!.toString()) as TrackedAnswer);
    const ids = new Set(results.flatMap((result) => result.objects.map((object) => object.track_id)));
    ids.delete(null);
    assert.deepEqual([...ids], [events[0]!.track_id]);
    // Each event's crop is cut from the frame the Kafka message carried.
    for (const event of events) {
      const crop = await fetch(`${service.url}/api/v1/events/${event.id}/crop.jpg`);
      assert.equal(crop.status, 200, `crop of ${event.type}`);
      const { channels } = await sharp(Buffer.from(await crop.arrayBuffer())).stats();
      assert.ok(channels[0]!.stdev > 15, `the ${event.type} crop shows the person, not the grey background`);
    }
  });

  test('a real Prometheus shows the entry, the crossing and the dwell', async () => {
    const value = async (expr: string): Promise<number | undefined> => {
      const [first] = await prometheus.query(expr);
      return first === undefined ? undefined : Number(first.value[1]);
    };
    await waitFor(
      'the counts in Prometheus',
      async () =>
        (await value('scene_zone_entries_total{camera_id="lobby",zone="middle",label="person"}')) === 1 &&
        (await value('scene_line_crossings_total{camera_id="lobby",line="door",direction="in"}')) === 1 &&
        (await value('scene_zone_dwell_seconds_count{camera_id="lobby",zone="middle"}')) === 1
          ? true
          : undefined,
      60_000,
      500,
    );
    assert.equal(await value('scene_line_crossings_total{camera_id="lobby",line="door",direction="out"}'), 0);
    assert.equal(await value('scene_objects{camera_id="lobby",zone="middle",label="person"}'), 0);
  });
});
