// A frame's capture-ts header as the frame's age: milliseconds or seconds since the epoch
// (fractions allowed), told apart by magnitude, or an ISO 8601 time. A time before 2000 or
// more than a day ahead is a producer's mistake, not a delay: it is counted, never observed,
// so one wrong unit cannot add years to kafka_frame_age_seconds_sum.
import type { CaptureTsInvalidReason, KafkaRecorder } from '../metrics/recorders/kafka-metrics.js';

const EARLIEST_MS = Date.UTC(2000, 0, 1);
const MAX_AHEAD_MS = 24 * 3600_000;
/** A number below this is seconds: 1e11 s is the year 5138, 1e11 ms is 1973. */
const SECONDS_BELOW = 1e11;
const NUMBER = /^\d+(\.\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

export type CaptureTime = { ok: true; ms: number } | { ok: false; reason: CaptureTsInvalidReason };

/** The capture time in ms since the epoch, or why it cannot be one. */
export function captureTime(value: string, nowMs: number): CaptureTime {
  const text = value.trim();
  let ms = Number.NaN;
  if (NUMBER.test(text)) {
    const number = Number(text);
    ms = number < SECONDS_BELOW ? number * 1000 : number;
  } else if (ISO_8601.test(text)) ms = Date.parse(text);
  if (!Number.isFinite(ms)) return { ok: false, reason: 'unreadable' };
  if (ms < EARLIEST_MS) return { ok: false, reason: 'before_2000' };
  if (ms > nowMs + MAX_AHEAD_MS) return { ok: false, reason: 'future' };
  return { ok: true, ms };
}

/** Observes the frame's age at `nowMs` (a clock slightly behind counts as 0), or counts why it cannot. */
export function recordCaptureAge(recorder: Pick<KafkaRecorder, 'frameAge' | 'captureTsInvalid'>, value: string, nowMs: number): void {
  const time = captureTime(value, nowMs);
  if (time.ok) recorder.frameAge((nowMs - time.ms) / 1000);
  else recorder.captureTsInvalid(time.reason);
}
