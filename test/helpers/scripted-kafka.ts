// A FrameConsumer on a scripted KafkaClient: tests hand it batches and decide what the broker
// answers (sends, commits, heartbeats), with no broker and no waiting for real retries.
import { loadConfig } from '../../src/config/config.js';
import { DetectionPipeline } from '../../src/detect/pipeline.js';
import { DetectionQueue } from '../../src/detect/queue.js';
import type { Detector } from '../../src/detect/types.js';
import type {
  BatchControl,
  ConsumerState,
  KafkaClient,
  KafkaClientEvents,
  OutgoingRecord,
  PartitionBatch,
} from '../../src/kafka/client.js';
import { FrameConsumer } from '../../src/kafka/frame-consumer.js';
import { RateLimitedLog } from '../../src/log/rate-limited-log.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { LogCapture } from './service.js';

export class ScriptedClient implements KafkaClient {
  handler: ((batch: PartitionBatch, control: BatchControl) => Promise<void>) | undefined;
  sent = 0;
  /** What the broker answers to a send; resolves by default. */
  onSend: (topic: string, records: OutgoingRecord[]) => Promise<void> = async () => undefined;
  private readonly stateListeners: Array<KafkaClientEvents['state']> = [];
  on<E extends keyof KafkaClientEvents>(event: E, listener: KafkaClientEvents[E]): void {
    if (event === 'state') this.stateListeners.push(listener as KafkaClientEvents['state']);
  }
  emit(state: ConsumerState, detail?: string): void {
    for (const listener of this.stateListeners) listener(state, detail);
  }
  async start(_topic: string, handler: (batch: PartitionBatch, control: BatchControl) => Promise<void>): Promise<void> {
    this.handler = handler;
  }
  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    await this.onSend(topic, records);
    this.sent++;
  }
  async lag(): Promise<[]> {
    return [];
  }
  coordinatorAnswering(): boolean {
    return true;
  }
  async stop(): Promise<void> {}
}

export function startScriptedConsumer(detector: Detector): {
  client: ScriptedClient;
  logs: LogCapture;
  consumer: FrameConsumer;
  metrics: ReturnType<typeof createMetrics>;
} {
  const config = loadConfig({ ALGO_ENABLE_KAFKA_STREAMING: 'true' });
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  const metrics = createMetrics(config.metrics, { runtime: false });
  const pipeline = new DetectionPipeline(detector, new DetectionQueue(1, 1), metrics.detection, {
    maxImagePixels: 1e7,
    grouping: { distance: 1, minSize: 2 },
  });
  const client = new ScriptedClient();
  const consumer = new FrameConsumer({
    config: config.kafka,
    client,
    pipeline,
    recorder: metrics.kafka,
    logger,
    throttledLog: new RateLimitedLog(logger, { intervalMs: 60_000 }),
    maxFrameBytes: 1e6,
  });
  return { client, logs, consumer, metrics };
}
