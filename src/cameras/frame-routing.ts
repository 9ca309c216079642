// Where a camera frame goes once the scheduler releases it. In the detector role: through the
// shared detection pipeline under the camera's id, and its result, when Kafka is on, to the
// output topic (same JSON as HTTP answers, key = camera id). In the ingest role: the JPEG is
// produced to the input topic (key = camera id) for detector instances elsewhere.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DetectionPipeline } from '../detect/pipeline.js';
import { FRAME_HEADERS } from '../kafka/frame-message.js';
import type { RecordSink } from '../kafka/producer.js';
import type { FrameOutcome } from '../metrics/camera-metrics.js';
import type { KafkaRecorder } from '../metrics/kafka-metrics.js';
import type { Camera, CameraFrame } from './camera.js';
import type { LastDetection } from './camera-view.js';
import type { FramePool } from './frame-pool.js';
import { messageOf } from '../errors.js';

export type CameraOutput =
  | { role: 'detect'; pipeline: DetectionPipeline; results?: { sink: RecordSink; topic: string } }
  | { role: 'ingest'; sink: RecordSink; topic: string };

export class FrameRouter {
  private readonly last = new Map<Camera, LastDetection>();
  private publishFailing = false;

  constructor(
    private readonly output: CameraOutput,
    /** Raw frame buffers per camera (detect role): a superseded detected frame goes back. */
    private readonly pools: ReadonlyMap<Camera, FramePool>,
    private readonly kafka: KafkaRecorder,
    private readonly log: Logger,
  ) {}

  /** The camera's last detected frame and its result (detect role). */
  lastDetection(camera: Camera): LastDetection | undefined {
    return this.last.get(camera);
  }

  route(camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const { output } = this;
    return output.role === 'detect' ? this.detect(output, camera, frame) : this.produce(output, camera, frame);
  }

  private async detect(output: Extract<CameraOutput, { role: 'detect' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const { width, height } = output.pipeline.inputSize;
    // A copy goes to the worker (its buffer is transferred), the frame stays for snapshots.
    const pixels = new Uint8Array(frame.data);
    const result = await output.pipeline.detectLetterboxed(
      { pixels, sourceWidth: frame.sourceWidth ?? width, sourceHeight: frame.sourceHeight ?? height },
      camera.id,
    );
    if (!result.ok) {
      this.log.debug({ camera_id: camera.id, reason: result.error.code, err: result.error.message }, 'camera frame not detected');
      return 'failed';
    }
    const previous = this.last.get(camera);
    this.last.set(camera, { frame, result: result.value });
    // The superseded detected frame: older than this one, so no longer the latest either.
    if (previous !== undefined && previous.frame !== camera.latestFrame) this.pools.get(camera)?.give(previous.frame.data);
    if (output.results !== undefined) await this.publish(output.results, camera.id, JSON.stringify(result.value));
    return 'detected';
  }

  private async produce(output: Extract<CameraOutput, { role: 'ingest' }>, camera: Camera, frame: CameraFrame): Promise<FrameOutcome> {
    const headers = {
      [FRAME_HEADERS.contentType]: 'image/jpeg',
      [FRAME_HEADERS.frameId]: `${camera.id}-${randomUUID()}`,
      [FRAME_HEADERS.captureTs]: String(frame.receivedAt),
    };
    return (await this.publish(output, camera.id, frame.data, headers)) ? 'produced' : 'failed';
  }

  /** Sends one record; failures are counted and logged once per outage. */
  private async publish(
    target: { sink: RecordSink; topic: string },
    key: string,
    value: Buffer | string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<boolean> {
    try {
      await target.sink.send(target.topic, [{ key, value, headers }]);
      this.kafka.produced(target.topic);
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
