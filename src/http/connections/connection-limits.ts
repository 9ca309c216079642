// Bounds what one connection can hold: the time to send headers and a whole request, the idle
// time of a kept-alive connection, and the number of connections. Every refusal is an algo
// answer with a `code` and is counted: a body still incomplete at ALGO_REQUEST_TIMEOUT_MS is
// cut with 408 `request_timeout` through the route's own error handling, and what Node's HTTP
// parser refuses before a request exists (slow or oversized headers, a bad request line or
// Content-Length) is answered here with algo's body instead of Fastify's.
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpConfig } from '../http-config.js';
import { AlgoError, invalidRequest, requestTimeout, type ErrorCode } from '../../errors.js';
import type { RateLimitedLog } from '../../log/rate-limited-log.js';
import type { HttpMetrics } from '../../metrics/recorders/http-metrics.js';
import type { Lifecycle } from '../lifecycle.js';
import { clientGone, onResponseEnd } from './client-gone.js';
import { bodyPending, errorBody } from '../error-reply.js';
import type { RequestObserver } from './request-observer.js';

/** Fastify/Node server options for these limits. */
export function connectionOptions(config: HttpConfig): { keepAliveTimeout: number; requestTimeout: number; http: ServerOptions } {
  return {
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Requests are cut at requestTimeoutMs by the hook below (with an algo answer); Node's own
    // limit stays as a backstop for anything that escapes it.
    requestTimeout: config.requestTimeoutMs * 2,
    http: {
      // A missing Host header is refused with algo's answer by missingHost, not Node's bare 400.
      requireHostHeader: false,
      headersTimeout: config.headersTimeoutMs,
      // Node checks header and request deadlines on this timer (default 30 s): check often
      // enough that a deadline is kept to within a quarter of it.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    },
  };
}

/** Caps open connections; the ones over the cap are closed at accept, counted and logged (rate-limited). */
export function limitConnections(
  app: FastifyInstance,
  maxConnections: number,
  throttledLog: RateLimitedLog,
  metrics: HttpMetrics | undefined,
): void {
  app.server.maxConnections = maxConnections;
  app.server.on('drop', () => {
    metrics?.connectionRefused();
    throttledLog.log('warn', 'connection limit', { maxConnections }, 'connection refused: ALGO_MAX_CONNECTIONS reached');
  });
}

/**
 * Fails a request whose body cannot be read to the end (it stalled, or Node's parser found it
 * malformed): whatever is reading the body (Fastify's body parser, the multipart parser) fails
 * with `error` and the route answers it like any other; with no reader yet, it is answered
 * directly. The connection closes after the answer: the rest of the body cannot be trusted.
 */
function failBody(request: FastifyRequest, reply: FastifyReply, error: AlgoError): void {
  if (reply.sent || clientGone(reply)) return;
  reply.header('connection', 'close');
  if (request.raw.listenerCount('error') > 0) request.raw.emit('error', error);
  else void reply.send(error);
}

/** The requests under way, by their Node request, so a parser error can reach the route that reads the body. */
export class RequestsUnderWay {
  private readonly requests = new WeakMap<IncomingMessage, FastifyReply>();

  track(request: FastifyRequest, reply: FastifyReply): void {
    this.requests.set(request.raw, reply);
  }

  /** Fails the body of `raw` with `error`; false when no route holds that request yet. */
  failBody(raw: IncomingMessage, error: AlgoError): boolean {
    const found = this.requests.get(raw);
    if (found === undefined) return false;
    failBody(found.request, found, error);
    return true;
  }
}

/**
 * Once the listener has closed (phase `stopping`), the reply to the last request on a
 * connection says Connection: close, so the client opens its next connection elsewhere
 * instead of reusing one that is about to go. A reply with requests pipelined behind it does
 * not: closing there would drop their answers (each of them is refused with Connection: close).
 */
export function closeAfterReplyWhenStopping(app: FastifyInstance, lifecycle: Pick<Lifecycle, 'phase'>): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (lifecycle.phase === 'stopping' && !reply.hasHeader('connection')) {
      const parsing = (request.raw.socket as HttpSocket).parser?.incoming;
      if (parsing === undefined || parsing === null || parsing === request.raw) reply.header('connection', 'close');
    }
    done(null, payload);
  });
}

/** HTTP/1.1 requires a Host header (RFC 9112 section 3.2): its absence is 400 invalid_request. */
export function missingHost(request: FastifyRequest, reply: FastifyReply): AlgoError | undefined {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return undefined;
  reply.header('connection', 'close');
  return invalidRequest('HTTP/1.1 requests need a Host header');
}

/**
 * Cuts a request whose body has not fully arrived `timeoutMs` after its headers: 408
 * request_timeout. Only requests with a body pending are tracked (a parser error in a body
 * reaches its route through `underWay`); the others cost nothing here.
 */
export function limitBodyTime(timeoutMs: number, underWay: RequestsUnderWay): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    if (!bodyPending(request.raw)) return;
    underWay.track(request, reply);
    const timer = setTimeout(() => {
      if (!request.raw.complete) failBody(request, reply, requestTimeout(timeoutMs));
    }, timeoutMs);
    onResponseEnd(reply, () => clearTimeout(timer));
  };
}

interface ParserError extends Error {
  code?: string;
  /** llhttp's description of what it found wrong. */
  reason?: string;
}

/** The Node internals a parser error is placed with: the message being parsed, the response being written. */
type HttpSocket = Socket & { parser?: { incoming?: IncomingMessage | null } | null; _httpMessage?: ServerResponse | null };

const PARSER_ERRORS: Record<string, { code: ErrorCode; message: string; status?: number }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', message: 'The request headers were not received in time (ALGO_HEADERS_TIMEOUT_MS)' },
  // The one override of STATUS_OF_CODE: too_large is 413 for bodies, 431 for headers.
  HPE_HEADER_OVERFLOW: { code: 'too_large', message: 'The request line and headers are too large', status: 431 },
  HPE_INVALID_METHOD: { code: 'invalid_request', message: 'Unknown HTTP method' },
  HPE_INVALID_CONTENT_LENGTH: { code: 'invalid_request', message: 'Invalid Content-Length header' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { code: 'invalid_request', message: 'Content-Length given more than once' },
  HPE_INVALID_TRANSFER_ENCODING: {
    code: 'invalid_request',
    message: 'Invalid Transfer-Encoding: only chunked is accepted (last), and never together with Content-Length',
  },
  HPE_INVALID_CHUNK_SIZE: { code: 'invalid_request', message: 'Malformed chunked body: invalid chunk size' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { code: 'too_large', message: 'Malformed chunked body: chunk extensions too large' },
  HPE_STRICT: { code: 'invalid_request', message: 'Malformed chunked body' },
};

/** Node's parser error as algo's error (the message names what was wrong, per HPE code). */
function parserError(error: ParserError): AlgoError {
  const known = PARSER_ERRORS[error.code ?? ''];
  if (known !== undefined)
    return new AlgoError(known.code, known.message, known.status === undefined ? undefined : { status: known.status });
  return new AlgoError('invalid_request', `Malformed HTTP request${error.reason === undefined ? '' : `: ${error.reason}`}`);
}

/** Calls `idle` once every response already under way on `socket` is written (pipelined ones in order); never if the socket closes first. */
function whenResponsesWritten(socket: HttpSocket, idle: () => void): void {
  const current = socket._httpMessage;
  if (socket.destroyed) return;
  if (current === undefined || current === null || current.writableFinished) {
    idle();
    return;
  }
  // Node hands the socket to the next queued response in its own 'finish' listener, which runs first.
  current.once('finish', () => setImmediate(() => whenResponsesWritten(socket, idle)));
}

/** Answers algo's JSON error on a socket no request owns, then closes it. */
function answerOnSocket(socket: Socket, error: AlgoError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const answer = errorBody(error);
  const body = JSON.stringify(answer);
  socket.write(
    `HTTP/1.1 ${error.statusCode} ${answer.error}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * Node's 'clientError' (a parser error, a headers timeout). Three cases:
 * - the client closed mid-request (ECONNRESET, an end of input inside a body): the request
 *   under way, if any, is client_closed and the observer accounts for it;
 * - the error is in the body of a request already routed (a malformed chunked body): that
 *   request fails with 400 invalid_request through its route, counted as such;
 * - otherwise no request exists for it: the answers already under way on the connection are
 *   written first (pipelining), then algo's JSON error, counted as a refusal before routing.
 */
export function clientErrorHandler(observer: RequestObserver, underWay: RequestsUnderWay): (error: ParserError, socket: Socket) => void {
  const answered = new WeakSet<Socket>();
  return (error, rawSocket) => {
    const socket = rawSocket as HttpSocket;
    if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
      socket.destroy();
      return;
    }
    // The parser stays in error: further data on this connection only repeats the error.
    if (answered.has(socket)) return;
    answered.add(socket);
    const algoError = parserError(error);
    const incoming = socket.parser?.incoming;
    if (incoming !== undefined && incoming !== null && !incoming.complete) {
      if (!underWay.failBody(incoming, algoError)) socket.destroy();
      return;
    }
    observer.requestRejected(algoError.statusCode, { code: algoError.code, parserError: error.code });
    whenResponsesWritten(socket, () => answerOnSocket(socket, algoError));
  };
}

/** CONNECT (a proxy tunnel, which algo is not): answered with algo's 405 and counted, like other refusals before routing. */
export function refuseConnect(app: FastifyInstance, observer: RequestObserver): void {
  app.server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    const error = new AlgoError('invalid_request', 'CONNECT is not supported: algo is not a proxy', { status: 405 });
    observer.requestRejected(error.statusCode, { code: error.code, parserError: 'CONNECT' });
    answerOnSocket(socket, error);
  });
}
