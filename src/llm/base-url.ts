// ALGO_LLM_BASE_URL mistakes that otherwise show only as a 404 on every call: the endpoint
// pasted in (…/v1/chat/completions: algo appends /chat/completions itself), or the API
// version left out (http://host:11434 instead of http://host:11434/v1).
import { maskUrl } from '../redact.js';

const PASTED_ENDPOINT = /\/chat\/completions\/*$/i;

/** The base URL with a pasted `/chat/completions` removed, and whether there was one. */
export function withoutPastedEndpoint(baseUrl: URL): { baseUrl: URL; pasted: boolean } {
  if (!PASTED_ENDPOINT.test(baseUrl.pathname)) return { baseUrl, pasted: false };
  const stripped = new URL(baseUrl.href);
  stripped.pathname = baseUrl.pathname.replace(PASTED_ENDPOINT, '');
  return { baseUrl: stripped, pasted: true };
}

/** The log line for a 404/405 at `url`: the URL tried (never a key) and the likely fix. */
export function notFoundAdvice(url: string, baseUrl: URL, status: number, unknownModel: string | undefined): string {
  const base = maskUrl(baseUrl.href.replace(/\/+$/, ''));
  const fix =
    unknownModel !== undefined
      ? `the API does not know the model ${JSON.stringify(unknownModel)}: check ALGO_LLM_MODEL`
      : /\/v\d[^/]*(\/|$)/i.test(baseUrl.pathname)
        ? `ALGO_LLM_BASE_URL (${base}) must be the part before /chat/completions in the provider's documentation`
        : `ALGO_LLM_BASE_URL (${base}) probably lacks the API version: try ${base}/v1`;
  return `LLM API answered ${status} at ${maskUrl(url)}; likely fix: ${fix}`;
}
