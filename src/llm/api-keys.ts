// API key lists: `ALGO_LLM_API_KEYS` (comma-separated) and `ALGO_LLM_API_KEYS_FILE` (one per
// line, `#` comments). Each entry is `alias=key` or a bare key, optionally followed by
// `;rpm=N` to cap that key's requests per minute. Any non-empty key is accepted (local
// servers such as Ollama or vLLM take a dummy one). Errors name the entry by position, never
// by content: a key must not reach a log or an error message.
import { entriesOfFile, entriesOfList, readListFile, type ListEntry } from '../secret-lists.js';
import { keyIdFor } from './key-id.js';

export interface ApiKeySpec {
  /** key_id label: the alias, or a fingerprint of a bare key. */
  readonly keyId: string;
  readonly secret: string;
  /** Requests per minute allowed on this key; undefined = no limit. */
  readonly rpm: number | undefined;
}

export type KeyListResult = { ok: true; keys: ApiKeySpec[] } | { ok: false; problem: string };

const ALIAS = /^[A-Za-z0-9._-]{1,32}$/;
/** Visible ASCII (what an HTTP header carries), without the list separators `,` and `;`. */
const SECRET = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]{1,512}$/;

/**
 * `alias=key` or a bare key. The first `=` splits alias from key, unless every character from
 * it on is `=` (base64 padding of a bare key, `sk-…==`); so a bare key with `=` elsewhere
 * must be given an alias (`name=key`, the key may then contain `=`).
 */
function parseEntry(entry: string, where: string): ApiKeySpec | string {
  const [body = '', ...options] = entry.split(';').map((part) => part.trim());
  let rpm: number | undefined;
  for (const option of options) {
    const match = /^rpm=(\d{1,6})$/.exec(option);
    if (match === null || Number(match[1]) < 1) return `${where}: option must be rpm=N with N from 1 to 999999`;
    rpm = Number(match[1]);
  }
  const equals = body.indexOf('=');
  const hasAlias = equals >= 0 && !/^=+$/.test(body.slice(equals));
  const alias = hasAlias ? body.slice(0, equals).trim() : undefined;
  if (alias !== undefined && !ALIAS.test(alias)) return `${where}: the alias before "=" must be 1 to 32 characters from [A-Za-z0-9._-]`;
  const secret = hasAlias ? body.slice(equals + 1).trim() : body;
  if (!SECRET.test(secret)) return `${where}: a key must be 1 to 512 visible ASCII characters without spaces, "," or ";"`;
  return { keyId: keyIdFor(secret, alias), secret, rpm };
}

function parseEntries(entries: readonly ListEntry[]): KeyListResult {
  const keys: ApiKeySpec[] = [];
  const ids = new Set<string>();
  const secrets = new Set<string>();
  for (const { text, where } of entries) {
    const parsed = parseEntry(text, where);
    if (typeof parsed === 'string') return { ok: false, problem: parsed };
    if (ids.has(parsed.keyId)) return { ok: false, problem: `${where}: key id ${parsed.keyId} is used twice` };
    if (secrets.has(parsed.secret)) return { ok: false, problem: `${where}: the same key is listed twice` };
    ids.add(parsed.keyId);
    secrets.add(parsed.secret);
    keys.push(parsed);
  }
  return { ok: true, keys };
}

/** `alias=key;rpm=N,key2,…` as in ALGO_LLM_API_KEYS. */
export function parseKeyList(value: string): KeyListResult {
  return parseEntries(entriesOfList(value));
}

/** One entry per line; blank lines and lines starting with # are skipped. */
export function parseKeyFile(content: string): KeyListResult {
  return parseEntries(entriesOfFile(content));
}

export async function readKeyFile(path: string): Promise<KeyListResult> {
  const file = await readListFile(path);
  return file.ok ? parseEntries(file.entries) : file;
}

/** The env keys then the file's keys, refusing an id or key listed in both. */
export function mergeKeyLists(first: readonly ApiKeySpec[], second: readonly ApiKeySpec[]): KeyListResult {
  const ids = new Set(first.map((key) => key.keyId));
  const secrets = new Set(first.map((key) => key.secret));
  for (const key of second) {
    if (ids.has(key.keyId)) return { ok: false, problem: `key id ${key.keyId} is in both ALGO_LLM_API_KEYS and the keys file` };
    if (secrets.has(key.secret)) return { ok: false, problem: `key ${key.keyId} is in both ALGO_LLM_API_KEYS and the keys file` };
  }
  return { ok: true, keys: [...first, ...second] };
}
