// Access-control metrics: refused requests by reason, and requests by configured token name and
// the scope the route required. Token names only, never tokens; a name that leaves the
// configuration (SIGHUP) leaves the metrics.
import { Counter, type Registry } from 'prom-client';

/**
 * missing: no bearer token where one is needed; invalid: a token that matches none; forbidden:
 * a valid token without the route's scope; throttled: refused for repeated failures from the
 * address; not_loopback: no token from another host while only loopback is trusted.
 */
export const AUTH_FAILURE_REASONS = ['missing', 'invalid', 'forbidden', 'throttled', 'not_loopback'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Increments one series; looked up once per configured token and scope, not per request. */
export interface CountOne {
  inc(): void;
}

export interface AuthRecorder {
  failure(reason: AuthFailureReason): void;
  /**
   * The configured tokens: each name × scope series exists from now on at 0; series of names no
   * longer configured are removed. Returns, per token name, its counters by scope.
   */
  tokensConfigured(tokens: ReadonlyArray<{ name: string; scopes: Iterable<string> }>): Map<string, Map<string, CountOne>>;
}

export function createAuthMetrics(registry: Registry): AuthRecorder {
  const failures = new Counter({
    name: 'http_auth_failures_total',
    help: 'API requests refused by access control, by reason (missing, invalid, forbidden, throttled, not_loopback).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const failureChildren = new Map(AUTH_FAILURE_REASONS.map((reason) => [reason, failures.labels({ reason })]));
  // prom-client creates a counter's series only on inc(): inc(0) exports them at 0 from the start.
  for (const child of failureChildren.values()) child.inc(0);
  const requests = new Counter({
    name: 'api_token_requests_total',
    help: 'API requests let through by a configured token, by token name and the scope the route required.',
    labelNames: ['token', 'scope'] as const,
    registers: [registry],
  });
  let configured: Array<{ token: string; scope: string }> = [];
  return {
    failure(reason) {
      failureChildren.get(reason)?.inc();
    },
    tokensConfigured(tokens) {
      const next = tokens.flatMap(({ name, scopes }) => [...scopes].map((scope) => ({ token: name, scope })));
      const kept = new Set(next.map(({ token, scope }) => `${token}\n${scope}`));
      for (const labels of configured) if (!kept.has(`${labels.token}\n${labels.scope}`)) requests.remove(labels);
      configured = next;
      const byName = new Map<string, Map<string, CountOne>>();
      for (const labels of next) {
        const scopes = byName.get(labels.token) ?? new Map<string, CountOne>();
        const child = requests.labels(labels);
        child.inc(0);
        scopes.set(labels.scope, child);
        byName.set(labels.token, scopes);
      }
      return byName;
    },
  };
}
