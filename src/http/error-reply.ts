// Maps any error to algo's JSON error answer: AlgoErrors keep their code and status,
// Fastify's and the multipart parser's own errors are translated to the matching algo code,
// anything else is a 500 whose details stay in the log. Whatever the error, a request whose
// client already went away is `client_closed` (499): that is what happened to it.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AlgoError, clientClosed, isAlgoError, type ErrorCode } from '../errors.js';
import { clientGone } from './connections/client-gone.js';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported_type',
  FST_REQ_FILE_TOO_LARGE: 'too_large',
  FST_FILES_LIMIT: 'invalid_request',
  FST_PARTS_LIMIT: 'too_large',
  FST_FIELDS_LIMIT: 'too_large',
  FST_PROTO_VIOLATION: 'invalid_request',
  FST_INVALID_JSON_FIELD_ERROR: 'invalid_request',
};

/** Characters of a Fastify error's message kept in the answer. */
const MAX_MESSAGE = 300;

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** Normalises any thrown value to an AlgoError (client errors keep their message). */
export function toAlgoError(error: unknown): AlgoError {
  if (isAlgoError(error)) return error;
  if (isFastifyError(error)) {
    const code = FASTIFY_CODES[error.code];
    const status = error.statusCode ?? 500;
    // Fastify's messages quote the request (a 5 000-character path comes back whole): bounded here.
    const message = error.message.length > MAX_MESSAGE ? `${Array.from(error.message).slice(0, MAX_MESSAGE).join('')}…` : error.message;
    if (code !== undefined) return new AlgoError(code, message, { cause: error });
    if (status >= 400 && status < 500) return new AlgoError('invalid_request', message, { cause: error, status });
  }
  return new AlgoError('internal', 'Internal server error', { cause: error });
}

/** The outcome of a failed request: `client_closed` when its client is gone, else the error as an AlgoError. */
export function requestError(error: unknown, reply: FastifyReply): AlgoError {
  return clientGone(reply) ? clientClosed() : toAlgoError(error);
}

/** Whether part of the request's body has yet to arrive (a request without a body is never pending). */
export function bodyPending(request: IncomingMessage): boolean {
  if (request.complete) return false;
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

export function errorBody(error: AlgoError): ErrorBody {
  return { statusCode: error.statusCode, code: error.code, error: STATUS_CODES[error.statusCode] ?? 'Error', message: error.message };
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const algoError = requestError(error, reply);
  reply.errorCode = algoError.code;
  if (reply.sent || clientGone(reply)) return reply;
  if (algoError.statusCode >= 500 && algoError.code === 'internal') {
    request.log.error({ err: algoError.cause ?? algoError }, 'unhandled error');
  }
  if (algoError.retryAfterSeconds !== undefined) reply.header('retry-after', String(algoError.retryAfterSeconds));
  // Answered before its body arrived: the rest of the body must not be read as a next request.
  if (bodyPending(request.raw)) reply.header('connection', 'close');
  return reply.code(algoError.statusCode).type('application/json; charset=utf-8').send(errorBody(algoError));
}

declare module 'fastify' {
  interface FastifyReply {
    /** The algo error code this reply answered with, if it is an error answer (for the request log). */
    errorCode: ErrorCode | null;
  }
}
