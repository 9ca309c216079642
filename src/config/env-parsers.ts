// Parsers for single environment variables. Each one either returns a typed value or throws
// a ConfigError that names the variable, the value and what is allowed.
import { ConfigError } from '../errors.js';
import { show } from '../redact.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Unset and empty-after-trim values count as "not given". */
function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function readString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(name, show(value), `an integer from ${min} to ${max}`);
  }
  return parsed;
}

export function readOptionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  return raw(env, name) === undefined ? undefined : readInteger(env, name, min, min, max);
}

export function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(name, show(value), `a number from ${min} to ${max}`);
  }
  return parsed;
}

export function readOptionalNumber(env: Env, name: string, min: number, max: number): number | undefined {
  return raw(env, name) === undefined ? undefined : readNumber(env, name, min, min, max);
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, show(value), 'true or false (also 1/0, yes/no, on/off)');
}

export function readChoice<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const match = allowed.find((choice) => choice === value.toLowerCase());
  if (match === undefined) throw new ConfigError(name, show(value), `one of ${allowed.join(', ')}`);
  return match;
}

/** An absolute URL path without query, fragment or whitespace, e.g. /metrics. */
export function readUrlPath(env: Env, name: string, fallback: string): string {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(value) || value.includes('//')) {
    throw new ConfigError(name, show(value), 'an absolute path such as /metrics (letters, digits, . _ ~ - /)');
  }
  return value;
}

/** An optional http(s) URL shown to people (a link): no credentials, since it ends up on pages. */
export function readOptionalHttpUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    throw new ConfigError(name, show(value), 'an http(s) URL without credentials, such as http://grafana.example:3000/d/algo');
  return url.href;
}

/** A secret: validated, but its value never appears in an error message. */
export function readSecret(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (value.length < 8 || /[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new ConfigError(name, '<hidden>', 'a token of at least 8 visible characters without spaces');
  }
  return value;
}

/** Comma-separated non-empty items, e.g. Kafka brokers. */
export function readList(env: Env, name: string, fallback: readonly string[], itemPattern: RegExp, itemDescription: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [...fallback];
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => !itemPattern.test(item))) {
    throw new ConfigError(name, show(value), `a comma-separated list of ${itemDescription}`);
  }
  return items;
}

/** A Kafka topic or group name: 1..249 of [a-zA-Z0-9._-]. */
export function readKafkaName(env: Env, name: string, fallback: string): string {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) {
    throw new ConfigError(name, show(value), 'a Kafka name of 1 to 249 characters from [A-Za-z0-9._-]');
  }
  return value;
}

/** `auto` (the default) or a whole number of detector workers from 1 to 64. */
export function readConcurrency(env: Env, name: string): 'auto' | number {
  const value = raw(env, name);
  if (value === undefined || value.toLowerCase() === 'auto') return 'auto';
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > 64)
    throw new ConfigError(name, show(value), 'auto or an integer from 1 to 64');
  return parsed;
}
