// The words of access control: what a token may do (its scopes) and what a route requires.

/**
 * read: cameras, snapshots, events and their stream, the info route; detect: POST
 * /api/v1/detect; analyze: POST /api/v1/analyze (spends the LLM keys); admin: reconnect and any
 * other write; metrics: the scrape endpoint.
 */
export const SCOPES = ['read', 'detect', 'analyze', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a route declares (Fastify route `config: { scope }`): a scope, or `public` (health probes). */
export type RouteAccess = Scope | 'public';

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
