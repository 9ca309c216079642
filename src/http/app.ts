// The Fastify application factory: everything it needs arrives in `deps`; it reads no
// environment and holds no globals, so tests build it with their own parts.
// Behaviour every route inherits (so routes added later need nothing of their own): algo's
// error answers, request accounting and logging (request-observer.ts), connection and request
// time limits (connection-limits.ts), refusal with 503 once the service is stopping, access
// control by the scope each route declares (route-access.ts), and HTTPS when a certificate
// is configured (tls.ts).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AccessControl } from '../auth/access-control.js';
import type { SessionStore } from '../auth/sessions.js';
import type { DetectConfig } from '../detect/detect-config.js';
import { notFound, shuttingDown, type AlgoError } from '../errors.js';
import type { RateLimitedLog } from '../log/rate-limited-log.js';
import type { MetricsConfig } from '../metrics/metrics-config.js';
import type { AlgoMetrics } from '../metrics/metrics.js';
import { VERSION } from '../version.js';
import {
  RequestsUnderWay,
  clientErrorHandler,
  closeAfterReplyWhenStopping,
  connectionOptions,
  limitBodyTime,
  limitConnections,
  missingHost,
  refuseConnect,
} from './connections/connection-limits.js';
import { sendError } from './error-reply.js';
import { HEALTH_PATHS, registerHealthRoutes } from './routes/health-routes.js';
import type { HttpConfig } from './http-config.js';
import type { Lifecycle } from './lifecycle.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { RequestObserver } from './connections/request-observer.js';
import { protectRoutes } from './route-access.js';
import { crossSiteRefusal, trustedHosts } from './request-origin.js';
import type { TlsPair } from './tls.js';

export interface AppDeps {
  config: { metrics: MetricsConfig; http: HttpConfig; detect: Pick<DetectConfig, 'maxBodyBytes'> };
  logger: Logger;
  metrics: AlgoMetrics;
  lifecycle: Lifecycle;
  /** Repeated conditions (503 refusals, dropped connections) are logged through this. */
  throttledLog: RateLimitedLog;
  /** Decides who may use each route (its declared scope). */
  access: AccessControl;
  /** Web console sessions, admitted on GET `read` routes; absent: bearer tokens and loopback only. */
  sessions?: SessionStore;
  /** Serve HTTPS with this certificate and key (ALGO_TLS_*); plain HTTP when absent. */
  tls: TlsPair | undefined;
  /** Adds the domain routes (detection); called before the app is ready. */
  routes?: (app: FastifyInstance) => void;
}

/** Shared server settings: errors as algo JSON, one log line per request, connection limits. */
function createServer(deps: Omit<AppDeps, 'routes'>, bodyLimit: number): FastifyInstance {
  const { config, logger, metrics, lifecycle, throttledLog, access, tls, sessions } = deps;
  // Probes and scrapes: logged at debug, and still answered while stopping.
  const quietRoutes: ReadonlySet<string> = new Set<string>([...HEALTH_PATHS, config.metrics.path]);
  const httpMetrics = config.metrics.enabled ? metrics.http : undefined;
  const observer = new RequestObserver({ logger, metrics: httpMetrics, quietRoutes, throttledLog, logRequests: config.http.logRequests });
  const underWay = new RequestsUnderWay();
  const loggerInstance: FastifyBaseLogger = logger;
  const connection = connectionOptions(config.http);
  const app = Fastify({
    loggerInstance,
    logController: observer,
    bodyLimit,
    ...connection,
    // Node's https server takes the http server's options too (header timeouts, Host check).
    ...(tls === undefined ? {} : { https: { ...connection.http, cert: tls.cert, key: tls.key } }),
    // Requests arriving while stopping are refused by the hook below, with algo's answer.
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(observer, underWay),
    // Bad URLs are rejected before routing; the observer still sees them end.
    frameworkErrors: (error, request, reply) => {
      reply.raw.once('finish', () => observer.ended(request, reply));
      sendError(error, request, reply);
    },
  });
  app.decorateReply('errorCode', null);
  // Before any route is added: each one gets its access check as it is registered.
  const { notFoundGuard } = protectRoutes(app, access, sessions, trustedHosts(config.http.allowedHosts));
  limitConnections(app, config.http.maxConnections, throttledLog, httpMetrics);
  refuseConnect(app, observer);
  const limitBody = limitBodyTime(config.http.requestTimeoutMs, underWay);
  // One onRequest hook for what every request goes through (each hook is a step of Fastify's
  // hook runner per request), in order: the body's deadline, the Host header, refusal while
  // stopping, then, before any body is read, the access check of unmatched URLs (a client that
  // may not use the API never gets algo to parse one).
  app.addHook('onRequest', (request, reply, done) => {
    limitBody(request, reply);
    const refused = missingHost(request, reply) ?? refuseWhileStopping(request, reply) ?? crossSiteRefusal(request);
    if (refused !== undefined) done(refused);
    else notFoundGuard(request, reply, done);
  });
  function refuseWhileStopping(request: FastifyRequest, reply: FastifyReply): AlgoError | undefined {
    if (lifecycle.phase !== 'stopping' || quietRoutes.has(request.routeOptions.url ?? '')) return undefined;
    reply.header('connection', 'close');
    return shuttingDown();
  }
  closeAfterReplyWhenStopping(app, lifecycle);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  // Reached only by clients that may use the API (notFoundGuard refused the others).
  app.setNotFoundHandler((request, reply) => sendError(notFound(request.method, request.url.split('?')[0] ?? '/'), request, reply));
  return app;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, metrics, lifecycle } = deps;
  const serveMetricsHere = config.metrics.enabled && config.metrics.port === undefined;
  const app = createServer(deps, config.detect.maxBodyBytes);
  registerHealthRoutes(app, lifecycle);
  if (serveMetricsHere) registerMetricsRoute(app, { registry: metrics.registry, path: config.metrics.path });
  app.get('/api/v1/info', { config: { scope: 'read' } }, async () => ({ name: 'algo', version: VERSION }));
  deps.routes?.(app);
  return app;
}

/** The scrape-only server used when ALGO_METRICS_PORT is set. */
export function buildMetricsApp(deps: Omit<AppDeps, 'routes'>): FastifyInstance {
  const { config, metrics, lifecycle } = deps;
  const app = createServer(deps, 1024 * 1024);
  registerHealthRoutes(app, lifecycle);
  registerMetricsRoute(app, { registry: metrics.registry, path: config.metrics.path });
  return app;
}
