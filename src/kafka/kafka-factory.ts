// The one place a kafkajs client is made, so its connection and retry options exist once.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from './kafka-config.js';

/**
 * A kafkajs client for algo's brokers. kafkajs' own logging is off: the consumer and the
 * producer report state changes once instead of per attempt. Client-level retries are short:
 * the consumer's own loop keeps retrying with backoff, so an outage surfaces (and is logged
 * once) within seconds instead of after minutes.
 */
export function createKafka(config: Pick<KafkaConfig, 'brokers' | 'clientId'>): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 300, maxRetryTime: 2000, retries: 3 },
    connectionTimeout: 3000,
  });
}
