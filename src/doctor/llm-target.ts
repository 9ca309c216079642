// What the doctor's LLM check calls, from the same variables algo reads: the base URL
// (a pasted /chat/completions taken off, as algo does), the configured model, and the first
// key of ALGO_LLM_API_KEYS or ALGO_LLM_API_KEYS_FILE. The key is used for one request and
// never shown; its key_id (alias or fingerprint) is.
import { readFileSync } from 'node:fs';
import { parseKeyFile, parseKeyList, type ApiKeySpec } from '../llm/api-keys.js';
import { withoutPastedEndpoint } from '../llm/base-url.js';
import { DEFAULT_LLM_BASE_URL, DEFAULT_LLM_MODEL } from '../llm/llm-config.js';

export interface LlmTarget {
  /** The configured base URL, or undefined with `problem` when it is not an http(s) URL. */
  baseUrl: URL | undefined;
  problem?: string;
  model: string;
  key: ApiKeySpec;
}

/** Undefined when no key is configured (summaries then come from the template; nothing to check). */
export function llmTargetFrom(env: Readonly<Record<string, string | undefined>>): LlmTarget | undefined {
  const listed = env.ALGO_LLM_API_KEYS?.trim();
  const file = env.ALGO_LLM_API_KEYS_FILE?.trim();
  let keys: readonly ApiKeySpec[] = [];
  if (listed !== undefined && listed !== '') {
    const parsed = parseKeyList(listed);
    if (parsed.ok) keys = parsed.keys;
  }
  if (keys.length === 0 && file !== undefined && file !== '') {
    try {
      const parsed = parseKeyFile(readFileSync(file, 'utf8'));
      if (parsed.ok) keys = parsed.keys;
    } catch {
      // An unreadable keys file is algo's start-up error to report; the doctor has no key then.
    }
  }
  const key = keys[0];
  if (key === undefined) return undefined;
  const model = env.ALGO_LLM_MODEL?.trim() || DEFAULT_LLM_MODEL;
  const text = (env.ALGO_LLM_BASE_URL?.trim() || DEFAULT_LLM_BASE_URL).replace(/\/+$/, '');
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return { baseUrl: withoutPastedEndpoint(url).baseUrl, model, key };
  } catch {
    return { baseUrl: undefined, problem: 'ALGO_LLM_BASE_URL is not an http(s) URL', model, key };
  }
}
