// Access control on every route. Each route declares what it needs in its Fastify config
// (`config: { scope: 'read' }`, or `'public'` for health probes); one onRoute hook gives each
// protected route the access check as its own first onRequest hook, so public routes do no
// auth work at all. A route that declares nothing needs `admin` (safe when someone forgets);
// `app.routeAccess` lists every route with what it needs, and a test checks each declared it.
// Unmatched URLs answer 404 only to clients that may use the API (`notFoundGuard`, an app-level
// onRequest hook, so a refused client's body is never read or parsed).
// A web console session (auth/sessions.ts, its cookie) admits GET/HEAD requests to `read`
// routes (and unmatched GETs, for their 404) with the scopes of the token it was opened with.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl, AccessRefused, Requirement } from '../auth/access-control.js';
import type { RouteAccess } from '../auth/scopes.js';
import type { SessionStore } from '../auth/sessions.js';
import { fromBrowser, untrustedHost } from './request-origin.js';
import { isLoopback } from '../auth/loopback.js';
import { authRequired, authThrottled, forbidden, invalidToken, type AlgoError } from '../errors.js';

export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
  /** False when the route declared no scope and got `admin` by default. */
  declared: boolean;
}

/** What a route needs when it declares nothing. */
export const DEFAULT_ROUTE_ACCESS = 'admin';

type Guard = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;

function refusalError(refused: AccessRefused): AlgoError {
  switch (refused.reason) {
    case 'throttled':
      return authThrottled(refused.retryAfterSeconds ?? 1);
    case 'invalid':
      return invalidToken();
    case 'forbidden':
      return forbidden(refused.tokenName ?? '', refused.required);
    default:
      return authRequired(refused.message ?? 'A bearer token is required');
  }
}

/** RFC 6750 §3: the challenge, with the error and the scope needed when there is one. */
function challenge(refused: AccessRefused): string {
  const realm = refused.required === 'metrics' ? 'Bearer realm="algo-metrics"' : 'Bearer realm="algo"';
  if (refused.reason === 'invalid') return `${realm}, error="invalid_token"`;
  if (refused.reason === 'forbidden') return `${realm}, error="insufficient_scope", scope="${refused.required}"`;
  return realm;
}

function guard(
  access: AccessControl,
  required: Requirement,
  sessions: SessionStore | undefined,
  trustedHost: (header: string | undefined) => boolean,
): Guard {
  const sessionsAdmit = sessions !== undefined && (required === 'read' || required === 'any');
  return (request, reply, done) => {
    if (sessionsAdmit && request.headers.authorization === undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      const session = sessions.find(request.headers.cookie);
      if (session !== undefined && session.scopes.has('read')) {
        request.tokenName = session.tokenName;
        request.sessionId = session.id;
        done();
        return;
      }
    }
    const result = access.check(required, request.socket.remoteAddress, request.headers.authorization, request.routeOptions.url ?? '');
    if (result.ok) {
      // A loopback client admitted without a token: only when it addressed this machine by a
      // name of its own (a browser's page of another site rebound to 127.0.0.1 does not).
      if (
        result.token === undefined &&
        !trustedHost(request.headers.host) &&
        fromBrowser(request) &&
        isLoopback(request.socket.remoteAddress)
      ) {
        done(untrustedHost(request.headers.host ?? ''));
        return;
      }
      request.tokenName = result.token?.name;
      done();
      return;
    }
    if (result.reason !== 'throttled') reply.header('www-authenticate', challenge(result));
    done(refusalError(result));
  };
}

/**
 * Installs the onRoute hook (before any route is added) and returns the onRequest hook for
 * unmatched URLs (it lets matched ones through: their own guard checks them).
 */
export function protectRoutes(
  app: FastifyInstance,
  access: AccessControl,
  sessions?: SessionStore,
  trustedHost: (header: string | undefined) => boolean = () => true,
): { notFoundGuard: Guard } {
  const table: RouteAccessEntry[] = [];
  app.decorate('routeAccess', table);
  app.decorateRequest('tokenName', undefined);
  app.decorateRequest('sessionId', undefined);
  const guards = new Map<Requirement, Guard>();
  const guardFor = (required: Requirement): Guard => {
    let found = guards.get(required);
    if (found === undefined) {
      found = guard(access, required, sessions, trustedHost);
      guards.set(required, found);
    }
    return found;
  };
  app.addHook('onRoute', (route) => {
    const declared = route.config?.scope;
    const needed = declared ?? DEFAULT_ROUTE_ACCESS;
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access: needed, declared: declared !== undefined });
    if (needed === 'public') return;
    route.onRequest = [guardFor(needed), ...[route.onRequest ?? []].flat()];
  });
  const unmatched = guardFor('any');
  const notFoundGuard: Guard = (request, reply, done) => (request.is404 ? unmatched(request, reply, done) : done());
  return { notFoundGuard };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs: a token scope, or `public`. Undeclared: `admin`. */
    scope?: RouteAccess;
  }
  interface FastifyRequest {
    /** The name of the token that let the request through; undefined when none was needed. */
    tokenName: string | undefined;
    /** The web console session that let the request through, if it was one. */
    sessionId: string | undefined;
  }
  interface FastifyInstance {
    /** Every route with what it needs, in registration order (HEAD routes included). */
    routeAccess: readonly RouteAccessEntry[];
  }
}
