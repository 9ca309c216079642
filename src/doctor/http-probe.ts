// One HTTP request the way the doctor needs it: no redirects followed, a hard timeout, the
// body read as text, and network failures turned into a code instead of an exception.
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

/** GET (or the given method) `url`; resolves, never rejects. */
export async function probe(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs: number; method?: string },
): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = await response.text();
    return { ok: true, url, status: response.status, headers: response.headers, body, ms: performance.now() - started };
  } catch (error) {
    return classify(error);
  }
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonOf<T>(response: ProbeResponse): T | undefined {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    return undefined;
  }
}
