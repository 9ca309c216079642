// What the frame routes (detect, analyze) read from a request: the image — a raw body
// (image/jpeg, image/png, image/webp) or a multipart form with an `image` file — its declared
// content type, and the camera id from the query, X-Camera-Id or the form.
import type { FastifyRequest } from 'fastify';
import { DEFAULT_CAMERA_ID, parseCameraId } from '../camera-id.js';
import { emptyBody, invalidCameraId } from '../errors.js';
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
