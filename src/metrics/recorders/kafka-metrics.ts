// Kafka consumer metrics: throughput per topic, failures by reason, processing time,
// consumer lag per partition, rebalances, frame age and capture-ts headers that cannot give one.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why a capture-ts header gave no frame age (kafka_capture_ts_invalid_total's reason). */
export const CAPTURE_TS_INVALID_REASONS = ['unreadable', 'before_2000', 'future'] as const;
export type CaptureTsInvalidReason = (typeof CAPTURE_TS_INVALID_REASONS)[number];

export interface KafkaRecorder {
  consumed(topic: string): void;
  produced(topic: string): void;
  failed(topic: string, reason: string): void;
  processed(seconds: number): void;
  frameAge(seconds: number): void;
  captureTsInvalid(reason: CaptureTsInvalidReason): void;
  /** Replaces the topic's lag series: partitions not listed (no longer held) are removed. */
  lag(topic: string, partitions: ReadonlyArray<{ partition: number; messages: number }>): void;
  rebalanced(): void;
  /** Frames of `topic` after the group's committed offset that the broker deleted before this consumer read them. */
  skipped(topic: string, frames: number): void;
}

export function createKafkaMetrics(registry: Registry): KafkaRecorder {
  const consumed = new Counter({
    name: 'kafka_messages_consumed_total',
    help: 'Frame messages read from Kafka, by topic.',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const produced = new Counter({
    name: 'kafka_messages_produced_total',
    help: 'Messages written to Kafka and acknowledged by the broker, by topic (results and dead letters).',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'kafka_messages_failed_total',
    help: 'Frame messages that could not be processed, by topic and reason; poison messages go to the dead-letter topic.',
    labelNames: ['topic', 'reason'] as const,
    registers: [registry],
  });
  const processing = new Histogram({
    name: 'kafka_processing_seconds',
    help: 'Time from taking a frame message to its result being acknowledged by the broker.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const age = new Histogram({
    name: 'kafka_frame_age_seconds',
    help: 'Result time minus the frame capture timestamp (end-to-end delay seen by a camera).',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const captureTsInvalid = new Counter({
    name: 'kafka_capture_ts_invalid_total',
    help: 'Frame capture-ts headers not observed as a frame age, by reason: unreadable, before_2000, or future (more than a day ahead).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of CAPTURE_TS_INVALID_REASONS) captureTsInvalid.inc({ reason }, 0);
  const lag = new Gauge({
    name: 'kafka_consumer_lag',
    help: "Messages between the group's committed offset and the end of the partition, for the partitions this consumer holds.",
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
  });
  const rebalances = new Counter({
    name: 'kafka_consumer_rebalances_total',
    help: 'Consumer group rebalances this consumer took part in.',
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'kafka_frames_skipped_total',
    help: "Frame messages after the group's committed offset that the broker deleted (retention) before this consumer read them, by topic: they got no result, unless a consumer whose commit was refused had answered them.",
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const lagReported = new Map<string, Set<string>>();
  return {
    consumed: (topic) => consumed.inc({ topic }),
    produced: (topic) => produced.inc({ topic }),
    failed: (topic, reason) => failed.inc({ topic, reason }),
    processed: (seconds) => processing.observe(seconds),
    frameAge: (seconds) => age.observe(Math.max(0, seconds)),
    captureTsInvalid: (reason) => captureTsInvalid.inc({ reason }),
    lag: (topic, partitions) => {
      const current = new Set(partitions.map((entry) => String(entry.partition)));
      for (const partition of lagReported.get(topic) ?? []) {
        if (!current.has(partition)) lag.remove({ topic, partition });
      }
      for (const entry of partitions) lag.set({ topic, partition: String(entry.partition) }, entry.messages);
      lagReported.set(topic, current);
    },
    rebalanced: () => rebalances.inc(),
    skipped: (topic, frames) => skipped.inc({ topic }, frames),
  };
}
