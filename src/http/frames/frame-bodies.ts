// The plugin scope of the frame routes (detect, analyze): only image bodies and multipart
// forms are parsed, and every refusal — including those Fastify raises before the handler
// (content type, body size, a body that stalls) — is counted in detection_errors_total.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IMAGE_CONTENT_TYPES } from '../../detect/decode.js';
import { unsupportedType } from '../../errors.js';
import type { DetectionRecorder } from '../../metrics/recorders/detection-metrics.js';
import { requestError, sendError } from '../error-reply.js';
import { mediaType } from './frame-request.js';

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
