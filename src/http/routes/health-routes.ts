// Liveness (/healthz: the process answers) and readiness (/readyz: it should get traffic).
// Not ready is a 503 in algo's error shape (with `code` and Retry-After) plus the readiness
// detail: `status` is `draining` from SIGTERM on, `not_ready` otherwise.
import type { FastifyInstance } from 'fastify';
import { notReady, shuttingDown } from '../../errors.js';
import { errorBody } from '../error-reply.js';
import type { Lifecycle } from '../lifecycle.js';

export const HEALTH_PATHS = ['/healthz', '/readyz'] as const;

/** Seconds a client should wait before asking a service that is not ready again. */
const RETRY_AFTER_SECONDS = 5;

export function registerHealthRoutes(app: FastifyInstance, lifecycle: Lifecycle): void {
  // Probes are public: load balancers and orchestrators ask without credentials.
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { scope: 'public' } }, async (_request, reply) => {
    const readiness = lifecycle.readiness();
    if (readiness.ready) return reply.send({ status: 'ready', ...readiness });
    const error = lifecycle.shuttingDown ? shuttingDown(RETRY_AFTER_SECONDS) : notReady(RETRY_AFTER_SECONDS);
    reply.errorCode = error.code;
    return reply
      .code(error.statusCode)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ ...errorBody(error), status: lifecycle.shuttingDown ? 'draining' : 'not_ready', ...readiness });
  });
}
