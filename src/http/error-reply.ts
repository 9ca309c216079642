// Maps any error to algo's JSON error answer: AlgoErrors keep their code and status,
// Fastify's own errors are translated to the matching algo code, anything else is a 500
// whose details stay in the log.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AlgoError, isAlgoError, type ErrorCode } from '../errors.js';

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
  FST_PARTS_LIMIT: 'invalid_request',
};

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** Normalises any thrown value to an AlgoError (client errors keep their message). */
export function toAlgoError(error: unknown): AlgoError {
  if (isAlgoError(error)) return error;
  if (isFastifyError(error)) {
    const code = FASTIFY_CODES[error.code];
    const status = error.statusCode ?? 500;
    if (code !== undefined) return new AlgoError(code, code === 'too_large' ? 413 : status, error.message, { cause: error });
    if (status >= 400 && status < 500) return new AlgoError('invalid_request', status, error.message, { cause: error });
  }
  return new AlgoError('internal', 500, 'Internal server error', { cause: error });
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const algoError = toAlgoError(error);
  if (algoError.statusCode >= 500 && algoError.code === 'internal') {
    request.log.error({ err: algoError.cause ?? algoError }, 'unhandled error');
  }
  if (algoError.retryAfterSeconds !== undefined) reply.header('retry-after', String(algoError.retryAfterSeconds));
  const body: ErrorBody = {
    statusCode: algoError.statusCode,
    code: algoError.code,
    error: STATUS_CODES[algoError.statusCode] ?? 'Error',
    message: algoError.message,
  };
  return reply.code(algoError.statusCode).type('application/json; charset=utf-8').send(body);
}
