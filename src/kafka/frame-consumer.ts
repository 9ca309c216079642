// Kafka mode: frames from the input topic go through the same detection pipeline
// as HTTP; each result is produced to the output topic, and only once the broker has
// acknowledged it is the frame's offset committed (at-least-once). Poison messages go to the
// dead-letter topic with the original payload and error headers, and the partition moves on.
// Partitions are processed in order, several at once; when the detector is saturated the
// partition pauses fetching and retries with backoff. A publish, commit or heartbeat the
// broker refuses (the group moved on: a consumer joined or left, the coordinator was silent
// past the session timeout) ends the batch without failing anything: frames not committed are
// read again, by this consumer once it rejoins or by the one the partition moved to. Frames of
// tracked cameras go through their scene in capture-ts order (a camera keeps one partition);
// their events are produced to the events topic before the offset is committed. After a
// rebalance the cameras fed over Kafka start fresh tracks: a new owner has none of the old state.
// Frames the broker deleted before they were read (retention, while the consumers were down or
// behind) cannot be answered: they are counted (kafka_frames_skipped_total) and logged. The count
// starts at the group's committed offset, so it can include frames a consumer answered but could
// not commit (its commit refused by a rebalance) before the broker deleted them.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { KafkaConfig } from './kafka-config.js';
import type { DetectionPipeline } from '../detect/pipeline.js';
import { POISON_MESSAGE_CODES, messageOf, type AlgoError } from '../errors.js';
import type { RateLimitedLog } from '../log/rate-limited-log.js';
import type { KafkaRecorder } from '../metrics/recorders/kafka-metrics.js';
import type { Scenes, TrackedFrame } from '../scene/scenes.js';
import type { DetectionResponse } from '../detect/types.js';
import { captureTime, recordCaptureAge } from './capture-time.js';
import { eventRecords } from './event-records.js';
import { FRAME_HEADERS, readFrame, type Frame } from './frame-message.js';
import type { BatchControl, ConsumerState, PartitionBatch, KafkaClient, ConsumedRecord } from './client.js';
import type { KafkaSummaries } from './summaries.js';

const MODEL_ERROR_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 2000;

export interface FrameConsumerDeps {
  config: KafkaConfig;
  client: KafkaClient;
  pipeline: DetectionPipeline;
  recorder: KafkaRecorder;
  logger: Logger;
  /** Outages and bad frames repeat: logged once, then summarised. */
  throttledLog: RateLimitedLog;
  maxFrameBytes: number;
  /** With ALGO_LLM_STREAM_SUMMARIES: scene summaries added to output messages. */
  summaries?: KafkaSummaries | undefined;
  /** The tracked cameras' scenes. */
  scenes?: Scenes | undefined;
}

export class FrameConsumer {
  private state: ConsumerState = 'connecting';
  private stopping = false;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  /** Stamped on every produced message (header algo-worker) to tell consumers (algo instances) apart. */
  readonly consumerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(private readonly deps: FrameConsumerDeps) {
    this.log = deps.logger.child({ component: 'kafka' });
    deps.client.on('state', (state, detail) => {
      if (state === this.state) return;
      const wasJoined = this.state === 'joined';
      this.state = state;
      const fields = { state, detail, groupId: deps.config.groupId, topic: deps.config.inputTopic };
      if (this.stopping || state === 'joined' || state === 'connecting') {
        // One line when the consumer joins or leaves for good; the connect attempts between are debug.
        this.log[state === 'joined' || this.stopping ? 'info' : 'debug'](fields, `kafka consumer ${state}`);
        return;
      }
      // While the broker is down the consumer cycles crashed → stopped → disconnected on every
      // retry: one warning when that starts, then a summary per interval.
      deps.throttledLog.log(
        'warn',
        'kafka consumer down',
        { ...fields, wasJoined },
        'kafka consumer not in its group; retrying with backoff',
      );
    });
    deps.client.on('rebalance', () => {
      deps.recorder.rebalanced();
      const reset = deps.scenes?.resetKafkaCameras('rebalance') ?? [];
      if (reset.length > 0) this.log.info({ cameras: reset }, 'kafka rebalance: these cameras start fresh tracks');
    });
    // Not algo's doing and not retried: the frames no longer exist. Each range is one line.
    deps.client.on('skipped', (range) => {
      deps.recorder.skipped(range.topic, range.count);
      this.log.warn(
        { ...range, groupId: deps.config.groupId },
        'kafka frames deleted by the broker before they were read (retention); those not answered before get no result',
      );
    });
  }

  /** Ready while the consumer is in its group and its coordinator answers. */
  ready(): boolean {
    return this.state === 'joined' && this.deps.client.coordinatorAnswering();
  }

  /** Connects and joins the group; on failure leaves nothing half-connected, so it can be called again. */
  async start(): Promise<void> {
    try {
      await this.deps.client.start(this.deps.config.inputTopic, (batch, control) => this.processBatch(batch, control));
    } catch (error) {
      await this.deps.client.stop().catch(() => undefined);
      throw error;
    }
    this.scheduleLagPoll();
  }

  /** Shutdown: finishes the frames in hand, commits them and leaves the group. */
  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.lagTimer);
    this.deps.recorder.lag(this.deps.config.inputTopic, []);
    this.deps.summaries?.close();
    return this.deps.client.stop();
  }

  /**
   * Lag is read from the broker on a timer rather than derived from the batches processed:
   * it must keep rising when processing is stuck, which is when it matters most.
   */
  private scheduleLagPoll(): void {
    if (this.lagTimer !== undefined || this.stopping) return;
    this.lagTimer = setTimeout(() => void this.pollLag(), this.deps.config.lagIntervalMs);
    this.lagTimer.unref();
  }

  private async pollLag(): Promise<void> {
    const topic = this.deps.config.inputTopic;
    try {
      const lags = await this.deps.client.lag(topic);
      if (!this.stopping) this.deps.recorder.lag(topic, lags);
    } catch (error) {
      // The outage itself is logged by the state change; the last values stay until the next read.
      this.log.debug({ err: error }, 'could not read consumer lag');
    } finally {
      this.lagTimer = undefined;
      this.scheduleLagPoll();
    }
  }

  /**
   * Frames of a partition are detected one after another while the previous frame's result
   * is still being acknowledged: publishing and offset marking stay in order, and the broker
   * round trip no longer leaves the detector idle. The first refusal (publish, commit,
   * heartbeat) stops the batch: nothing after it is marked done, the steps in flight settle,
   * and the refusal goes to the client, which rejoins and redelivers from the last done offset.
   */
  private async processBatch(batch: PartitionBatch, control: BatchControl): Promise<void> {
    let refused: { error: unknown } | undefined;
    const refuse = (error: unknown): void => {
      refused ??= { error };
    };
    // Never rejects: a refusal is kept, not left pending while the next frame is detected.
    let published: Promise<void> = Promise.resolve();
    for (const record of batch.records) {
      if (refused !== undefined || !control.isRunning()) break;
      const started = performance.now();
      const publish = await this.processRecord(record, control).catch((error: unknown) => refuse(error));
      if (publish === undefined) break;
      published = published.then(async () => {
        if (refused !== undefined) return;
        try {
          await publish();
          this.deps.recorder.processed((performance.now() - started) / 1000);
          await control.commit(record);
        } catch (error) {
          refuse(error);
        }
      });
      await control.heartbeat().catch(refuse);
    }
    await published;
    if (refused !== undefined) {
      const { error } = refused;
      this.deps.throttledLog.log(
        'info',
        'kafka batch refused',
        { component: 'kafka', topic: batch.topic, partition: batch.partition, err: messageOf(error) },
        'broker refused a publish, commit or heartbeat; frames not committed will be read again',
      );
      throw error;
    }
  }

  /**
   * Detects one frame; resolves to the step that publishes its result or dead letter, or to
   * undefined when the consumer stops first (the frame is left for redelivery).
   */
  private async processRecord(record: ConsumedRecord, control: BatchControl): Promise<(() => Promise<void>) | undefined> {
    const { recorder, config } = this.deps;
    recorder.consumed(record.topic);
    const frame = readFrame(record, this.deps.maxFrameBytes);
    if (!frame.ok) return () => this.deadLetter(record, this.deps.pipeline.refuse(frame.error).error);

    let modelErrors = 0;
    let backoffMs = 50;
    for (;;) {
      const result = await this.deps.pipeline.detect(frame.value.image, frame.value.cameraId);
      if (result.ok) {
        const { frameId, cameraId, captureTs } = frame.value;
        const tracked = this.track(frame.value, result.value);
        const response = tracked?.response ?? result.value;
        const summaries = this.deps.summaries;
        summaries?.consider(response, frame.value.image, frameId);
        return async () => {
          const summary = summaries?.take(cameraId);
          const body = JSON.stringify(
            summary === undefined ? { ...response, frame_id: frameId } : { ...response, frame_id: frameId, summary },
          );
          await this.deps.client.send(config.outputTopic, [
            {
              key: cameraId,
              value: body,
              headers: { 'content-type': 'application/json', [FRAME_HEADERS.frameId]: frameId, 'algo-worker': this.consumerId },
            },
          ]);
          recorder.produced(config.outputTopic);
          if (tracked !== undefined && tracked.events.length > 0) {
            await this.deps.client.send(config.eventsTopic, eventRecords(tracked.events));
            for (let i = 0; i < tracked.events.length; i++) recorder.produced(config.eventsTopic);
          }
          if (captureTs !== undefined) recordCaptureAge(recorder, captureTs, Date.now());
        };
      }
      const error = result.error;
      if (POISON_MESSAGE_CODES.has(error.code)) return () => this.deadLetter(record, error, frame.value.cameraId);
      if (error.code === 'model_error' && ++modelErrors >= MODEL_ERROR_ATTEMPTS)
        return () => this.deadLetter(record, error, frame.value.cameraId);
      if (!control.isRunning()) return undefined;
      // Detector saturated (or a transient model error): stop fetching, back off, retry the same frame.
      const resume = control.pause();
      await sleep(backoffMs);
      resume();
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }

  /** The frame through its camera's scene, at its capture-ts (else its arrival); undefined when the camera is not tracked. */
  private track(frame: Frame, response: DetectionResponse): TrackedFrame | undefined {
    const scenes = this.deps.scenes;
    if (scenes === undefined || !scenes.has(frame.cameraId)) return undefined;
    const now = Date.now();
    const picture = { kind: 'encoded', image: frame.image } as const;
    if (frame.captureTs === undefined) return scenes.track(frame.cameraId, now / 1000, response, 'kafka', picture);
    const time = captureTime(frame.captureTs, now);
    return time.ok
      ? scenes.track(frame.cameraId, time.ms / 1000, response, 'kafka', picture)
      : scenes.skip(frame.cameraId, response, 'invalid_capture_time');
  }

  /** `cameraId` is known once the message's key was valid; bad frames are logged per camera and reason. */
  private async deadLetter(record: ConsumedRecord, error: AlgoError, cameraId?: string): Promise<void> {
    const { client, config, recorder } = this.deps;
    await client.send(config.dlqTopic, [
      {
        key: record.key,
        value: record.value ?? Buffer.alloc(0),
        headers: {
          ...record.headers,
          'algo-error-code': error.code,
          'algo-error-message': error.message,
          'algo-source-topic': record.topic,
          'algo-source-partition': String(record.partition),
          'algo-source-offset': record.offset,
          'algo-worker': this.consumerId,
        },
      },
    ]);
    recorder.failed(record.topic, error.code);
    recorder.produced(config.dlqTopic);
    this.deps.throttledLog.log(
      'warn',
      `dead letter ${error.code} ${cameraId ?? ''}`,
      { component: 'kafka', reason: error.code, cameraId, topic: record.topic, partition: record.partition, offset: record.offset },
      'frame sent to the dead-letter topic',
    );
  }
}
