// Cameras and Kafka on a real Kafka-protocol broker: ALGO_ROLE=ingest produces camera frames
// (JPEG, key = camera id) to the input topic for detector workers, and a detector with
// cameras publishes each camera result to the output topic (same JSON, key = camera id).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { renderMetrics } from '../../src/metrics/render.js';
import { sample, writeCamerasFile } from '../helpers/cameras.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { collect, startMockKafka, streamingEnv, testKafka, type CollectedMessage, type MockKafka } from '../helpers/mock-kafka.js';
import { writeTestModel } from '../helpers/models.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('cameras with Kafka', () => {
  let broker: MockKafka;
  let camera: MjpegCameraProcess;
  let ingest: TestService;
  let detector: TestService;
  let messages: Map<string, CollectedMessage[]>;
  let stopCollector: () => Promise<void>;

  before(async () => {
    [broker, camera] = await Promise.all([startMockKafka(1), spawnMjpegCamera({ fps: 10, width: 320, height: 240 })]);
    const env = streamingEnv(broker.brokers, 'cams');
    ingest = await startTestService({
      ALGO_ROLE: 'ingest',
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'dock', url: `http://127.0.0.1:${camera.port}/dock`, detect_fps: 4 }]),
      ALGO_KAFKA_BROKERS: env.ALGO_KAFKA_BROKERS!,
      ALGO_KAFKA_INPUT_TOPIC: env.ALGO_KAFKA_INPUT_TOPIC!,
      ALGO_LOG_LEVEL: 'warn',
    });
    detector = await startTestService({
      ...env,
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'yard', url: `http://127.0.0.1:${camera.port}/yard`, detect_fps: 2 }]),
      ALGO_LOG_LEVEL: 'warn',
    });
    const collector = await collect(testKafka(broker.brokers), ['cams.frames', 'cams.detections'], 'cams-collector');
    messages = collector.messages;
    stopCollector = () => collector.consumer.disconnect();
  });
  after(async () => {
    await stopCollector?.();
    await ingest?.stop('test');
    await detector?.stop('test');
    await camera?.kill();
    await broker?.stop();
  });

  const keyed = (topic: string, key: string): CollectedMessage[] => (messages.get(topic) ?? []).filter((m) => m.key === key);

  test('the ingest role produces JPEG frames keyed by camera id, and loads no detector', async () => {
    const frames = await waitFor(
      'frames from dock',
      async () => (keyed('cams.frames', 'dock').length >= 3 ? keyed('cams.frames', 'dock') : undefined),
      30_000,
    );
    const frame = frames[0]!;
    assert.equal(frame.headers['content-type'], 'image/jpeg');
    assert.match(frame.headers['frame-id'] ?? '', /^dock-/);
    assert.ok(Number(frame.headers['capture-ts']) > 1.7e12);
    assert.deepEqual(
      await sharp(frame.value!)
        .metadata()
        .then((m) => [m.format, m.width, m.height]),
      ['jpeg', 320, 240],
    );
    assert.equal(ingest.pipeline, undefined);
    assert.equal((await fetch(`${ingest.url}/api/v1/detect`, { method: 'POST' })).status, 404);
    const text = await renderMetrics(ingest.metrics.registry, 'prometheus');
    assert.ok(sample(text, 'camera_frames_processed_total', 'camera_id="dock",outcome="produced"') >= 3);
    assert.ok(sample(text, 'kafka_messages_produced_total', 'topic="cams.frames"') >= 3);
    const snapshot = await fetch(`${ingest.url}/api/v1/cameras/dock/snapshot.jpg`);
    assert.equal(snapshot.headers.get('content-type'), 'image/jpeg');
  });

  test('detector workers turn ingested frames into results under the camera id; their own cameras publish results too', async () => {
    const fromIngest = await waitFor(
      'results for dock',
      async () => (keyed('cams.detections', 'dock').length > 0 ? keyed('cams.detections', 'dock') : undefined),
      60_000,
    );
    const fromCamera = await waitFor(
      'results for yard',
      async () => (keyed('cams.detections', 'yard').length > 0 ? keyed('cams.detections', 'yard') : undefined),
      30_000,
    );
    for (const [message, id] of [
      [fromIngest[0]!, 'dock'],
      [fromCamera[0]!, 'yard'],
    ] as const) {
      const body = JSON.parse(message.value!.toString()) as {
        camera_id: string;
        model_type: string;
        image: { width: number; height: number };
        objects: unknown[];
      };
      assert.equal(body.camera_id, id);
      assert.equal(body.model_type, 'yolov8n');
      assert.deepEqual(body.image, { width: 320, height: 240 });
      assert.ok(body.objects.length > 0);
    }
    const text = await renderMetrics(detector.metrics.registry, 'prometheus');
    assert.match(text, /^detection_total\{camera_id="dock",model_type="yolov8n"\} [1-9]/m);
    assert.match(text, /^detection_total\{camera_id="yard",model_type="yolov8n"\} [1-9]/m);
  });
});
