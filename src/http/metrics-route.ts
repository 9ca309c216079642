// The scrape endpoint: optional bearer token, Prometheus text or OpenMetrics by Accept.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { unauthorized } from '../errors.js';
import { contentTypeOf, negotiateFormat, renderMetrics } from '../metrics/render.js';

export interface MetricsRouteOptions {
  registry: Registry;
  path: string;
  token: string | undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** RFC 9110 §11.1: the auth scheme is case-insensitive. */
const BEARER = /^bearer +(\S+) *$/i;

function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  return token !== undefined && timingSafeEqual(digest(token), expected);
}

export function registerMetricsRoute(app: FastifyInstance, { registry, path, token }: MetricsRouteOptions): void {
  const expected = token === undefined ? undefined : digest(token);
  app.get(path, async (request, reply) => {
    if (expected !== undefined && !bearerMatches(request.headers.authorization, expected)) {
      reply.header('www-authenticate', 'Bearer realm="algo-metrics"');
      throw unauthorized();
    }
    const format = negotiateFormat(request.headers.accept);
    const body = await renderMetrics(registry, format);
    return reply.type(contentTypeOf(format)).header('cache-control', 'no-store').send(body);
  });
}
