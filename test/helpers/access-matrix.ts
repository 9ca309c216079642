// Every route of algo × every kind of credential, for the access-control tests run from
// loopback and from a test host: the routes with the scope each needs and the answer a
// permitted request gets, one token per scope, and a check of each answer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Scope } from '../../src/auth/scopes.js';
import { fixturePath } from './images.js';
import type { RemoteRequest, RemoteResponse } from './netns.js';

/** One token per scope, named after it; none is a prefix or piece of another. */
export const TOKENS: Readonly<Record<Scope, string>> = {
  read: 'tok-read-8c1f4e7a2d9b6035',
  detect: 'tok-detect-3e9a0d6c1f7b4825',
  analyze: 'tok-analyze-5b2d8f0e4a1c7369',
  admin: 'tok-admin-9f6c3a1e7d0b2458',
  metrics: 'tok-metrics-1d7e4b9c0a3f6582',
};
export const WRONG_TOKEN = 'tok-wrong-6a0f3c8e1b5d9274';

/** ALGO_API_TOKENS for TOKENS: `read:read=…,detect:detect=…`. */
export const TOKENS_ENV = Object.entries(TOKENS)
  .map(([scope, token]) => `${scope}:${scope}=${token}`)
  .join(',');

/** The camera the matrix uses: configured but disabled, so no ffmpeg runs. */
export const CAMERAS = [{ id: 'door', url: 'rtsp://127.0.0.1:9/none', enabled: false }];

export interface RouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: Scope | 'public';
  /** Status of a permitted request. */
  allowed: number;
  /** The body is the person photo, sent as image/jpeg. */
  photo?: boolean;
}

export const ROUTES: readonly RouteCase[] = [
  { method: 'GET', path: '/healthz', access: 'public', allowed: 200 },
  { method: 'GET', path: '/readyz', access: 'public', allowed: 200 },
  { method: 'GET', path: '/api/v1/info', access: 'read', allowed: 200 },
  { method: 'GET', path: '/api/v1/cameras', access: 'read', allowed: 200 },
  { method: 'GET', path: '/api/v1/cameras/door', access: 'read', allowed: 200 },
  // The camera is disabled: a permitted request gets "no frame yet".
  { method: 'GET', path: '/api/v1/cameras/door/snapshot.jpg', access: 'read', allowed: 503 },
  { method: 'POST', path: '/api/v1/cameras/door/reconnect', access: 'admin', allowed: 202 },
  { method: 'POST', path: '/api/v1/detect', access: 'detect', allowed: 200, photo: true },
  { method: 'POST', path: '/api/v1/analyze', access: 'analyze', allowed: 200, photo: true },
  { method: 'GET', path: '/metrics', access: 'metrics', allowed: 200 },
];

export type Credential = 'none' | 'wrong' | 'other scope' | 'right';
export const CREDENTIALS: readonly Credential[] = ['none', 'wrong', 'other scope', 'right'];

/** A token of another scope than `scope` (for a public route, any token). */
const otherThan = (scope: Scope | 'public'): string => (scope === 'read' ? TOKENS.admin : TOKENS.read);

export interface MatrixCase {
  route: RouteCase;
  credential: Credential;
  request: RemoteRequest;
}

export function matrix(baseUrl: string): MatrixCase[] {
  return ROUTES.flatMap((route) =>
    CREDENTIALS.map((credential) => {
      const token =
        credential === 'none'
          ? undefined
          : credential === 'wrong'
            ? WRONG_TOKEN
            : credential === 'other scope'
              ? otherThan(route.access)
              : route.access === 'public'
                ? TOKENS.read
                : TOKENS[route.access];
      const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
      if (route.photo) headers['content-type'] = 'image/jpeg';
      return {
        route,
        credential,
        request: {
          method: route.method,
          url: `${baseUrl}${route.path}`,
          headers,
          ...(route.photo ? { bodyFile: fixturePath('person') } : {}),
        },
      };
    }),
  );
}

/** Sends requests from this process (loopback), like requestsFrom() does from a test host. */
export async function requestsHere(requests: RemoteRequest[]): Promise<RemoteResponse[]> {
  const answers: RemoteResponse[] = [];
  for (const r of requests) {
    const response = await fetch(r.url, {
      method: r.method ?? 'GET',
      headers: r.headers,
      body: r.bodyFile === undefined ? undefined : new Uint8Array(await readFile(r.bodyFile)),
    });
    answers.push({ status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() });
  }
  return answers;
}

/** The answer when every API request needs a token (mode tokens, or loopback mode seen from another host). */
export function assertTokenAnswer(c: MatrixCase, answer: RemoteResponse, missingCode = 'auth_required'): void {
  const what = `${c.route.method} ${c.route.path} with ${c.credential} token`;
  if (c.route.access === 'public' || c.credential === 'right') {
    assert.equal(answer.status, c.route.allowed, `${what}: ${answer.body.slice(0, 200)}`);
    return;
  }
  const code = (JSON.parse(answer.body) as { code?: string }).code;
  if (c.credential === 'none') {
    assert.deepEqual([answer.status, code], [401, missingCode], what);
    assert.match(answer.headers['www-authenticate'] ?? '', /^Bearer realm="algo(-metrics)?"$/, what);
  } else if (c.credential === 'wrong') {
    assert.deepEqual([answer.status, code], [401, 'invalid_token'], what);
    assert.match(answer.headers['www-authenticate'] ?? '', /error="invalid_token"/, what);
  } else {
    assert.deepEqual([answer.status, code], [403, 'forbidden'], what);
    assert.match(JSON.parse(answer.body).message as string, new RegExp(`lacks the scope "${c.route.access}"`), what);
    assert.match(answer.headers['www-authenticate'] ?? '', new RegExp(`error="insufficient_scope", scope="${c.route.access}"`), what);
  }
}

/** Every token of the matrix, for scans of logs, metrics and answers. */
export const ALL_TOKENS = [...Object.values(TOKENS), WRONG_TOKEN];
