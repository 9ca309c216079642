// Login and logout for the console: GET /login shows the form; POST /login (form-encoded
// `token`) checks the token once through AccessControl.authenticate (its failure throttle
// included) and opens a session (cookie: random id, HttpOnly, SameSite=Strict, Path=/, Secure
// under TLS); POST /logout ends it. Both POSTs must come from algo's own pages, on top of
// SameSite=Strict: Sec-Fetch-Site same-origin when the browser sends it (under the console's
// Referrer-Policy: no-referrer, Chromium sends `Origin: null` on a same-origin form, so Origin
// cannot decide then), else the Origin (when sent). A refused form POST gets the login form
// with a message (403), not JSON. The token is never stored, logged or echoed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import { SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import { invalidRequest } from '../errors.js';
import { loginPage } from './pages.js';

export interface LoginDeps {
  access: Pick<AccessControl, 'authenticate'>;
  sessions: SessionStore;
  /** algo serves HTTPS: the cookie gets `Secure`. */
  secure: boolean;
}

const MAX_FORM_BYTES = 8192;
const HTML = 'text/html; charset=utf-8';
const PUBLIC = { config: { scope: 'public' } } as const;
/** Anyone may post these: no body larger than a form is read, whatever its type. */
const PUBLIC_POST = { config: { scope: 'public' }, bodyLimit: MAX_FORM_BYTES } as const;

/**
 * A form POST from algo's own pages. With Sec-Fetch-Site (every current browser): `same-origin`,
 * whatever Origin says (`null` under no-referrer). Without it: the Origin, when sent, is algo's
 * own; neither header sent is a client that is not a browser (accepted).
 */
export function fromOwnPage(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.headers.host ?? ''}`;
}

const refused = (reply: FastifyReply): FastifyReply =>
  reply.code(403).type(HTML).header('cache-control', 'no-store').send(loginPage('cross_site'));

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export async function loginRoutes(app: FastifyInstance, { access, sessions, secure }: LoginDeps): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_request, body, done) =>
    done(null, new URLSearchParams(body as string)),
  );

  app.get('/login', PUBLIC, async (_request, reply) => reply.type(HTML).header('cache-control', 'no-store').send(loginPage(undefined)));

  app.post('/login', PUBLIC_POST, async (request, reply) => {
    if (!fromOwnPage(request)) return refused(reply);
    if (!(request.body instanceof URLSearchParams))
      throw invalidRequest('Send the form: application/x-www-form-urlencoded with a token field');
    const tokens = request.body.getAll('token');
    if (tokens.length > 1) throw invalidRequest('Send one token field');
    const token = tokens[0]?.trim() ?? '';
    reply.type(HTML).header('cache-control', 'no-store');
    if (token === '') return reply.code(400).send(loginPage('empty'));
    const result = access.authenticate(token, request.socket.remoteAddress);
    if (!result.ok) {
      if (result.reason === 'throttled')
        return reply.code(429).header('retry-after', String(result.retryAfterSeconds)).send(loginPage('throttled'));
      return reply.code(401).send(loginPage('invalid'));
    }
    if (!result.scopes.has('read')) return reply.code(403).send(loginPage('no_read_scope'));
    const id = sessions.open(result.name, result.scopes);
    request.log.info({ tokenName: result.name }, 'console session opened');
    return reply.header('set-cookie', cookie(id, sessions.settings.maxAgeSeconds, secure)).redirect('/', 303);
  });

  app.post('/logout', PUBLIC_POST, async (request, reply) => {
    if (!fromOwnPage(request)) return refused(reply);
    sessions.close(request.headers.cookie);
    return reply
      .header('set-cookie', cookie('', 0, secure))
      .header('cache-control', 'no-store')
      .redirect('/login', 303);
  });
}
