// Scene events as Kafka records for ALGO_KAFKA_EVENTS_TOPIC: one JSON message per event (as
// GET /api/v1/events shows it), key = camera id so a camera's events stay in order.
import type { KafkaRecorder } from '../metrics/recorders/kafka-metrics.js';
import type { PublishedEvent } from '../scene/event-buffer.js';
import type { OutgoingRecord } from './client.js';
import type { RecordSink } from './producer.js';

const HEADERS = { 'content-type': 'application/json' };

export function eventRecords(events: readonly PublishedEvent[]): OutgoingRecord[] {
  return events.map((event) => ({ key: event.camera_id, value: JSON.stringify(event), headers: { ...HEADERS, 'event-id': event.id } }));
}

/**
 * Sends events in the background (frames posted over HTTP: nothing waits on them); what the
 * broker acknowledged is counted as produced, what it did not as failed (publish_failed).
 */
export function eventPublisher(
  sink: RecordSink,
  topic: string,
  recorder: Pick<KafkaRecorder, 'produced' | 'failed'>,
): (events: readonly PublishedEvent[]) => void {
  return (events) => {
    sink.send(topic, eventRecords(events)).then(
      () => events.forEach(() => recorder.produced(topic)),
      () => events.forEach(() => recorder.failed(topic, 'publish_failed')),
    );
  };
}
