// API key lists: `ALGO_LLM_API_KEYS` (comma-separated) and `ALGO_LLM_API_KEYS_FILE` (one per
// line, `#` comments). Each entry is `alias=key` or a bare key, optionally followed by
// `;rpm=N` to cap that key's requests per minute. Errors name the entry by position, never
// by content: a key must not reach a log or an error message.
import { readFile } from 'node:fs/promises';
import { keyIdFor } from '../metrics/key-id.js';

export interface ApiKeySpec {
  /** key_id label: the alias, or a fingerprint of a bare key. */
  readonly keyId: string;
  readonly secret: string;
  /** Requests per minute allowed on this key; undefined = no limit. */
  readonly rpm: number | undefined;
}

export type KeyListResult = { ok: true; keys: ApiKeySpec[] } | { ok: false; problem: string };

const ALIAS = /^[A-Za-z0-9._-]{1,32}$/;
const SECRET = /^[\x21-\x7e]{8,512}$/;

function parseEntry(entry: string, where: string): ApiKeySpec | string {
  const [body = '', ...options] = entry.split(';').map((part) => part.trim());
  let rpm: number | undefined;
  for (const option of options) {
    const match = /^rpm=(\d{1,6})$/.exec(option);
    if (match === null || Number(match[1]) < 1) return `${where}: option must be rpm=N with N from 1 to 999999`;
    rpm = Number(match[1]);
  }
  const equals = body.indexOf('=');
  // A bare key may itself contain "=" (base64 padding): it is `alias=key` only when both sides are valid.
  const aliasPart = equals > 0 ? body.slice(0, equals) : undefined;
  const hasAlias = aliasPart !== undefined && ALIAS.test(aliasPart) && SECRET.test(body.slice(equals + 1));
  const secret = hasAlias ? body.slice(equals + 1) : body;
  if (!SECRET.test(secret) || secret.includes(',') || secret.includes(';')) return `${where}: a key must be 8 to 512 visible characters without , or ;`;
  return { keyId: keyIdFor(secret, hasAlias ? aliasPart : undefined), secret, rpm };
}

function parseEntries(entries: Array<{ text: string; where: string }>): KeyListResult {
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
  const items = value.split(',').map((text) => text.trim());
  return parseEntries(items.filter((text) => text !== '').map((text, index) => ({ text, where: `entry ${index + 1}` })));
}

/** One entry per line; blank lines and lines starting with # are skipped. */
export function parseKeyFile(content: string): KeyListResult {
  const entries: Array<{ text: string; where: string }> = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const text = line.trim();
    if (text !== '' && !text.startsWith('#')) entries.push({ text, where: `line ${index + 1}` });
  });
  return parseEntries(entries);
}

export async function readKeyFile(path: string): Promise<KeyListResult> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  const parsed = parseKeyFile(content);
  return parsed.ok ? parsed : { ok: false, problem: `${path} ${parsed.problem}` };
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
