// API tokens: `name:scope+scope=token` entries from ALGO_API_TOKENS (comma-separated) and
// ALGO_API_TOKENS_FILE (one per line, `#` comments). In place of the token an entry may hold
// `sha256:<64 hex digits>`, its SHA-256, so the file holds no usable secret. Only the digest is
// kept; problems name the entry by position and the token by name, never by content.
import { hash } from 'node:crypto';
import { entriesOfFile, entriesOfList, readListFile, type ListEntry } from '../secret-lists.js';
import { SCOPES, isScope, type Scope } from './scopes.js';

export interface ApiToken {
  /** Shown in logs, metrics (`token` label) and 403 answers; the token itself never is. */
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
  /** SHA-256 of the token. */
  readonly digest: Buffer;
}

export type TokenListResult = { ok: true; tokens: ApiToken[] } | { ok: false; problem: string };

/** The name ALGO_METRICS_TOKEN goes by in metrics and logs; no configured token may take it. */
export const METRICS_TOKEN_NAME = 'ALGO_METRICS_TOKEN';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Visible ASCII without `,` (the list separator): what a bearer token carries. */
const TOKEN = /^[\x21-\x2b\x2d-\x7e]{16,512}$/;
/** The prefix in any case: `SHA256:<hex>` must not pass for a plain token. */
const SHA256 = /^sha256:([0-9a-f]{64})$/i;
const SHA256_PREFIX = /^sha256:/i;

export const MIN_TOKEN_LENGTH = 16;

export function tokenDigest(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

function parseEntry({ text, where }: ListEntry): ApiToken | string {
  const colon = text.indexOf(':');
  const equals = text.indexOf('=');
  if (colon < 1 || equals < colon) return `${where}: expected name:scope+scope=token`;
  const name = text.slice(0, colon).trim();
  if (!NAME.test(name) || name === METRICS_TOKEN_NAME)
    return `${where}: the name must be 1 to 64 characters from [A-Za-z0-9_.-], starting with a letter or digit, and not ${METRICS_TOKEN_NAME}`;
  const scopes = new Set<Scope>();
  for (const scope of text.slice(colon + 1, equals).split('+')) {
    const trimmed = scope.trim();
    if (!isScope(trimmed)) return `${where} (${name}): scopes must be one or more of ${SCOPES.join(', ')} joined by "+"`;
    scopes.add(trimmed);
  }
  const secret = text.slice(equals + 1).trim();
  const hashed = SHA256.exec(secret);
  if (hashed !== null) return { name, scopes, digest: Buffer.from(hashed[1]!, 'hex') };
  if (SHA256_PREFIX.test(secret)) return `${where} (${name}): sha256: must be followed by the 64 hex digits of the token's SHA-256`;
  if (!TOKEN.test(secret))
    return `${where} (${name}): a token must be ${MIN_TOKEN_LENGTH} to 512 visible ASCII characters without spaces or ",", or sha256:<hex>`;
  return { name, scopes, digest: tokenDigest(secret) };
}

function parseEntries(entries: readonly ListEntry[], known: readonly ApiToken[] = []): TokenListResult {
  const tokens: ApiToken[] = [];
  const names = new Set(known.map((token) => token.name));
  const digests = new Set(known.map((token) => token.digest.toString('hex')));
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') return { ok: false, problem: parsed };
    if (names.has(parsed.name)) return { ok: false, problem: `${entry.where}: the name ${parsed.name} is used twice` };
    const digest = parsed.digest.toString('hex');
    if (digests.has(digest)) return { ok: false, problem: `${entry.where} (${parsed.name}): the same token is listed twice` };
    names.add(parsed.name);
    digests.add(digest);
    tokens.push(parsed);
  }
  return { ok: true, tokens };
}

/** ALGO_API_TOKENS: `name:scope+scope=token,…`. */
export function parseTokenList(value: string): TokenListResult {
  return parseEntries(entriesOfList(value));
}

/** The file's content: one entry per line. */
export function parseTokenFile(content: string): TokenListResult {
  return parseEntries(entriesOfFile(content));
}

/**
 * The tokens of ALGO_API_TOKENS_FILE after those already configured (`first`), refusing a name
 * or a token listed in both.
 */
export async function readTokenFile(path: string, first: readonly ApiToken[]): Promise<TokenListResult> {
  const file = await readListFile(path);
  if (!file.ok) return file;
  const parsed = parseEntries(file.entries, first);
  return parsed.ok ? { ok: true, tokens: [...first, ...parsed.tokens] } : parsed;
}
