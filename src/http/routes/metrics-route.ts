// The scrape endpoint: Prometheus text or OpenMetrics by Accept. It declares the `metrics`
// scope: access control (route-access.ts) lets a scrape through with ALGO_METRICS_TOKEN or an
// API token with that scope, or without a token where the mode allows it.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { contentTypeOf, negotiateFormat, renderMetrics } from '../../metrics/render.js';

export interface MetricsRouteOptions {
  registry: Registry;
  path: string;
}

export function registerMetricsRoute(app: FastifyInstance, { registry, path }: MetricsRouteOptions): void {
  app.get(path, { config: { scope: 'metrics' } }, async (request, reply) => {
    const format = negotiateFormat(request.headers.accept);
    const body = await renderMetrics(registry, format);
    return reply.type(contentTypeOf(format)).header('cache-control', 'no-store').send(body);
  });
}
