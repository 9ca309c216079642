// Kafka settings (ALGO_KAFKA_*), owned by kafka/ and filled from the environment by config/.

export interface KafkaConfig {
  enabled: boolean;
  brokers: string[];
  clientId: string;
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
  /** Scene events (ALGO_KAFKA_EVENTS_TOPIC), key = camera id. */
  eventsTopic: string;
  /** Partitions processed at once (ALGO_KAFKA_PARTITIONS_CONCURRENCY); unset: follows the detector, see partitionConcurrency(). */
  partitionsConsumedConcurrently: number | undefined;
  /** How often consumer lag is read from the broker. */
  lagIntervalMs: number;
}

/** Partitions consumed at once when not configured: enough to keep every detector worker busy (2 each), at least 4. */
export function partitionConcurrency(configured: number | undefined, detectorWorkers: number): number {
  return configured ?? Math.max(4, 2 * detectorWorkers);
}
