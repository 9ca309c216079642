// The image request shared by POST /api/v1/detect and /api/v1/analyze: the encoded image as
// the body (image/jpeg, image/png, image/webp) or a multipart form with an `image` file;
// camera_id from the query, X-Camera-Id or the form. Routes registered through imageRoutes
// share this body handling, and every refusal — including those Fastify raises before the
// handler (content type, body size) — is counted in detection_errors_total by reason.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IMAGE_CONTENT_TYPES } from '../detect/decode.js';
import { emptyBody, invalidCameraId, invalidRequest } from '../errors.js';
import type { DetectionRecorder } from '../metrics/detection-metrics.js';
import { sendError, toAlgoError } from './error-reply.js';

export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const DEFAULT_CAMERA_ID = 'unknown';

export interface ImageRequest {
  image: Buffer;
  cameraId: string;
}

export function validCameraId(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_CAMERA_ID;
  if (!CAMERA_ID_PATTERN.test(value)) throw invalidCameraId('camera_id must be 1-64 characters of letters, digits and . _ : - (starting with a letter or digit)');
  return value;
}

function cameraIdOf(request: FastifyRequest, formField?: string): string {
  const query = request.query as Record<string, unknown>;
  const fromQuery = typeof query.camera_id === 'string' ? query.camera_id : undefined;
  const header = request.headers['x-camera-id'];
  return validCameraId(fromQuery ?? (typeof header === 'string' ? header : undefined) ?? formField);
}

async function imageFromMultipart(request: FastifyRequest): Promise<{ image: Buffer; cameraField: string | undefined }> {
  const part = await request.file();
  if (part === undefined) throw invalidRequest('multipart form has no file; send the image in a field named "image"');
  if (part.fieldname !== 'image') throw invalidRequest(`multipart file field is "${part.fieldname}"; expected "image"`);
  const image = await part.toBuffer();
  const field = part.fields.camera_id;
  const cameraField = field !== undefined && !Array.isArray(field) && field.type === 'field' && typeof field.value === 'string' ? field.value : undefined;
  return { image, cameraField };
}

/** The image and camera id of a request in an imageRoutes scope; throws AlgoErrors for bad input. */
export async function readImageRequest(request: FastifyRequest): Promise<ImageRequest> {
  let image: Buffer;
  let cameraId: string;
  if (request.isMultipart()) {
    const form = await imageFromMultipart(request);
    image = form.image;
    cameraId = cameraIdOf(request, form.cameraField);
  } else {
    image = request.body as Buffer;
    cameraId = cameraIdOf(request);
  }
  if (!Buffer.isBuffer(image) || image.length === 0) throw emptyBody();
  return { image, cameraId };
}

export interface ImageRoutesOptions {
  recorder: DetectionRecorder;
  maxBodyBytes: number;
  /** Adds the routes that read images (readImageRequest) to this scope. */
  register: (scope: FastifyInstance) => void;
}

/** A Fastify plugin: a scope that accepts only image bodies and multipart forms, with the routes given. */
export async function imageRoutes(app: FastifyInstance, { recorder, maxBodyBytes, register }: ImageRoutesOptions): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    const algoError = toAlgoError(error);
    recorder.recordDetectionError(algoError.code);
    return sendError(algoError, request, reply);
  });
  // Only image bodies and multipart forms: Fastify's JSON/text parsers are dropped here so
  // any other type is refused as unsupported_type (415).
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: maxBodyBytes, files: 1, fields: 10, parts: 12 }, throwFileSizeLimit: true });
  app.addContentTypeParser([...IMAGE_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => done(null, body));
  register(app);
}
