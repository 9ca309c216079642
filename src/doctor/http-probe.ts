// One HTTP request the way the doctor needs it: no redirects followed, a hard timeout, the
// body read as text, and network failures turned into a code instead of an exception. Node's
// http/https client rather than fetch, so an https:// URL can be checked against a given CA.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { messageOf } from '../errors.js';

export interface ProbeResponse {
  ok: true;
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** Time to the full body, in milliseconds. */
  ms: number;
}

export type ProbeFailureCode = 'refused' | 'no_such_host' | 'timeout' | 'reset' | 'unreachable' | 'tls' | 'other';

export interface ProbeFailure {
  ok: false;
  code: ProbeFailureCode;
  /** The underlying error's text (never includes request headers, so no token). */
  message: string;
}

export type ProbeResult = ProbeResponse | ProbeFailure;

function classify(error: unknown): ProbeFailure {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = messageOf(cause);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return { ok: false, code: 'timeout', message: 'no answer before the timeout' };
  switch (code) {
    case 'ECONNREFUSED':
      return { ok: false, code: 'refused', message };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { ok: false, code: 'no_such_host', message };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { ok: false, code: 'reset', message };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { ok: false, code: 'unreachable', message };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return { ok: false, code: 'timeout', message };
    default:
      return { ok: false, code: /certificate|TLS|SSL/i.test(message) ? 'tls' : 'other', message };
  }
}

export interface ProbeOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  method?: string;
  /** PEM CA certificates trusted for an https:// URL (--ca-file), instead of the system's. */
  ca?: Buffer;
}

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** GET (or the given method) `url` with Node's http/https client; resolves, never rejects. */
export async function probe(url: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const signal = AbortSignal.timeout(options.timeoutMs);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const fail = (error: unknown): void => settle(classify(signal.aborted ? signal.reason : error));
    const requestOptions = { method: options.method ?? 'GET', headers: options.headers, signal };
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () =>
        settle({
          ok: true,
          url,
          status: response.statusCode ?? 0,
          headers: headersOf(response.headers),
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
    };
    const request = secure
      ? httpsRequest(target, options.ca === undefined ? requestOptions : { ...requestOptions, ca: options.ca }, onResponse)
      : httpRequest(target, requestOptions, onResponse);
    request.on('error', fail);
    request.end();
  });
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonOf<T>(response: ProbeResponse): T | undefined {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    return undefined;
  }
}
