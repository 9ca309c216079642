// npm run bench:llm — prints figures, asserts nothing.
// 1. Router overhead: summary-sized Chat Completions calls to a loopback OpenAI-speaking
//    server, a direct fetch vs the same call through the key router (three healthy keys),
//    in back-to-back pairs so both see the same load on a shared machine. Target: p50
//    overhead <= 1 ms.
// 2. Resilience: 200 scene summaries through the full summarizer (default attempts), one
//    every 25 ms, with three keys: one answering 429 every other request, one revoked, one
//    healthy. Target: 100 % LLM summaries.
// Server pinned to core 1, this process to core 0 (when there are two cores).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/config.js';
import type { DetectionResponse } from '../src/detect/types.js';
import { ChatCompletionsClient } from '../src/llm/chat-completions.js';
import { KeyRouter } from '../src/llm/key-router.js';
import { buildMessages, DEFAULT_PROMPT_TEMPLATE } from '../src/llm/prompt.js';
import { createLlmService } from '../src/llm/llm-service.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { BENCH_KEYS } from './fake-openai-server.js';
import { announce, scaled } from './quick.js';
import { fmt, median, percentile, printVerdict } from './stats.js';

const ROUNDS = scaled(5, 2);
const CALLS = scaled(500, 200);
const SUMMARIES = scaled(200, 50);
const CONCURRENCY = 8;
const PACE_MS = 25;
announce('bench:llm', { full: 130, quick: 20 });
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;

const command = [process.execPath, '--import', 'tsx', 'bench/fake-openai-server.ts'];
const pinned = PIN ? ['taskset', '-c', '1', ...command] : command;
const server = spawn(pinned[0]!, pinned.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
const [firstLine] = (await once(server.stdout!, 'data')) as [Buffer];
const baseUrl = firstLine.toString().trim();

const detection: DetectionResponse = {
  camera_id: 'bench',
  model_type: 'yolov8n',
  image: { width: 640, height: 480 },
  objects: Array.from({ length: 6 }, (_, i) => ({
    label: i < 4 ? 'person' : 'car',
    class_id: i < 4 ? 0 : 2,
    score: 0.8,
    box: { x: i * 90, y: 100, width: 60, height: 160 },
  })),
  groups: [{ id: 0, members: [0, 1], size: 2, box: { x: 0, y: 100, width: 150, height: 160 } }],
  timings_ms: { decode: 1, preprocess: 1, inference: 1, postprocess: 1, total: 4 },
};
const config = loadConfig({ ALGO_LLM_BASE_URL: baseUrl, ALGO_LLM_MODEL: 'gpt-bench' });
const client = new ChatCompletionsClient({ baseUrl: config.llm.baseUrl, model: config.llm.model, maxTokens: config.llm.maxTokens });
const body = client.body(await buildMessages(detection, undefined, { template: DEFAULT_PROMPT_TEMPLATE, visionMaxSide: undefined }));
const url = `${baseUrl}/chat/completions`;

async function direct(): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_KEYS.ok}`, 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const answer = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  if (response.status !== 200 || typeof answer.choices[0]?.message.content !== 'string')
    throw new Error(`direct call failed: ${response.status}`);
}

const metrics = createMetrics(config.metrics, { runtime: false });
const router = new KeyRouter({
  maxAttempts: 3,
  breakerThreshold: 3,
  breakerCooldownMs: 30_000,
  recorder: metrics.apiKeys,
  llmRecorder: metrics.llm.forModel('bench', 'gpt-bench'),
});
router.setKeys(['a', 'b', 'c'].map((keyId) => ({ keyId, secret: BENCH_KEYS.ok, rpm: undefined })));
async function routed(): Promise<void> {
  const result = await router.route((lease, signal) => client.complete(body, lease, signal), {
    deadlineMs: Date.now() + 30_000,
    attemptTimeoutMs: 15_000,
  });
  if (!result.ok) throw new Error(`routed call failed: ${result.error}`);
}

/** CALLS pairs, one direct and one routed call back to back (order alternating), so both see the same machine load. */
async function pairedRound(): Promise<{ direct: number[]; router: number[]; diff: number[] }> {
  const times = { direct: [] as number[], router: [] as number[], diff: [] as number[] };
  for (let i = 0; i < CALLS; i++) {
    let start = performance.now();
    await (i % 2 === 0 ? direct() : routed());
    const first = performance.now() - start;
    start = performance.now();
    await (i % 2 === 0 ? routed() : direct());
    const second = performance.now() - start;
    const [d, r] = i % 2 === 0 ? [first, second] : [second, first];
    times.direct.push(d);
    times.router.push(r);
    times.diff.push(r - d);
  }
  return times;
}

console.log(
  `Router overhead: ${ROUNDS} rounds of ${CALLS} back-to-back pairs (direct fetch, routed call; order alternating), keep-alive loopback${PIN ? ', server on core 1, client on core 0' : ''}`,
);
for (let i = 0; i < 200; i++) await (i % 2 === 0 ? direct() : routed()); // warm-up: JIT, sockets
const p50: Record<'direct' | 'router' | 'diff', number[]> = { direct: [], router: [], diff: [] };
for (let round = 0; round < ROUNDS; round++) {
  const times = await pairedRound();
  for (const what of ['direct', 'router', 'diff'] as const) p50[what].push(percentile(times[what], 50));
  console.log(
    `  round ${round + 1}: p50 direct ${fmt(percentile(times.direct, 50), 3)} ms, routed ${fmt(percentile(times.router, 50), 3)} ms, paired difference p50 ${fmt(percentile(times.diff, 50), 3)} ms; p99 ${fmt(percentile(times.direct, 99), 2)} / ${fmt(percentile(times.router, 99), 2)} ms`,
  );
}
console.log(
  `  median over rounds: p50 direct fetch ${fmt(median(p50.direct), 3)} ms, through the router ${fmt(median(p50.router), 3)} ms; router overhead (p50 of paired differences) ${fmt(median(p50.diff), 3)} ms`,
);
printVerdict('router overhead over rounds: median ms', p50.diff, { text: '<= 1 ms', meets: (ms) => ms <= 1 });

// 2. Resilience through the whole summarizer with the default ALGO_LLM_MAX_ATTEMPTS.
const poolConfig = loadConfig({
  ALGO_LLM_BASE_URL: baseUrl,
  ALGO_LLM_MODEL: 'gpt-bench',
  ALGO_LLM_API_KEYS: `limited=${BENCH_KEYS.limited},revoked=${BENCH_KEYS.revoked},healthy=${BENCH_KEYS.ok}`,
});
const poolMetrics = createMetrics(poolConfig.metrics, { runtime: false });
const llm = await createLlmService(poolConfig.llm, poolMetrics, createLogger('error'));
const outcomes = { llm: 0, template: 0 };
const attempts: number[] = [];
const latencies: number[] = [];
const byKey = new Map<string, number>();
const errors = new Map<string, number>();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < SUMMARIES) {
      // Paced arrivals (one per PACE_MS) so the run outlasts the limited key's cooldowns and it is tried again and again.
      const due = started + next++ * PACE_MS - performance.now();
      if (due > 0) await sleep(due);
      const summary = await llm.summarizer.summarize(detection, undefined);
      latencies.push(summary.latency_ms);
      outcomes[summary.source]++;
      attempts.push(summary.attempts);
      if (summary.key_id !== null) byKey.set(summary.key_id, (byKey.get(summary.key_id) ?? 0) + 1);
      if (summary.error !== undefined) errors.set(summary.error, (errors.get(summary.error) ?? 0) + 1);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const keyRequests = (await poolMetrics.registry.getSingleMetric('api_key_requests_total')?.get())?.values
  .map((v) => `${v.labels.key_id}/${v.labels.outcome}=${v.value}`)
  .join(' ');
console.log(
  `Resilience: ${SUMMARIES} summaries arriving every ${PACE_MS} ms, up to ${CONCURRENCY} at a time, max attempts ${poolConfig.llm.maxAttempts}; keys: healthy, limited (429 every other request, no Retry-After), revoked (401)`,
);
console.log(
  `  LLM summaries ${outcomes.llm}/${SUMMARIES} = ${fmt((100 * outcomes.llm) / SUMMARIES, 1)} %, template ${outcomes.template}${errors.size > 0 ? ` (${[...errors].map(([e, n]) => `${e}: ${n}`).join(', ')})` : ''}`,
);
printVerdict('LLM summaries, %', (100 * outcomes.llm) / SUMMARIES, { text: '100 %', meets: (pct) => pct === 100 }, 1);
console.log(
  `  attempts per summary: mean ${fmt(attempts.reduce((a, b) => a + b, 0) / attempts.length, 3)}, max ${Math.max(...attempts)}; answered by ${[...byKey].map(([k, n]) => `${k} ${n}`).join(', ')}`,
);
console.log(
  `  summary latency p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms; ${fmt(SUMMARIES / seconds, 0)} summaries/s`,
);
console.log(`  api_key_requests_total: ${keyRequests}`);
server.kill('SIGTERM');
