// Liveness (/healthz: the process answers) and readiness (/readyz: it should get traffic).
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from './lifecycle.js';

export const HEALTH_PATHS = ['/healthz', '/readyz'] as const;

export function registerHealthRoutes(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = lifecycle.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'not_ready', ...readiness });
  });
}
