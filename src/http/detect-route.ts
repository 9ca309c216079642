// POST /api/v1/detect: the encoded image as the body (image/jpeg, image/png, image/webp) or
// a multipart form with an `image` file; camera_id from the query, X-Camera-Id or the form.
// Every refusal, including those Fastify raises before the handler (content type, body size,
// a body that stalls) and a client that goes away, is counted in detection_errors_total by
// reason. A frame whose client left while it waited in the queue is never detected.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_CAMERA_ID, parseCameraId } from '../detect/camera-id.js';
import { IMAGE_CONTENT_TYPES } from '../detect/decode.js';
import type { DetectionPipeline } from '../detect/pipeline.js';
import { emptyBody, invalidCameraId, unsupportedType } from '../errors.js';
import type { DetectionRecorder } from '../metrics/detection-metrics.js';
import { clientSignal } from './client-gone.js';
import { requestError, sendError } from './error-reply.js';
import { readImageForm, type ImageForm, type ImageFormLimits } from './image-form.js';

export { CAMERA_ID_PATTERN, DEFAULT_CAMERA_ID, parseCameraId as validCameraId } from '../detect/camera-id.js';

export interface DetectRouteOptions {
  pipeline: DetectionPipeline;
  recorder: DetectionRecorder;
  maxBodyBytes: number;
}

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
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]!.trim().toLowerCase() || undefined;
}

/** What a frame route accepts, named in its 415 answers. */
const FRAME_CONTENT_TYPES = [...IMAGE_CONTENT_TYPES, 'multipart/form-data'];

/** The error handler of routes that take frames: every refusal is also a detection error. */
export function countedErrorHandler(
  recorder: DetectionRecorder,
): (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (error, request, reply) => {
    let algoError = requestError(error, reply);
    // Fastify's own 415 says only "Unsupported Media Type"; say what came and what is accepted.
    if (algoError.code === 'unsupported_type' && (error as { code?: unknown }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      algoError = unsupportedType(mediaType(request.headers['content-type']) ?? '(none)', FRAME_CONTENT_TYPES);
    }
    recorder.recordDetectionError(algoError.code);
    return sendError(algoError, request, reply);
  };
}

export interface FrameBodyOptions {
  recorder: DetectionRecorder;
  maxBodyBytes: number;
}

/**
 * Prepares a plugin scope for routes that take frames (detect, analyze): refusals counted as
 * detection errors, and only image bodies and multipart forms accepted — Fastify's JSON/text
 * parsers are dropped so any other type is refused as unsupported_type (415).
 */
export async function acceptFrameBodies(app: FastifyInstance, { recorder, maxBodyBytes }: FrameBodyOptions): Promise<void> {
  app.setErrorHandler(countedErrorHandler(recorder));
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: maxBodyBytes }, throwFileSizeLimit: true });
  app.addContentTypeParser([...IMAGE_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) =>
    done(null, body),
  );
}

/** POST /api/v1/detect, in a scope prepared by acceptFrameBodies. */
export function detectRoute(app: FastifyInstance, { pipeline, maxBodyBytes }: Pick<DetectRouteOptions, 'pipeline' | 'maxBodyBytes'>): void {
  app.post('/api/v1/detect', { bodyLimit: maxBodyBytes }, async (request, reply) => {
    const { image, declaredType, cameraId } = await readImageRequest(request, { maxBytes: maxBodyBytes });
    const result = await pipeline.detect(image, cameraId, clientSignal(reply), declaredType);
    if (!result.ok) return sendError(result.error, request, reply);
    return reply.send(result.value);
  });
}

/** A plugin serving POST /api/v1/detect alone. */
export async function detectRoutes(app: FastifyInstance, options: DetectRouteOptions): Promise<void> {
  await acceptFrameBodies(app, options);
  detectRoute(app, options);
}
