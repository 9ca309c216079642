// Where a camera frame goes once the scheduler releases it. In the detector role: through the
// shared detection pipeline under the camera's id, through its scene when it is tracked
// (track ids, events), and its result, when Kafka is on, to the output topic (same JSON as HTTP
// answers, key = camera id) and its events to the events topic. In the ingest role: the JPEG is
// produced to the input topic (key = camera id) for detector instances elsewhere.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DetectionPipeline } from '../detect/pipeline.js';
import { FRAME_HEADERS } from '../kafka/frame-message.js';
import type { OutgoingRecord } from '../kafka/client.js';
import { eventRecords } from '../kafka/event-records.js';
import type { RecordSink } from '../kafka/producer.js';
import type { Scenes } from '../scene/scenes.js';
import type { FrameOutcome } from '../metrics/recorders/camera-metrics.js';
import type { KafkaRecorder } from '../metrics/recorders/kafka-metrics.js';
import type { Camera, CameraFrame } from './camera.js';
import type { LastDetection } from './camera-view.js';
import type { FramePool } from './frame-pool.js';
import { messageOf } from '../errors.js';

export type CameraOutput =
  | { role: 'detect'; pipeline: DetectionPipeline; results?: { sink: RecordSink; topic: string; eventsTopic: string } }
  | { role: 'ingest'; sink: RecordSink; topic: string };

const JSON_HEADERS = { 'content-type': 'application/json' };

export class FrameRouter {
  private readonly last = new Map<Camera, LastDetection>();
  private publishFailing = false;

  constructor(
    private readonly output: CameraOutput,
    /** Raw frame buffers per camera (detect role): a superseded detected frame goes back. */
    private readonly pools: ReadonlyMap<Camera, FramePool>,
    private readonly kafka: KafkaRecorder,
    private readonly log: Logger,
    /** The tracked cameras' scenes (detect role). */
    private readonly scenes?: Scenes,
  ) {}

  /** The camera's last detected frame and its result (detect role). */
  lastDetection(camera: Camera): LastDetection | undefined {
    return this.last.get(camera);
  }

  /**
   * The camera went down: its tracks end now (see Scenes.endCameraTracks) and their `left`
   * events go to the events topic like any other when results go to Kafka.
   */
  async cameraDown(camera: Camera): Promise<void> {
    const events = this.scenes?.endCameraTracks(camera.id) ?? [];
    const { output } = this;
    if (events.length > 0 && output.role === 'detect' && output.results !== undefined) {
      const { sink, eventsTopic } = output.results;
      await this.publish({ sink, topic: eventsTopic }, eventRecords(events));
    }
  }

  route(camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const { output } = this;
    return output.role === 'detect' ? this.detect(output, camera, frame) : this.produce(output, camera, frame);
  }

  private async detect(output: Extract<CameraOutput, { role: 'detect' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const { width, height } = output.pipeline.inputSize;
    // The worker reads the frame where it lies (the pool's buffers are shared memory); the frame
    // is not given back to the pool before its detection has finished, and stays for snapshots.
    const pixels = frame.data;
    const result = await output.pipeline.detectLetterboxed(
      { pixels, sourceWidth: frame.sourceWidth ?? width, sourceHeight: frame.sourceHeight ?? height },
      camera.id,
    );
    if (!result.ok) {
      this.log.debug({ camera_id: camera.id, reason: result.error.code, err: result.error.message }, 'camera frame not detected');
      return 'failed';
    }
    const tracked = this.scenes?.track(camera.id, frame.receivedAt / 1000, result.value, 'camera', {
      kind: 'letterboxed',
      pixels,
      width,
      height,
    });
    const response = tracked?.response ?? result.value;
    const previous = this.last.get(camera);
    this.last.set(camera, { frame, result: response });
    // The superseded detected frame: older than this one, so no longer the latest either.
    if (previous !== undefined && previous.frame !== camera.latestFrame) this.pools.get(camera)?.give(previous.frame.data);
    if (output.results !== undefined) {
      const { sink, topic, eventsTopic } = output.results;
      await this.publish({ sink, topic }, [{ key: camera.id, value: JSON.stringify(response), headers: JSON_HEADERS }]);
      if (tracked !== undefined && tracked.events.length > 0)
        await this.publish({ sink, topic: eventsTopic }, eventRecords(tracked.events));
    }
    return 'detected';
  }

  private async produce(output: Extract<CameraOutput, { role: 'ingest' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const headers = {
      [FRAME_HEADERS.contentType]: 'image/jpeg',
      [FRAME_HEADERS.frameId]: `${camera.id}-${randomUUID()}`,
      [FRAME_HEADERS.captureTs]: String(frame.receivedAt),
    };
    return (await this.publish(output, [{ key: camera.id, value: frame.data, headers }])) ? 'produced' : 'failed';
  }

  /** Sends records; failures are counted and logged once per outage. */
  private async publish(target: { sink: RecordSink; topic: string }, records: OutgoingRecord[]): Promise<boolean> {
    try {
      await target.sink.send(target.topic, records);
      for (let i = 0; i < records.length; i++) this.kafka.produced(target.topic);
      if (this.publishFailing) this.log.info({ topic: target.topic }, 'camera output reaches kafka again');
      this.publishFailing = false;
      return true;
    } catch (error) {
      this.kafka.failed(target.topic, 'publish_failed');
      if (!this.publishFailing) this.log.warn({ topic: target.topic, err: messageOf(error) }, 'camera output could not be sent to kafka');
      this.publishFailing = true;
      return false;
    }
  }
}
