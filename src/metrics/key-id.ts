// The key_id label of an API key: its configured alias, else a short fingerprint that
// cannot be turned back into the key and contains no part of it.
import { createHash } from 'node:crypto';

const ALIAS_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

export function keyIdFor(apiKey: string, alias?: string): string {
  if (alias !== undefined && ALIAS_PATTERN.test(alias)) return alias;
  return `key-${createHash('sha256').update(`algo-key-id:${apiKey}`).digest('hex').slice(0, 10)}`;
}
