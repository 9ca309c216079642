// Bounds what one connection can hold: the time to send headers and a whole request, the idle
// time of a kept-alive connection, and the number of connections. Every refusal is an algo
// answer with a `code` and is counted: a body still incomplete at ALGO_REQUEST_TIMEOUT_MS is
// cut with 408 `request_timeout` through the route's own error handling, and what Node's HTTP
// parser refuses before a request exists (slow or oversized headers, a bad request line or
// Content-Length) is answered here with algo's body instead of Fastify's.
import type { ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpConfig } from '../config/config.js';
import { AlgoError, requestTimeout, type ErrorCode } from '../errors.js';
import type { RateLimitedLog } from '../log/rate-limited-log.js';
import { clientGone } from './client-gone.js';
import { errorBody } from './error-reply.js';
import type { RequestObserver } from './request-observer.js';

/** Fastify/Node server options for these limits. */
export function connectionOptions(config: HttpConfig): { keepAliveTimeout: number; requestTimeout: number; http: ServerOptions } {
  return {
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Requests are cut at requestTimeoutMs by the hook below (with an algo answer); Node's own
    // limit stays as a backstop for anything that escapes it.
    requestTimeout: config.requestTimeoutMs * 2,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node checks header and request deadlines on this timer (default 30 s): check often
      // enough that a deadline is kept to within a quarter of it.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    },
  };
}

/** Caps open connections; the ones over the cap are closed at accept (and logged, rate-limited). */
export function limitConnections(app: FastifyInstance, maxConnections: number, repeats: RateLimitedLog): void {
  app.server.maxConnections = maxConnections;
  app.server.on('drop', () => repeats.log('warn', 'connection limit', { maxConnections }, 'connection refused: ALGO_MAX_CONNECTIONS reached'));
}

function cutStalledBody(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): void {
  if (request.raw.complete || reply.sent || clientGone(reply)) return;
  const error = requestTimeout(timeoutMs);
  reply.header('connection', 'close');
  // Whatever is reading the body (Fastify's body parser, the multipart parser) fails with this
  // error, and the route answers it like any other; with no reader yet, answer directly.
  if (request.raw.listenerCount('error') > 0) request.raw.emit('error', error);
  else void reply.send(error);
}

/** Cuts a request whose body has not fully arrived `timeoutMs` after its headers: 408 request_timeout. */
export function limitRequestTime(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.raw.complete) {
      const timer = setTimeout(cutStalledBody, timeoutMs, request, reply, timeoutMs);
      reply.raw.once('close', () => clearTimeout(timer));
    }
    done();
  });
}

interface ParserError extends Error {
  code?: string;
}

const PARSER_ERRORS: Record<string, [ErrorCode, number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 408, 'The request headers were not received in time (ALGO_HEADERS_TIMEOUT_MS)'],
  HPE_HEADER_OVERFLOW: ['too_large', 431, 'The request line and headers are too large'],
  HPE_INVALID_METHOD: ['invalid_request', 400, 'Unknown HTTP method'],
  HPE_INVALID_CONTENT_LENGTH: ['invalid_request', 400, 'Invalid Content-Length header'],
  HPE_UNEXPECTED_CONTENT_LENGTH: ['invalid_request', 400, 'Content-Length together with Transfer-Encoding'],
};

/** Node's 'clientError': answers algo's JSON error (when the socket can still take it) and counts it. */
export function clientErrorHandler(observer: RequestObserver): (error: ParserError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      socket.destroy();
      return;
    }
    const [code, status, message] = PARSER_ERRORS[error.code ?? ''] ?? ['invalid_request', 400, 'Malformed HTTP request'];
    // A request already under way on this socket (e.g. its client closed mid-body: "invalid EOF
    // state") owns it, and the request observer accounts for it; answer and count only the
    // errors that come before any request.
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (current === undefined || current === null) {
      observer.requestRejected(status, { code, parserError: error.code });
      if (socket.writable) {
        const answer = errorBody(new AlgoError(code, status, message));
        const body = JSON.stringify(answer);
        socket.write(`HTTP/1.1 ${status} ${answer.error}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    }
    socket.destroy();
  };
}
