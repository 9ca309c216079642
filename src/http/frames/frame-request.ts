// What the frame routes (detect, analyze) read from a request: the image — a raw body
// (image/jpeg, image/png, image/webp) or a multipart form with an `image` file — its declared
// content type, the camera id from the query, X-Camera-Id or the form, and when the frame was
// captured (X-Capture-Timestamp, else its arrival).
import type { FastifyRequest } from 'fastify';
import { DEFAULT_CAMERA_ID, parseCameraId } from '../../camera-id.js';
import { emptyBody, invalidCameraId, invalidCaptureTime } from '../../errors.js';
import { captureTime } from '../../kafka/capture-time.js';
import { readImageForm, type ImageForm, type ImageFormLimits } from './image-form.js';

const GIVEN_ONCE = 'camera_id must be given once: one ?camera_id=<id>, X-Camera-Id header or camera_id form field';

/**
 * The camera id of a request: `?camera_id=`, else X-Camera-Id, else the form's camera_id field;
 * an empty value counts as not given. A repeated query parameter, header or form field, or a
 * bracketed query parameter, is refused (invalid_camera_id, the same message for each).
 */
export function cameraIdOf(request: FastifyRequest, form?: Pick<ImageForm, 'fields' | 'repeated'>): string {
  const query = request.query as Record<string, unknown>;
  for (const key in query) {
    if (key === 'camera_id' ? typeof query[key] !== 'string' : key.startsWith('camera_id[')) throw invalidCameraId(GIVEN_ONCE);
  }
  if ((request.raw.headersDistinct['x-camera-id']?.length ?? 0) > 1 || form?.repeated.has('camera_id') === true)
    throw invalidCameraId(GIVEN_ONCE);
  const formField = form?.fields.camera_id;
  const header = request.headers['x-camera-id'];
  const given = [query.camera_id, header, formField].find((value): value is string => typeof value === 'string' && value !== '');
  return given === undefined ? DEFAULT_CAMERA_ID : parseCameraId(given);
}

/** The image (raw body or multipart form), its declared content type (raw bodies) and camera id of a detection-style request. */
export async function readImageRequest(
  request: FastifyRequest,
  limits: Pick<ImageFormLimits, 'maxBytes'>,
): Promise<{ image: Buffer; declaredType?: string; cameraId: string; fields: Record<string, string> }> {
  if (request.isMultipart()) {
    const form = await readImageForm(request, { maxBytes: limits.maxBytes, fileField: 'image', maxFields: 10, maxFieldBytes: 64 * 1024 });
    return { image: form.image, cameraId: cameraIdOf(request, form), fields: form.fields };
  }
  const cameraId = cameraIdOf(request);
  const image = request.body;
  if (!Buffer.isBuffer(image) || image.length === 0) throw emptyBody();
  return { image, declaredType: mediaType(request.headers['content-type']), cameraId, fields: {} };
}

/** "image/jpeg; charset=x" → "image/jpeg"; undefined when absent. */
export function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]!.trim().toLowerCase() || undefined;
}

const CAPTURE_TIME_PROBLEMS = { unreadable: 'unreadable', before_2000: 'before 2000', future: 'more than a day ahead' } as const;

/**
 * Unix seconds the frame was captured: X-Capture-Timestamp (ms or s since the epoch, or ISO
 * 8601, as Kafka's capture-ts), else now. A value that is no such time is refused
 * (invalid_capture_time, 400) rather than guessed at: it orders the camera's frames.
 */
export function captureSecondsOf(request: FastifyRequest, nowMs = Date.now()): number {
  const header = request.headers['x-capture-timestamp'];
  if (header === undefined) return nowMs / 1000;
  const text = Array.isArray(header) ? header.join(', ') : header;
  const time = captureTime(text, nowMs);
  if (!time.ok) throw invalidCaptureTime(text, CAPTURE_TIME_PROBLEMS[time.reason]);
  return time.ms / 1000;
}
