// A produce-only Kafka client for camera output (results in the detector role, JPEG frames in
// the ingest role). It connects on first use and again after a failure, so a broker outage
// costs the frames sent meanwhile but never stops the cameras.
import type { Producer } from 'kafkajs';
import { createKafka } from './kafka-factory.js';
import type { KafkaConfig } from './kafka-config.js';
import type { OutgoingRecord } from './client.js';

export interface RecordSink {
  /** Resolves once the broker acknowledged the records. */
  send(topic: string, records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export class KafkaProducer implements RecordSink {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(config: Pick<KafkaConfig, 'brokers' | 'clientId'>) {
    const kafka = createKafka(config);
    this.producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, retry: { retries: 3 } });
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
    });
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.producer.disconnect();
  }
}
