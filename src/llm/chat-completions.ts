// One OpenAI-compatible Chat Completions call (POST {base}/chat/completions) with Node's
// built-in fetch (undici, keep-alive), its answer classified for the key router. The
// provider's error text is never kept: it may quote the key ("Incorrect API key provided: sk-…").
import type { Logger } from 'pino';
import { notFoundAdvice } from './base-url.js';
import type { AttemptOutcome, KeyLease } from './key-router.js';
import { retryAfterMs } from './retry-after.js';

export type ContentPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'low' | 'high' | 'auto' } };

export interface ChatMessage {
  role: 'system' | 'user';
  content: string | ContentPart[];
}

export interface ChatAnswer {
  text: string;
  /** The model that answered, as the API names it. */
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined;
}

interface CompletionBody {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
}

/** Largest response body read from the provider; a longer one is a bad response. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Longest summary text passed on; a longer answer is cut at a word with "…". */
export const MAX_SUMMARY_CHARS = 2000;
/** Token counts above this in `usage` are not believed. */
export const MAX_USAGE_TOKENS = 10_000_000;

/** A usage count as the API should send it (an integer from 0 to MAX_USAGE_TOKENS), else 0. */
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_USAGE_TOKENS ? value : 0;

/** Cuts a text to at most `max` characters, at a space when one is near the end, adding "…". */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The body as UTF-8 text, or undefined (and the stream cancelled) once it passes maxBytes. */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const declared = Number(response.headers.get('content-length'));
  const reader = response.body.getReader();
  if (declared > maxBytes) {
    await reader.cancel().catch(() => undefined);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseAnswer(text: string, requestedModel: string): ChatAnswer | undefined {
  let body: CompletionBody;
  try {
    body = JSON.parse(text) as CompletionBody;
  } catch {
    return undefined;
  }
  const content = body?.choices?.[0]?.message?.content;
  if (typeof content !== 'string' || content.trim() === '') return undefined;
  const usage =
    body.usage === undefined || body.usage === null
      ? undefined
      : {
          prompt_tokens: count(body.usage.prompt_tokens),
          completion_tokens: count(body.usage.completion_tokens),
          total_tokens: count(body.usage.total_tokens),
        };
  return { text: capText(content.trim(), MAX_SUMMARY_CHARS), model: typeof body.model === 'string' ? body.model : requestedModel, usage };
}

/** The `error` object of a provider's error body (`{"error": {"code": …, "type": …}}`). */
function errorOf(text: string): { code?: unknown; type?: unknown } | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: unknown; type?: unknown } }).error;
  } catch {
    return undefined;
  }
}

/** OpenAI's 429 for an exhausted quota or billing problem is not a rate limit. */
function isQuotaExhausted(text: string): boolean {
  const error = errorOf(text);
  return error?.code === 'insufficient_quota' || error?.type === 'insufficient_quota';
}

export interface ChatClientOptions {
  baseUrl: URL;
  model: string;
  maxTokens: number;
  /** Told once about a 404/405: a wrong base URL fails every call, and nothing else names it. */
  logger?: Pick<Logger, 'warn'>;
}

export class ChatCompletionsClient {
  private readonly url: string;
  private notFoundLogged = false;

  constructor(private readonly options: ChatClientOptions) {
    this.url = `${options.baseUrl.href.replace(/\/+$/, '')}/chat/completions`;
  }

  /** The request body, serialised once per summary and reused by every attempt. */
  body(messages: ChatMessage[]): string {
    return JSON.stringify({ model: this.options.model, messages, max_tokens: this.options.maxTokens, temperature: 0.2 });
  }

  /** One attempt on one key; throws only when `signal` aborts (or the connection fails). */
  async complete(body: string, lease: KeyLease, signal: AbortSignal): Promise<AttemptOutcome<ChatAnswer>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${lease.secret}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal,
    });
    const status = response.status;
    const text = await readCapped(response, MAX_RESPONSE_BYTES);
    if (status >= 200 && status < 300) {
      // An answer past MAX_RESPONSE_BYTES is not read on (a runaway or hostile server).
      const answer = text === undefined ? undefined : parseAnswer(text, this.options.model);
      return answer === undefined ? { kind: 'bad_response' } : { kind: 'success', value: answer };
    }
    if (status === 429)
      return isQuotaExhausted(text ?? '')
        ? { kind: 'quota_exhausted' }
        : { kind: 'rate_limited', retryAfterMs: retryAfterMs(response.headers) };
    if (status === 401 || status === 403) return { kind: 'unauthorized', status };
    if (status === 408) return { kind: 'timeout' };
    if ((status === 404 || status === 405) && !this.notFoundLogged) {
      this.notFoundLogged = true;
      const unknownModel = errorOf(text ?? '')?.code === 'model_not_found' ? this.options.model : undefined;
      this.options.logger?.warn({ status }, notFoundAdvice(this.url, this.options.baseUrl, status, unknownModel));
    }
    if (status >= 500) return { kind: 'server_error', status };
    return { kind: 'rejected', status };
  }
}
