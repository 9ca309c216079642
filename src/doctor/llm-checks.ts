// The doctor's LLM group: can algo reach the OpenAI-compatible API with its keys? One
// `GET {base}/models` with the first configured key (no tokens spent), classified: the key
// refused (401/403), the base URL wrong (404/405: usually a missing /v1), rate-limited or out
// of quota (429), the provider failing (5xx), unreachable (DNS, refused, timeout, TLS), and
// whether the configured model is among those listed.
import { maskUrl } from '../redact.js';
import { checksFor, type CheckResult } from './check.js';
import { jsonOf, probe } from './http-probe.js';
import type { LlmTarget } from './llm-target.js';

const TITLE = 'LLM API reachable with a key';

const UNREACHABLE: Record<string, { cause: string; fix: string }> = {
  no_such_host: { cause: "the base URL's host name does not resolve", fix: 'check the host in ALGO_LLM_BASE_URL (and DNS)' },
  refused: { cause: 'nothing listens at the base URL', fix: 'start the LLM server, or correct the port in ALGO_LLM_BASE_URL' },
  timeout: { cause: 'the API did not answer in time', fix: 'check the network path (proxy, firewall) to the API, or raise --timeout' },
  tls: { cause: 'the TLS handshake failed', fix: 'check https:// vs http:// in ALGO_LLM_BASE_URL and the server certificate' },
};

export async function checkLlm(target: LlmTarget | undefined, timeoutMs: number): Promise<CheckResult[]> {
  const { results, add } = checksFor('llm');
  if (target === undefined) {
    add('models', TITLE, 'skip', 'no key in ALGO_LLM_API_KEYS or ALGO_LLM_API_KEYS_FILE: summaries come from the template');
    return results;
  }
  if (target.baseUrl === undefined) {
    add('models', TITLE, 'fail', target.problem ?? 'no base URL', {
      cause: 'algo cannot call the API',
      fix: 'set ALGO_LLM_BASE_URL to the API base, e.g. https://api.openai.com/v1',
    });
    return results;
  }
  const url = `${target.baseUrl.href.replace(/\/+$/, '')}/models`;
  const shown = maskUrl(url);
  const key = `key "${target.key.keyId}"`;
  const answer = await probe(url, { timeoutMs, headers: { authorization: `Bearer ${target.key.secret}` } });
  if (!answer.ok) {
    const known = UNREACHABLE[answer.code] ?? { cause: answer.message, fix: 'check ALGO_LLM_BASE_URL and the network path to it' };
    add('models', TITLE, 'fail', `GET ${shown}: unreachable (${answer.code})`, known);
    return results;
  }
  const status = answer.status;
  if (status === 401 || status === 403) {
    add('models', TITLE, 'fail', `GET ${shown} with ${key}: refused (${status})`, {
      cause: 'the key is wrong, revoked, or lacks permission for this API',
      fix: 'replace it in ALGO_LLM_API_KEYS or the keys file, then send algo SIGHUP',
    });
  } else if (status === 404 || status === 405) {
    const missingV1 = !/\/v\d+[a-z]*$/.test(target.baseUrl.pathname.replace(/\/+$/, ''));
    add('models', TITLE, 'fail', `GET ${shown}: ${status}`, {
      cause: missingV1
        ? 'the base URL lacks the API version (/v1): every summary call gets 404'
        : 'no OpenAI-compatible API at the base URL',
      fix: missingV1
        ? `set ALGO_LLM_BASE_URL=${maskUrl(`${target.baseUrl.href.replace(/\/+$/, '')}/v1`)}`
        : 'set ALGO_LLM_BASE_URL to the API base that serves /chat/completions',
    });
  } else if (status === 429) {
    add('models', TITLE, 'warn', `GET ${shown} with ${key}: 429`, {
      cause: 'the key is rate-limited or out of quota',
      fix: 'add keys to the pool, or raise the quota with the provider',
    });
  } else if (status >= 500) {
    add('models', TITLE, 'warn', `GET ${shown}: ${status}`, {
      cause: 'the provider is failing',
      fix: "retry later; algo's summaries fall back to the template meanwhile",
    });
  } else if (status !== 200) {
    add('models', TITLE, 'warn', `GET ${shown}: ${status}`, { cause: 'an unexpected answer', fix: 'check ALGO_LLM_BASE_URL' });
  } else {
    const ids = (jsonOf<{ data?: Array<{ id?: unknown }> }>(answer)?.data ?? [])
      .map((model) => model.id)
      .filter((id) => typeof id === 'string');
    if (ids.length > 0 && !ids.includes(target.model)) {
      add('models', TITLE, 'warn', `${key} accepted; ${ids.length} models listed, not ALGO_LLM_MODEL=${target.model}`, {
        cause: 'a misspelt or unavailable model: summary calls will be refused',
        fix: `set ALGO_LLM_MODEL to one the API lists (e.g. ${String(ids[0])})`,
      });
    } else add('models', TITLE, 'pass', `${key} accepted at ${shown}${ids.length > 0 ? `; ${target.model} listed` : ''}`);
  }
  return results;
}
