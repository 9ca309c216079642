// Observes every request's start and end through Fastify's LogController, which Fastify calls
// for each request anyway. Every request that started ends exactly once here, whichever way it
// ends: answered (Fastify's completion), or its client went away first (the response closes
// unfinished: status 499, as nginx logs it). So http_requests_in_flight returns to zero and
// http_requests_total counts every request with its real outcome. Connections Node refuses
// before any request exists (bad request line, headers too large or too slow) are counted by
// requestRejected.
//
// Logging: scrapes and health probes at debug whatever their status. Other requests go
// through the rate-limited log: the first of each kind (method, route, status, code) in full
// at info (503 at warn, other 5xx at error), then one summary line with the count per
// interval, and every request at debug; so neither an overload, a hostile client nor a busy
// camera can flood the log. ALGO_LOG_REQUESTS=all logs each answered request instead, except
// refusals (4xx, 499, 503), which stay summarised.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RequestLogMode } from '../http-config.js';
import { CLIENT_CLOSED_STATUS } from '../../errors.js';
import type { RateLimitedLog } from '../../log/rate-limited-log.js';
import { UNMATCHED_ROUTE, type HttpMetrics } from '../../metrics/recorders/http-metrics.js';
import { OpenReplies } from './open-replies.js';

export interface RequestObserverOptions {
  logger: Logger;
  /** Absent when metrics are disabled: then no HTTP instrumentation runs. */
  metrics: HttpMetrics | undefined;
  /** Routes logged only at debug level (metrics scrapes, health probes). */
  quietRoutes: ReadonlySet<string>;
  throttledLog: RateLimitedLog;
  /** One line per answered request (`all`) or a summary per kind (`summary`); refusals are always summarised. */
  logRequests: RequestLogMode;
}

/** Method label of requests refused before their method was known. */
export const UNKNOWN_METHOD = 'UNKNOWN';

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export class RequestObserver extends LogController {
  private readonly logger: Logger;
  private readonly metrics: HttpMetrics | undefined;
  private readonly quietRoutes: ReadonlySet<string>;
  private readonly throttledLog: RateLimitedLog;
  private readonly logEachRequest: boolean;
  /** Replies started and not yet accounted for: completion and a closed connection may both report one. */
  private readonly open = new OpenReplies();
  private readonly closed = (reply: FastifyReply): void =>
    this.report(null, reply.request, reply, reply.raw.writableFinished ? reply.statusCode : CLIENT_CLOSED_STATUS);

  constructor(options: RequestObserverOptions) {
    super({ disableRequestLogging: false });
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.quietRoutes = options.quietRoutes;
    this.throttledLog = options.throttledLog;
    this.logEachRequest = options.logRequests === 'all';
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    this.metrics?.requestStarted();
    // Ends at Fastify's completion or when its connection closes first (also for a pipelined
    // response still queued); replies Fastify reports no completion for call ended() (frameworkErrors).
    if (!this.open.add(reply, this.closed)) queueMicrotask(() => this.report(null, request, reply, CLIENT_CLOSED_STATUS));
  }

  /** A reply Fastify reports no completion for (one sent by frameworkErrors) has been written. */
  ended(request: FastifyRequest, reply: FastifyReply): void {
    this.end(null, request, reply, reply.statusCode);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.end(error, request, reply, reply.statusCode);
  }

  /** A connection Node's HTTP parser refused before any request existed. */
  requestRejected(statusCode: number, fields: Record<string, unknown>): void {
    this.metrics?.requestRejected(UNKNOWN_METHOD, statusCode);
    this.throttledLog.log(
      'info',
      `refused ${statusCode} ${String(fields.parserError)}`,
      { method: UNKNOWN_METHOD, route: UNMATCHED_ROUTE, statusCode, ...fields },
      'request refused',
    );
  }

  private end(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, statusCode: number): void {
    if (this.open.end(reply)) this.report(error, request, reply, statusCode);
  }

  private report(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, statusCode: number): void {
    const route = request.routeOptions.url;
    const elapsedMs = reply.elapsedTime;
    this.metrics?.requestFinished(request.method, route, statusCode, elapsedMs / 1000);
    // Probes and scrapes: nothing more to do unless debug lines are wanted (the common case costs no allocation).
    const quiet = route !== undefined && this.quietRoutes.has(route);
    if (quiet && !this.logger.isLevelEnabled('debug')) return;
    const code = reply.errorCode ?? undefined;
    const fields = {
      method: request.method,
      route: route ?? UNMATCHED_ROUTE,
      path: pathOf(request.url),
      statusCode,
      ...(code === undefined ? {} : { code }),
      responseTimeMs: Math.round(elapsedMs * 1000) / 1000,
      ...(error ? { err: error } : {}),
    };
    const msg =
      statusCode === CLIENT_CLOSED_STATUS
        ? 'client closed request'
        : statusCode === 503
          ? 'requests refused with 503'
          : 'request completed';
    if (quiet) {
      request.log.debug(fields, msg);
      return;
    }
    const level = statusCode === 503 ? 'warn' : (statusCode >= 500 && statusCode !== CLIENT_CLOSED_STATUS) || error ? 'error' : 'info';
    // Refusals (4xx, 499, 503) are what a hostile client or an overload repeats thousands of
    // times a second, and frames arrive many times a second per camera: the first request of
    // each kind is logged in full, then one summary line per interval (every request at debug).
    const refusal = (statusCode >= 400 && statusCode < 500) || statusCode === CLIENT_CLOSED_STATUS || statusCode === 503;
    if (this.logEachRequest && !refusal) {
      if (this.logger.isLevelEnabled(level)) request.log[level](fields, msg);
      return;
    }
    this.throttledLog.log(level, `${request.method} ${fields.route} ${statusCode} ${code ?? ''}`, fields, msg);
    if (this.logger.isLevelEnabled('debug')) request.log.debug(fields, msg);
  }

  // The completion line above already covers these; Fastify's own extra lines are dropped.
  override routeNotFound(): void {}
  override defaultErrorLog(): void {}
}
