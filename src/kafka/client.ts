// The small interface algo's frame consumer needs from a Kafka client, so the client
// (kafkajs today) can be swapped without touching the consumer.

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface OutgoingRecord {
  key: string | Buffer | null;
  value: Buffer | string;
  headers: Record<string, string>;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** Offset of the next message the broker will write to this partition. */
  highWatermark: string;
  records: ConsumedRecord[];
}

export interface BatchControl {
  /** False once the consumer is stopping or the partition was revoked. */
  isRunning(): boolean;
  heartbeat(): Promise<void>;
  /** Marks this record done (only once its result is acknowledged); the client commits done offsets. */
  commit(record: ConsumedRecord): Promise<void>;
  /** Stops fetching this partition until the returned function is called. */
  pause(): () => void;
}

export interface PartitionLag {
  partition: number;
  /** Messages after the group's committed offset (all of them when nothing is committed yet). */
  messages: number;
}

export type ConsumerState = 'connecting' | 'joined' | 'disconnected' | 'crashed' | 'stopped';

/**
 * Offsets of a partition the consumer never received although they came after the group's
 * committed offset (or the last frame it did) and before the next one it got: the broker deleted
 * them before they were read (retention by size or time; compaction). A consumer whose commit
 * was refused may have answered some of them.
 */
export interface SkippedOffsets {
  topic: string;
  partition: number;
  /** First offset skipped. */
  from: string;
  /** Offset the consumer received next (the first one not skipped). */
  to: string;
  count: number;
}

export interface KafkaClientEvents {
  state(state: ConsumerState, detail: string | undefined): void;
  rebalance(): void;
  skipped(range: SkippedOffsets): void;
}

export interface KafkaClient {
  /** Connects, joins the group on `topic` and runs `handler` for each partition batch. */
  start(topic: string, handler: (batch: PartitionBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Resolves once the broker has acknowledged every record (acks from all in-sync replicas). */
  send(topic: string, records: OutgoingRecord[]): Promise<void>;
  /**
   * Lag of the partitions of `topic` assigned to this consumer, read from the broker: so it
   * keeps growing while processing is stuck, and partitions handed to another consumer drop out.
   */
  lag(topic: string): Promise<PartitionLag[]>;
  /**
   * False once the group coordinator has not answered this consumer (join, heartbeat, commit)
   * for longer than its session timeout: by then the group has moved on without it.
   */
  coordinatorAnswering(): boolean;
  /** Finishes the batches in hand, leaves the group and disconnects. */
  stop(): Promise<void>;
  on<E extends keyof KafkaClientEvents>(event: E, listener: KafkaClientEvents[E]): void;
}
