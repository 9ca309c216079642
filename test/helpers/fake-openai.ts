// A real HTTP server on loopback speaking the OpenAI Chat Completions API
// (POST /v1/chat/completions, GET /v1/models, Bearer keys), with failures injected per key: the only local
// fake algo's tests allow, standing in for the paid external API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBehaviour =
  | { kind: 'ok'; text?: string; delayMs?: number; usage?: unknown }
  /** A valid 200 answer whose body is about `bytes` long (the content is padding). */
  | { kind: 'oversized'; bytes: number }
  /** A 200 whose body never ends: chunks keep coming until the client closes. */
  | { kind: 'endless' }
  | { kind: 'rate_limited'; retryAfter?: string }
  | { kind: 'insufficient_quota' }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'server_error'; status?: number }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'reset' }
  | { kind: 'bad_request' };

/** A fixed behaviour, or one chosen per request (n counts this key's requests from 0). */
export type KeyScript = FakeBehaviour | ((n: number) => FakeBehaviour);

export interface FakeRequest {
  key: string | undefined;
  body: { model?: string; messages?: Array<{ role: string; content: unknown }> } | undefined;
  atMs: number;
}

export interface FakeOpenAi {
  /** Base URL for ALGO_LLM_BASE_URL, e.g. http://127.0.0.1:1234/v1 */
  baseUrl: string;
  requests: FakeRequest[];
  requestsFor(key: string): FakeRequest[];
  /** Hanging requests whose connection the client closed (cancelled upstream calls). */
  readonly cancelled: number;
  /** Per-key behaviour; keys without a script answer ok. */
  script(key: string, script: KeyScript): void;
  close(): Promise<void>;
}

/** The models GET /v1/models lists. */
export const FAKE_MODELS = ['gpt-4o-mini', 'fake-vision'];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function answer(res: ServerResponse, behaviour: FakeBehaviour, key: string | undefined, model: string): void {
  switch (behaviour.kind) {
    case 'ok':
      json(res, 200, {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: behaviour.text ?? 'Three people stand together near a dog.' },
            finish_reason: 'stop',
          },
        ],
        usage: behaviour.usage === undefined ? { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 } : behaviour.usage,
      });
      return;
    case 'oversized':
      json(res, 200, { model, choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(behaviour.bytes) } }] });
      return;
    case 'endless': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices": [{"message": {"content": "');
      const chunk = 'y'.repeat(64 * 1024);
      const more = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
      return;
    }
    case 'rate_limited':
      json(
        res,
        429,
        { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
        behaviour.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter },
      );
      return;
    case 'insufficient_quota':
      json(res, 429, {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      });
      return;
    case 'unauthorized':
      // Like OpenAI, the message quotes the key: algo must never pass it on.
      json(res, 401, {
        error: {
          message: `Incorrect API key provided: ${key ?? ''}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
      return;
    case 'forbidden':
      json(res, 403, { error: { message: `Key ${key ?? ''} is not allowed`, type: 'permission_error' } });
      return;
    case 'server_error':
      json(res, behaviour.status ?? 500, {
        error: { message: 'The server had an error while processing your request.', type: 'server_error' },
      });
      return;
    case 'hang':
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [{"message": {"content": "trunc');
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'bad_request':
      json(res, 400, { error: { message: 'Invalid model', type: 'invalid_request_error' } });
  }
}

export async function startFakeOpenAi(port = 0): Promise<FakeOpenAi> {
  const scripts = new Map<string, KeyScript>();
  const counts = new Map<string, number>();
  const requests: FakeRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let cancelled = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const auth = req.headers.authorization;
      const key = auth?.startsWith('Bearer ') === true ? auth.slice(7) : undefined;
      let body: FakeRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest['body'];
      } catch {
        body = undefined;
      }
      requests.push({ key, body, atMs: Date.now() });
      const listModels = req.method === 'GET' && req.url === '/v1/models';
      if (!listModels && (req.method !== 'POST' || req.url !== '/v1/chat/completions'))
        return json(res, 404, { error: { message: 'not found' } });
      const n = counts.get(key ?? '') ?? 0;
      counts.set(key ?? '', n + 1);
      const script = scripts.get(key ?? '') ?? { kind: 'ok' };
      const behaviour = typeof script === 'function' ? script(n) : script;
      // GET /v1/models (what `algo doctor` calls): the model list, or the key's scripted failure.
      if (listModels && behaviour.kind === 'ok')
        return json(res, 200, { object: 'list', data: FAKE_MODELS.map((id) => ({ id, object: 'model' })) });
      if (behaviour.kind === 'hang') {
        hanging.add(res);
        res.once('close', () => {
          if (hanging.delete(res)) cancelled++;
        });
        return;
      }
      const delay = behaviour.kind === 'ok' ? (behaviour.delayMs ?? 0) : 0;
      if (delay > 0) setTimeout(() => answer(res, behaviour, key, body?.model ?? 'unknown'), delay);
      else answer(res, behaviour, key, body?.model ?? 'unknown');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}/v1`,
    requests,
    requestsFor: (key) => requests.filter((request) => request.key === key),
    get cancelled() {
      return cancelled;
    },
    script: (key, script) => void scripts.set(key, script),
    async close() {
      const open = [...hanging];
      hanging.clear();
      for (const res of open) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
