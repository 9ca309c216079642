// JSON answers shown in the docs against a live algo. A fenced ```json block whose line
// before is `<!-- answer: METHOD /path -->` is what that route answers: algo is started
// in-process on a free port (built-in model, one disabled camera `door` from a scratch
// cameras file, one API key to a loopback Chat Completions stand-in), the request is sent
// (`:id` is that camera; a POST to a frame route carries a fixture photo unless the note ends
// with `(empty body)`), and every key the doc shows must be in the live answer, recursively.
// `…`/`...` in place of an object's or array's contents is allowed.
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { portOf, startService } from '../../src/service.js';
import type { Block, Doc, Problem } from './markdown.js';

const CAMERA_ID = 'door';
const FRAME_ROUTES = ['/api/v1/detect', '/api/v1/analyze'];

interface Answer {
  doc: Doc;
  block: Block;
  method: string;
  path: string;
  empty: boolean;
}

function answersIn(docs: Doc[]): { answers: Answer[]; problems: Problem[] } {
  const answers: Answer[] = [];
  const problems: Problem[] = [];
  for (const doc of docs) {
    for (const block of doc.blocks) {
      const route = /^answer:\s*(\S+)\s+(\S+)(\s+\(empty body\))?$/.exec(block.note ?? '');
      if (route === null) {
        if (block.note?.startsWith('answer') === true)
          problems.push({
            path: doc.path,
            line: block.line - 1,
            message: `"${block.note}": write <!-- answer: METHOD /path [(empty body)] -->`,
          });
        continue;
      }
      if (block.lang !== 'json') problems.push({ path: doc.path, line: block.line, message: 'an answer block must be ```json' });
      else answers.push({ doc, block, method: route[1]!.toUpperCase(), path: route[2]!, empty: route[3] !== undefined });
    }
  }
  return { answers, problems };
}

/** The doc's JSON, placeholders (`{…}`, `[...]`) emptied. */
function parseShown(block: Block): unknown {
  const text = block.body
    .map((l) => l.text)
    .join('\n')
    .replace(/([[{])\s*(?:\.\.\.|…)\s*([\]}])/g, '$1$2');
  return JSON.parse(text) as unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys shown in `shown` that `live` lacks, as dotted paths; arrays compare element-wise against the live elements' keys. */
export function extraKeys(shown: unknown, live: unknown, path = ''): string[] {
  if (Array.isArray(shown) && Array.isArray(live)) {
    const merged = live.filter(isObject).reduce<Record<string, unknown>>((all, item) => ({ ...item, ...all }), {});
    if (Object.keys(merged).length === 0) return [];
    return [...new Set(shown.flatMap((item) => extraKeys(item, merged, `${path}[]`)))];
  }
  if (!isObject(shown) || !isObject(live)) return [];
  return Object.entries(shown).flatMap(([key, value]) =>
    key in live ? extraKeys(value, live[key], path === '' ? key : `${path}.${key}`) : [path === '' ? key : `${path}.${key}`],
  );
}

/** A loopback OpenAI-compatible server that answers every summary, so LLM answers can be shown live. */
async function chatCompletions(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          id: 'chatcmpl-docs-check',
          object: 'chat.completion',
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content: 'A person stands beside a dog.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 164, completion_tokens: 21, total_tokens: 185 },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { server, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/v1` };
}

export async function checkAnswers(docs: Doc[], root: string): Promise<Problem[]> {
  const { answers, problems } = answersIn(docs);
  if (answers.length === 0) return problems;
  const dir = await mkdtemp(join(tmpdir(), 'algo-docs-check-'));
  await writeFile(join(dir, 'cameras.yml'), `cameras:\n  - id: ${CAMERA_ID}\n    url: rtsp://camera.invalid/stream\n    enabled: false\n`);
  const llm = await chatCompletions();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ALGO_LOG_LEVEL: 'silent',
    ALGO_SHUTDOWN_DELAY_MS: '0',
    ALGO_CAMERAS_FILE: join(dir, 'cameras.yml'),
    ALGO_LLM_BASE_URL: llm.baseUrl,
    ALGO_LLM_API_KEYS: 'primary=docs-check-not-a-key',
  });
  const service = await startService(config, { logger: createLogger('silent') });
  try {
    const base = `http://127.0.0.1:${portOf(service.app)}`;
    const photo = await readFile(join(root, 'test/fixtures/images/person.jpg'));
    for (const { doc, block, method, path, empty } of answers) {
      let shown: unknown;
      try {
        shown = parseShown(block);
      } catch (error) {
        problems.push({
          path: doc.path,
          line: block.line,
          message: `the answer shown for ${method} ${path} is not JSON: ${String(error)}`,
        });
        continue;
      }
      const url = `${base}${path.replace(':id', CAMERA_ID)}`;
      const frame = method === 'POST' && FRAME_ROUTES.includes(path) && !empty;
      const response = await fetch(url, { method, ...(frame && { body: photo, headers: { 'content-type': 'image/jpeg' } }) });
      const live = (await response.json().catch(() => undefined)) as unknown;
      if (live === undefined) {
        problems.push({ path: doc.path, line: block.line, message: `${method} ${path} answered ${response.status} without JSON` });
        continue;
      }
      for (const key of extraKeys(shown, live)) {
        const leaf = key.split('.').at(-1)!.replace('[]', '');
        const line = block.body.find((l) => l.text.includes(`"${leaf}"`))?.line ?? block.line;
        problems.push({ path: doc.path, line, message: `${method} ${path} never answers the key "${key}" shown here` });
      }
    }
  } finally {
    await service.stop('docs-check');
    llm.server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return problems;
}
