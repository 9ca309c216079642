// npm run bench:stream — prints figures, asserts nothing.
// End-to-end frames/s through Kafka (produce → algo's Kafka consumer → result acknowledged and read
// back) against the detector's own frames/s on the same frames, in the same run, alternating.
// Throughput is the steady state, first result to last; the delay to the first result is
// printed apart: librdkafka's mock broker holds a fetch for its full wait (1 s) instead of
// answering when data arrives, as a real broker does.
// Broker: librdkafka's mock cluster (kcat). Model: the generated YOLOv8n-cost graph.
// Target: Kafka ≥ 0.9 × detector.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/config.js';
import { createPipeline } from '../src/detect/pipeline.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { startService } from '../src/service.js';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { collect, produceFrames, startMockKafka, streamingEnv, testKafka } from '../test/helpers/mock-kafka.js';
import { waitFor } from '../test/helpers/wait.js';
import { buildCostModel } from './yolo-cost-model.js';
import { announce, scaled } from './quick.js';
import { fmt, median, printVerdict } from './stats.js';

const FRAMES = scaled(100, 30);
const ROUNDS = scaled(3, 1);
announce('bench:stream', { full: 140, quick: 20 });

await mkdir('.bench', { recursive: true });
const modelPath = '.bench/yolov8n-cost.onnx';
await writeFile(modelPath, buildCostModel().bytes);
const photos = await Promise.all(FIXTURE_NAMES.map(readFixture));
const frameAt = (i: number): Buffer => photos[i % photos.length]!;

async function detectorFps(): Promise<number> {
  const config = loadConfig({ ALGO_MODEL_PATH: modelPath });
  const pipeline = await createPipeline(config.detect, createMetrics(config.metrics, { runtime: false }).detection);
  for (let i = 0; i < 3; i++) await pipeline.detect(frameAt(i), 'warm-up');
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    const result = await pipeline.detect(frameAt(i), `cam-${i % 8}`);
    if (!result.ok) throw result.error;
  }
  const fps = FRAMES / ((performance.now() - start) / 1000);
  await pipeline.close();
  return fps;
}

async function kafkaFps(brokers: string[], round: number): Promise<{ fps: number; firstMs: number }> {
  const name = `bench${round}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ALGO_MODEL_PATH: modelPath,
    ...streamingEnv(brokers, name),
  });
  const service = await startService(config, { logger: createLogger('warn') });
  const kafka = testKafka(brokers);
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  // Warm the path (topic creation, group join, first inference) before timing.
  await produceFrames(producer, `${name}.frames`, [{ key: 'warm-up', value: frameAt(0) }]);
  const { messages, consumer } = await collect(kafka, [`${name}.detections`], `${name}-reader`);
  const results = messages.get(`${name}.detections`) ?? [];
  await waitFor('warm-up result', async () => (results.length >= 1 ? true : undefined), 60_000, 20);
  const start = performance.now();
  await produceFrames(
    producer,
    `${name}.frames`,
    Array.from({ length: FRAMES }, (_, i) => ({ key: `cam-${i % 8}`, value: frameAt(i), headers: { 'frame-id': String(i) } })),
  );
  await waitFor('all results', async () => (results.length >= FRAMES + 1 ? true : undefined), 300_000, 10);
  const first = results[1]!.receivedAtMs;
  const last = results[FRAMES]!.receivedAtMs;
  const fps = (FRAMES - 1) / ((last - first) / 1000);
  await consumer.disconnect();
  await producer.disconnect();
  await service.stop('bench');
  return { fps, firstMs: first - start };
}

const broker = await startMockKafka(3);
console.log(`${FRAMES} fixture frames per run, ${ROUNDS} alternating rounds, YOLOv8n-cost model, detector concurrency 1`);
const runs: Record<'detector' | 'kafka', number[]> = { detector: [], kafka: [] };
for (let round = 0; round < ROUNDS; round++) {
  const detector = await detectorFps();
  const stream = await kafkaFps(broker.brokers, round);
  runs.detector.push(detector);
  runs.kafka.push(stream.fps);
  console.log(
    `  round ${round + 1}: detector alone ${fmt(detector, 1)} frames/s, through Kafka ${fmt(stream.fps, 1)} frames/s (first result after ${fmt(stream.firstMs, 0)} ms)`,
  );
}
await broker.stop();
const detector = median(runs.detector);
const stream = median(runs.kafka);
console.log(
  `  median: detector ${fmt(detector, 1)} frames/s, Kafka end-to-end ${fmt(stream, 1)} frames/s, ratio ${fmt(stream / detector, 3)}`,
);
const ratios = runs.kafka.map((fps, i) => fps / runs.detector[i]!);
printVerdict('Kafka end-to-end / detector alone, paired rounds: median', ratios, { text: '>= 0.9', meets: (r) => r >= 0.9 });
