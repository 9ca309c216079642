// How long a 429 asks us to wait: OpenAI's `retry-after-ms`, else the standard Retry-After
// as delta-seconds or an HTTP-date in any of its three forms (RFC 9110 §10.2.3, §5.6.7).
// Undefined when absent or unreadable.
import { parseHttpDate } from './http-date.js';

export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = parseHttpDate(value, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}
