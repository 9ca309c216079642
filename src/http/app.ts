// The Fastify application factory: everything it needs arrives in `deps`; it reads no
// environment and holds no globals, so tests build it with their own parts.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { notFound } from '../errors.js';
import type { AlgoMetrics } from '../metrics/metrics.js';
import { VERSION } from '../version.js';
import { sendError } from './error-reply.js';
import { HEALTH_PATHS, registerHealthRoutes } from './health-routes.js';
import type { Lifecycle } from './lifecycle.js';
import { registerMetricsRoute } from './metrics-route.js';
import { RequestObserver } from './request-observer.js';

export interface AppDeps {
  config: Pick<Config, 'metrics'> & { detect: Pick<Config['detect'], 'maxBodyBytes'> };
  logger: Logger;
  metrics: AlgoMetrics;
  lifecycle: Lifecycle;
  /** Adds the domain routes (detection); called before the app is ready. */
  routes?: (app: FastifyInstance) => void;
}

/** Shared server settings: errors as algo JSON, one log line per request. */
function createServer(logger: Logger, observer: RequestObserver, bodyLimit: number): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    logController: observer,
    bodyLimit,
    return503OnClosing: true,
    // Bad URLs are rejected before routing, where Fastify reports no completion: report it here.
    frameworkErrors: (error, request, reply) => {
      reply.raw.once('finish', () => observer.requestCompleted(null, request, reply));
      sendError(error, request, reply);
    },
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(notFound(request.method, request.url.split('?')[0] ?? '/'), request, reply));
  return app;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, logger, metrics, lifecycle } = deps;
  const serveMetricsHere = config.metrics.enabled && config.metrics.port === undefined;
  const observer = new RequestObserver({
    logger,
    metrics: config.metrics.enabled ? metrics.http : undefined,
    quietRoutes: new Set<string>([...HEALTH_PATHS, config.metrics.path]),
  });
  const app = createServer(logger, observer, config.detect.maxBodyBytes);
  registerHealthRoutes(app, lifecycle);
  if (serveMetricsHere) registerMetricsRoute(app, { registry: metrics.registry, path: config.metrics.path, token: config.metrics.token });
  app.get('/api/v1/info', async () => ({ name: 'algo', version: VERSION }));
  deps.routes?.(app);
  return app;
}

/** The scrape-only server used when ALGO_METRICS_PORT is set. */
export function buildMetricsApp(deps: Omit<AppDeps, 'routes'>): FastifyInstance {
  const { config, logger, metrics, lifecycle } = deps;
  const observer = new RequestObserver({ logger, metrics: metrics.http, quietRoutes: new Set<string>([...HEALTH_PATHS, config.metrics.path]) });
  const app = createServer(logger, observer, 1024 * 1024);
  registerHealthRoutes(app, lifecycle);
  registerMetricsRoute(app, { registry: metrics.registry, path: config.metrics.path, token: config.metrics.token });
  return app;
}
