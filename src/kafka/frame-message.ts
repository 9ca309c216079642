// Reads a frame message: key = camera id, value = encoded image, headers content-type,
// frame-id and capture-ts (read by capture-time.ts).
import { type AlgoError, emptyBody, isAlgoError, missingKey, tooLarge, unsupportedType } from '../errors.js';
import { parseCameraId } from '../camera-id.js';
import { IMAGE_CONTENT_TYPES } from '../detect/decode.js';
import type { Result } from '../detect/types.js';
import type { ConsumedRecord } from './client.js';

export const FRAME_HEADERS = { contentType: 'content-type', frameId: 'frame-id', captureTs: 'capture-ts' } as const;

export interface Frame {
  cameraId: string;
  frameId: string;
  image: Buffer;
  /** The capture-ts header, when the camera sent one. */
  captureTs: string | undefined;
}

export function readFrame(record: ConsumedRecord, maxBytes: number): Result<Frame, AlgoError> {
  const cameraId = record.key?.toString('utf8');
  if (cameraId === undefined || cameraId === '') return { ok: false, error: missingKey() };
  try {
    parseCameraId(cameraId);
  } catch (error) {
    if (isAlgoError(error)) return { ok: false, error };
    throw error;
  }
  if (record.value === null || record.value.length === 0) return { ok: false, error: emptyBody() };
  if (record.value.length > maxBytes)
    return { ok: false, error: tooLarge(`Frame is ${record.value.length} bytes; the limit is ${maxBytes} (ALGO_MAX_BODY_BYTES)`) };
  const contentType = record.headers[FRAME_HEADERS.contentType]?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== undefined && !(IMAGE_CONTENT_TYPES as readonly string[]).includes(contentType)) {
    return { ok: false, error: unsupportedType(contentType, IMAGE_CONTENT_TYPES) };
  }
  return {
    ok: true,
    value: {
      cameraId,
      frameId: record.headers[FRAME_HEADERS.frameId] ?? `${record.topic}/${record.partition}/${record.offset}`,
      image: record.value,
      captureTs: record.headers[FRAME_HEADERS.captureTs],
    },
  };
}
