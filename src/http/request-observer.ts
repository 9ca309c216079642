// Observes every request's start and end through Fastify's LogController, which Fastify calls
// for each request anyway; recording here costs no extra hook closures per request.
// It writes one structured line per request (scrapes and health probes only at debug level)
// and, when metrics are enabled, records the HTTP metrics.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { HttpMetrics } from '../metrics/http-metrics.js';

export interface RequestObserverOptions {
  logger: Logger;
  /** Absent when metrics are disabled: then no HTTP instrumentation runs. */
  metrics: HttpMetrics | undefined;
  /** Routes logged only at debug level (metrics scrapes, health probes). */
  quietRoutes: ReadonlySet<string>;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export class RequestObserver extends LogController {
  private readonly logger: Logger;
  private readonly metrics: HttpMetrics | undefined;
  private readonly quietRoutes: ReadonlySet<string>;

  constructor(options: RequestObserverOptions) {
    super({ disableRequestLogging: false });
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.quietRoutes = options.quietRoutes;
  }

  override incomingRequest(): void {
    this.metrics?.requestStarted();
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    const statusCode = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    this.metrics?.requestFinished(request.method, route, statusCode, elapsedMs / 1000);

    const quiet = route !== undefined && this.quietRoutes.has(route);
    const level = statusCode >= 500 || error ? 'error' : quiet ? 'debug' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    request.log[level](
      {
        method: request.method,
        route: route ?? 'unmatched',
        path: pathOf(request.url),
        statusCode,
        responseTimeMs: Math.round(elapsedMs * 1000) / 1000,
        ...(error ? { err: error } : {}),
      },
      'request completed',
    );
  }

  // The completion line above already covers these; Fastify's own extra lines are dropped.
  override routeNotFound(): void {}
  override defaultErrorLog(): void {}
}
