// The key_id label of an API key: its configured alias, else a short fingerprint that
// cannot be turned back into the key and contains no part of it.
import { createHash, scryptSync } from 'node:crypto';

const ALIAS_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
/** Below this length a key could be found by hashing guesses: its fingerprint uses scrypt. */
const SHORT_KEY_LENGTH = 20;

/**
 * The alias when given; else `key-` + 10 hex of a salted SHA-256 of the key, or of scrypt
 * (RFC 7914, N=2^14) for a key shorter than 20 characters, so that trying guesses against a
 * short key's fingerprint costs tens of milliseconds each.
 */
export function keyIdFor(apiKey: string, alias?: string): string {
  if (alias !== undefined && ALIAS_PATTERN.test(alias)) return alias;
  const digest =
    apiKey.length < SHORT_KEY_LENGTH
      ? scryptSync(apiKey, 'algo-key-id', 5).toString('hex')
      : createHash('sha256').update(`algo-key-id:${apiKey}`).digest('hex');
  return `key-${digest.slice(0, 10)}`;
}
