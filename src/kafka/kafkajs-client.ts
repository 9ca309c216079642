// KafkaClient on kafkajs (pure JavaScript). An offset is resolved only after the frame's
// result is acknowledged, so delivery is at-least-once. kafkajs commits resolved offsets every
// second, at the end of each batch and when the consumer stops or rebalances; a commit round
// trip per frame would stall the partitions. (kafkajs' consumer.commitOffsets() is not used: it
// silently does nothing once disconnect() has begun, dropping commits made during shutdown.)
// A broker fault never ends the consumer: kafkajs restarts it after the errors it deems
// retriable, and this client after the others (a coordinator answering INVALID_REQUEST, or
// GROUP_ID_NOT_FOUND once the cluster was replaced), with the same backoff.
// Each batch must start where the frames done before it end (the group's committed offset after
// a join): when it starts later, the broker deleted the frames between before anyone read them
// (retention) and kafkajs moved on from the log start; they are reported as skipped. A batch
// fetched before the consumer rejoined marks nothing more done (its partition may have moved).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Kafka,
  type Admin,
  type Consumer,
  type ConsumerRunConfig,
  type IHeaders,
  type IMemberAssignment,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { messageOf } from '../errors.js';
import type { KafkaConfig } from './kafka-config.js';
import { createKafka } from './kafka-factory.js';
import type {
  BatchControl,
  ConsumerState,
  OutgoingRecord,
  PartitionBatch,
  PartitionLag,
  KafkaClient,
  KafkaClientEvents,
  ConsumedRecord,
  SkippedOffsets,
} from './client.js';

function headerValues(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first.toString();
  }
  return out;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: headerValues(message.headers) };
}

const RESTART_DELAY_MS = { initial: 1000, max: 30_000 };
/** Past this without a heartbeat the coordinator drops the consumer from its group. */
const SESSION_TIMEOUT_MS = 10_000;

export class KafkaJsClient implements KafkaClient {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  /** Partitions per topic held since the last group join; empty while not in the group. */
  private assignment: IMemberAssignment = {};
  private readonly listeners: { [E in keyof KafkaClientEvents]: Array<KafkaClientEvents[E]> } = { state: [], rebalance: [], skipped: [] };
  /** Wait before the consumer restarts after a crash: doubles per crash, reset when it rejoins. */
  private restartDelayMs = RESTART_DELAY_MS.initial;
  private stopping = new AbortController();
  /** Date.now() of the coordinator's last answer to this consumer: a join, heartbeat or commit. */
  private coordinatorAnsweredAt = 0;
  /** What start() runs, kept to run it again after a crash kafkajs does not restart from. */
  private runConfig: ConsumerRunConfig | undefined;
  private topic = '';
  /** Counts the group joins: a batch fetched before the latest join belongs to a group generation that has ended. */
  private joinCount = 0;
  /** The group's committed offsets of the input topic, read when it last joined (only offsets ≥ 0). */
  private committedAtJoin: Promise<Map<number, bigint>> = Promise.resolve(new Map());
  /** Per partition, the offset after the last frame done since the last join: where the next batch must start. */
  private readonly doneUpTo = new Map<number, bigint>();

  constructor(private readonly config: KafkaConfig & { partitionsConsumedConcurrently: number }) {
    this.kafka = createKafka(config);
    this.admin = this.kafka.admin({ retry: { retries: 2 } });
    this.producer = this.kafka.producer({ allowAutoTopicCreation: true, idempotent: false, retry: { retries: 8 } });
    this.consumer = this.kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 1000,
      // Frames are large (100 KB+): kafkajs' 1 MB per partition would mean a fetch every few
      // frames, leaving the detector idle between batches.
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      rebalanceTimeout: 20_000,
      allowAutoTopicCreation: true,
      // kafkajs restarts a crashed consumer at once; while the broker stays down that is a
      // crash every few seconds. Back off exponentially instead (and not at all once stopping).
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10, restartOnFailure: () => this.restartAfterBackoff() },
    });
    const { CONNECT, GROUP_JOIN, HEARTBEAT, COMMIT_OFFSETS, DISCONNECT, CRASH, REBALANCING, STOP } = this.consumer.events;
    const answered = (): void => {
      this.coordinatorAnsweredAt = Date.now();
    };
    this.consumer.on(HEARTBEAT, answered);
    this.consumer.on(COMMIT_OFFSETS, answered);
    this.consumer.on(CONNECT, () => this.emitState('connecting', undefined));
    this.consumer.on(GROUP_JOIN, (event) => {
      answered();
      this.assignment = event.payload.memberAssignment;
      this.joinCount++;
      this.doneUpTo.clear();
      this.committedAtJoin = this.readCommitted();
      this.restartDelayMs = RESTART_DELAY_MS.initial;
      this.emitState('joined', undefined);
      for (const listener of this.listeners.rebalance) listener();
    });
    this.consumer.on(REBALANCING, () => this.emitState('connecting', 'rebalancing'));
    // kafkajs stops and disconnects a crashing consumer before it reports the crash: those two
    // are told only when algo stops it, so an outage is reported as the crash, with its reason.
    this.consumer.on(DISCONNECT, () => {
      this.assignment = {};
      if (this.stopping.signal.aborted) this.emitState('disconnected', undefined);
    });
    this.consumer.on(STOP, () => {
      this.assignment = {};
      if (this.stopping.signal.aborted) this.emitState('stopped', undefined);
    });
    this.consumer.on(CRASH, (event) => {
      this.assignment = {};
      this.emitState('crashed', event.payload.error.message);
      if (!event.payload.restart) void this.runAgain();
    });
  }

  /** After a crash kafkajs does not restart from (it has disconnected): run again after the backoff, until stopped. */
  private async runAgain(): Promise<void> {
    const config = this.runConfig;
    while (config !== undefined && (await this.restartAfterBackoff())) {
      try {
        // A failure to join comes back as another CRASH event, not as a rejection.
        await this.consumer.run(config);
        return;
      } catch (error) {
        this.emitState('crashed', messageOf(error));
      }
    }
  }

  /** The group's committed offsets of the input topic (read before kafkajs resets one it finds out of range). */
  private async readCommitted(): Promise<Map<number, bigint>> {
    const committed = new Map<number, bigint>();
    try {
      const offsets = await this.admin.fetchOffsets({ groupId: this.config.groupId, topics: [this.topic] });
      for (const entry of offsets.find((topic) => topic.topic === this.topic)?.partitions ?? []) {
        const offset = BigInt(entry.offset);
        if (offset >= 0n) committed.set(entry.partition, offset);
      }
    } catch {
      // Unknown: gaps are then only seen after this consumer has done a frame of the partition.
    }
    return committed;
  }

  /**
   * A batch must start where the frames done before it end (the group's committed offset after a
   * join). When it starts later, the frames between are gone: the broker deleted them before they
   * were read (retention) and kafkajs, finding its offset out of range, moved to the log start.
   */
  private async checkContinuity(joinCount: number, topic: string, partition: number, firstOffset: string): Promise<void> {
    const committed = await this.committedAtJoin;
    if (joinCount !== this.joinCount) return;
    const expected = this.doneUpTo.get(partition) ?? committed.get(partition);
    const first = BigInt(firstOffset);
    if (expected === undefined || first <= expected) return;
    this.doneUpTo.set(partition, first);
    const range: SkippedOffsets = { topic, partition, from: expected.toString(), to: firstOffset, count: Number(first - expected) };
    for (const listener of this.listeners.skipped) listener(range);
  }

  coordinatorAnswering(): boolean {
    return Date.now() - this.coordinatorAnsweredAt <= SESSION_TIMEOUT_MS;
  }

  private async restartAfterBackoff(): Promise<boolean> {
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(delayMs * 2, RESTART_DELAY_MS.max);
    const signal = this.stopping.signal;
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    return !signal.aborted;
  }

  on<E extends keyof KafkaClientEvents>(event: E, listener: KafkaClientEvents[E]): void {
    this.listeners[event].push(listener);
  }

  private emitState(state: ConsumerState, detail: string | undefined): void {
    for (const listener of this.listeners.state) listener(state, detail);
  }

  async start(topic: string, handler: (batch: PartitionBatch, control: BatchControl) => Promise<void>): Promise<void> {
    this.stopping = new AbortController();
    await this.producer.connect();
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    this.topic = topic;
    this.runConfig = {
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat, resolveOffset, commitOffsetsIfNecessary, pause }) => {
        const joinCount = this.joinCount;
        // A batch of an ended generation stops, and marks nothing done: its partition may be another
        // consumer's now, and kafkajs would commit the offset under the new generation.
        const current = (): boolean => joinCount === this.joinCount;
        const first = batch.messages[0];
        if (first !== undefined) await this.checkContinuity(joinCount, batch.topic, batch.partition, first.offset);
        const lastOffset = batch.lastOffset();
        const control: BatchControl = {
          isRunning: () => isRunning() && !isStale() && current(),
          heartbeat,
          commit: async (record) => {
            if (!current()) return;
            // kafkajs resolves the batch's last offset (past any control records) with its last message.
            this.doneUpTo.set(batch.partition, BigInt(record.offset === batch.messages.at(-1)?.offset ? lastOffset : record.offset) + 1n);
            resolveOffset(record.offset);
            await commitOffsetsIfNecessary();
          },
          pause,
        };
        await handler(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            records: batch.messages.map((message) => toRecord(batch.topic, batch.partition, message)),
          },
          control,
        );
      },
    };
    await this.consumer.run(this.runConfig);
  }

  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
    });
  }

  async lag(topic: string): Promise<PartitionLag[]> {
    const held = this.assignment[topic] ?? [];
    if (held.length === 0) return [];
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: this.config.groupId, topics: [topic] }),
    ]);
    const committedAt = new Map(
      (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]),
    );
    const lags: PartitionLag[] = [];
    for (const end of ends) {
      if (!held.includes(end.partition)) continue;
      const from = committedAt.get(end.partition) ?? -1n;
      // Nothing committed yet: everything still in the partition is waiting.
      const start = from < 0n ? BigInt(end.low) : from;
      lags.push({ partition: end.partition, messages: Math.max(0, Number(BigInt(end.high) - start)) });
    }
    return lags;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}
