// Kafka settings (ALGO_KAFKA_*), owned by kafka/ and filled from the environment by config/.

export interface KafkaConfig {
  enabled: boolean;
  brokers: string[];
  clientId: string;
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
  /** Partitions processed at once. */
  partitionsConsumedConcurrently: number;
  /** How often consumer lag is read from the broker. */
  lagIntervalMs: number;
}
