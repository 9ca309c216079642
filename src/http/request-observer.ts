// Observes every request's start and end through Fastify's LogController, which Fastify calls
// for each request anyway. Every request that started ends exactly once here, whichever way it
// ends: answered (Fastify's completion), or its client went away first (the response closes
// unfinished: status 499, as nginx logs it). So http_requests_in_flight returns to zero and
// http_requests_total counts every request with its real outcome. Connections Node refuses
// before any request exists (bad request line, headers too large or too slow) are counted by
// requestRejected.
//
// Logging: one structured line per answered request (errors at error level); scrapes and
// health probes at debug whatever their status. Refusals — 4xx, 499 and 503 (overload,
// shutdown) — are what a hostile client or an overload repeats thousands of times a second:
// they are logged at debug per request plus, through the rate-limited log, the first of each
// kind (method, route, status, code) in full and then one summary line per interval.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CLIENT_CLOSED_STATUS } from '../errors.js';
import type { RateLimitedLog } from '../log/rate-limited-log.js';
import { UNMATCHED_ROUTE, type HttpMetrics } from '../metrics/http-metrics.js';

export interface RequestObserverOptions {
  logger: Logger;
  /** Absent when metrics are disabled: then no HTTP instrumentation runs. */
  metrics: HttpMetrics | undefined;
  /** Routes logged only at debug level (metrics scrapes, health probes). */
  quietRoutes: ReadonlySet<string>;
  repeats: RateLimitedLog;
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
  private readonly repeats: RateLimitedLog;
  /** Replies already accounted for: completion and close may both report one. */
  private readonly ended = new WeakSet<FastifyReply>();

  constructor(options: RequestObserverOptions) {
    super({ disableRequestLogging: false });
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.quietRoutes = options.quietRoutes;
    this.repeats = options.repeats;
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    this.metrics?.requestStarted();
    // 'close' comes after 'finish' for answered requests and alone for abandoned ones; it also
    // covers replies Fastify reports no completion for (frameworkErrors).
    reply.raw.once('close', () => this.end(null, request, reply, reply.raw.writableFinished ? reply.statusCode : CLIENT_CLOSED_STATUS));
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.end(error, request, reply, reply.statusCode);
  }

  /** A connection Node's HTTP parser refused before any request existed. */
  requestRejected(statusCode: number, fields: Record<string, unknown>): void {
    this.metrics?.requestRejected(UNKNOWN_METHOD, statusCode);
    this.repeats.log('info', `refused ${statusCode} ${String(fields.parserError)}`, { method: UNKNOWN_METHOD, route: UNMATCHED_ROUTE, statusCode, ...fields }, 'request refused');
  }

  private end(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, statusCode: number): void {
    if (this.ended.has(reply)) return;
    this.ended.add(reply);
    const route = request.routeOptions.url;
    const elapsedMs = reply.elapsedTime;
    this.metrics?.requestFinished(request.method, route, statusCode, elapsedMs / 1000);

    const quiet = route !== undefined && this.quietRoutes.has(route);
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
    const msg = statusCode === CLIENT_CLOSED_STATUS ? 'client closed request' : statusCode === 503 ? 'requests refused with 503' : 'request completed';
    // Refusals are what a hostile client or an overload repeats thousands of times a second:
    // the first of each kind per route is logged, then a summary per interval.
    if (!quiet && !error && (statusCode === 503 || (statusCode >= 400 && statusCode < 500) || statusCode === CLIENT_CLOSED_STATUS)) {
      this.repeats.log(statusCode === 503 ? 'warn' : 'info', `${request.method} ${fields.route} ${statusCode} ${code ?? ''}`, fields, msg);
      if (this.logger.isLevelEnabled('debug')) request.log.debug(fields, msg);
      return;
    }
    const level = quiet ? 'debug' : statusCode >= 500 || error ? 'error' : 'info';
    if (this.logger.isLevelEnabled(level)) request.log[level](fields, msg);
  }

  // The completion line above already covers these; Fastify's own extra lines are dropped.
  override routeNotFound(): void {}
  override defaultErrorLog(): void {}
}
