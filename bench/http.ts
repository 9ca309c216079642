// npm run bench:http — prints figures, asserts nothing.
// 1. Throughput of a trivial JSON route on the real service process with metrics on vs
//    ALGO_ENABLE_PROMETHEUS=false, alternating runs in one invocation.
// 2. /metrics render time at about 1k and 10k series: algo's renderer vs prom-client's own.
// 3. What access control costs: GET /healthz (public) and GET /api/v1/cameras (scope read)
//    from loopback without a token (ALGO_API_AUTH=loopback) and with a bearer token
//    (ALGO_API_AUTH=tokens), alternating. BENCH_ONLY=access runs this part alone.
// 4. Side by side (bench/http-versus.ts): GET /healthz and an unmatched route on algo vs a bare
//    Fastify server, and vs another checkout named by BENCH_BASELINE (e.g. a worktree of an
//    older commit), load by wrk. BENCH_ONLY=versus runs this part alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { AccessControl } from '../src/auth/access-control.js';
import { parseTokenList } from '../src/auth/api-tokens.js';
import { RateLimitedLog } from '../src/log/rate-limited-log.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { renderMetrics } from '../src/metrics/render.js';
import { freePort } from '../test/helpers/ports.js';
import { waitFor } from '../test/helpers/wait.js';
import { versus } from './http-versus.js';
import { announce, scaled } from './quick.js';
import { fmt, median, printVerdict } from './stats.js';

// Throughput on a shared 2-core machine varies ±8 % between runs: enough rounds for a stable median.
const ROUNDS = scaled(9, 3);
const DURATION_S = scaled(5, 2);
const CONNECTIONS = 32;
announce('bench:http', { full: 430, quick: 110 });
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;

async function startServer(metricsEnabled: boolean, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const command = [process.execPath, '--import', 'tsx', 'src/cli/serve.ts'];
  // Server on core 1, load generator (this process) on core 0: the two do not trade places
  // mid-run, which otherwise moves the figures by several percent between runs.
  const pinned = PIN ? ['taskset', '-c', '1', ...command] : command;
  const child = spawn(pinned[0]!, pinned.slice(1), {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ALGO_ENABLE_PROMETHEUS: String(metricsEnabled), ...env },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('server', async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 20_000, 100);
  return { url, child };
}

async function load(url: string, seconds: number, path = '/api/v1/info', headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench run had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result.requests.average;
}

async function throughput(): Promise<void> {
  const runs: Record<'on' | 'off', number[]> = { on: [], off: [] };
  console.log(
    `HTTP throughput, GET /api/v1/info, ${CONNECTIONS} connections, ${DURATION_S}s per run, ${ROUNDS} alternating rounds${PIN ? ', server pinned to core 1, load to core 0' : ''}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<'on' | 'off'> = round % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    for (const mode of order) {
      const server = await startServer(mode === 'on');
      await load(server.url, 1); // warm-up: JIT and connection set-up
      const rps = await load(server.url, DURATION_S);
      server.child.kill('SIGTERM');
      runs[mode].push(rps);
      console.log(`  round ${round + 1} metrics ${mode.padEnd(3)} ${fmt(rps, 0)} req/s`);
    }
  }
  const on = median(runs.on);
  const off = median(runs.off);
  console.log(`  median: metrics on ${fmt(on, 0)} req/s, metrics off ${fmt(off, 0)} req/s, ratio on/off ${fmt(on / off, 3)}`);
  const ratios = runs.on.map((rps, i) => rps / runs.off[i]!);
  printVerdict('metrics on / off, paired rounds: median', ratios, { text: '>= 0.95', meets: (r) => r >= 0.95 });
}

function populate(combinations: number) {
  const metrics = createMetrics({ maxCameras: 100, apiKeyWindowSeconds: 300 });
  const statuses = [200, 201, 400, 404, 500];
  for (let i = 0; i < combinations; i++) {
    metrics.http.requestStarted();
    metrics.http.requestFinished(
      i % 2 === 0 ? 'GET' : 'POST',
      `/api/v1/route${Math.floor(i / statuses.length)}`,
      statuses[i % statuses.length]!,
      0.001 * (i % 50),
    );
  }
  return metrics;
}

/** Each run's time in ms. */
async function time(fn: () => Promise<string>, runs: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function renderTimes(): Promise<void> {
  console.log('/metrics render time (median of 50 renders)');
  for (const combinations of [55, 585]) {
    const metrics = populate(combinations);
    const text = await renderMetrics(metrics.registry, 'prometheus');
    const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    const ours = await time(() => renderMetrics(metrics.registry, 'prometheus'), 50);
    const openMetrics = median(await time(() => renderMetrics(metrics.registry, 'openmetrics'), 50));
    const promClient = median(await time(() => metrics.registry.metrics(), 50));
    console.log(
      `  ${series} series: algo ${fmt(median(ours))} ms, algo OpenMetrics ${fmt(openMetrics)} ms, prom-client registry.metrics() ${fmt(promClient)} ms`,
    );
    if (combinations === 585) {
      printVerdict(`algo render at ${series} series (about 1k): median ms`, ours, { text: '<= 5 ms at 1k', meets: (ms) => ms <= 5 }, 2);
    }
  }
}

/** What the per-request hooks cost on their own, without the noise of a loaded server. */
function perRequestCost(): void {
  const metrics = createMetrics({ maxCameras: 100, apiKeyWindowSeconds: 300 }, { runtime: false });
  const requests = 2_000_000;
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < requests; i++) {
      metrics.http.requestStarted();
      metrics.http.requestFinished('GET', '/api/v1/info', 200, 0.0004 + (i & 7) * 1e-5);
    }
    samples.push(((performance.now() - start) * 1e6) / requests);
  }
  console.log(`HTTP instrumentation per request (requestStarted + requestFinished, in-process): ${fmt(median(samples), 0)} ns`);
}

const BENCH_TOKEN = 'bench-read-token-5c0f2a9e7b1d4e63';

/** The access decision alone, in-process: what every protected request pays (public routes pay nothing). */
function accessCheckCost(): void {
  const logger = createLogger('silent');
  const metrics = createMetrics({ maxCameras: 100, apiKeyWindowSeconds: 300 }, { runtime: false });
  const throttle = { maxFailures: 10, windowMs: 60_000, maxClients: 10_000 };
  const access = (mode: 'tokens' | 'loopback', tokenCount: number): AccessControl => {
    const parsed = parseTokenList(
      Array.from({ length: tokenCount }, (_, i) => `client${i}:read=${i === 0 ? BENCH_TOKEN : `other-token-${i}-0123456789abcdef`}`).join(
        ',',
      ),
    );
    if (!parsed.ok) throw new Error(parsed.problem);
    return new AccessControl({
      config: { mode, tokens: parsed.tokens, tokensFile: undefined, throttle },
      metricsToken: undefined,
      recorder: metrics.auth,
      throttledLog: new RateLimitedLog(logger, { intervalMs: 60_000 }),
      logger,
    });
  };
  const header = `Bearer ${BENCH_TOKEN}`;
  for (const [label, control, address] of [
    ['loopback mode, loopback client, no token', access('loopback', 1), '127.0.0.1'],
    ['tokens mode, bearer token, 1 token configured', access('tokens', 1), '10.0.0.7'],
    ['tokens mode, bearer token, 10 tokens configured', access('tokens', 10), '10.0.0.7'],
  ] as const) {
    const calls = 1_000_000;
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) if (!control.check('read', address, header, '/api/v1/cameras').ok) throw new Error('refused');
      samples.push(((performance.now() - start) * 1e6) / calls);
    }
    console.log(`Access check per request (${label}, in-process): ${fmt(median(samples), 0)} ns`);
  }
}
const ACCESS_MODES = {
  'loopback, no token': { env: { ALGO_API_AUTH: 'loopback' }, headers: {} },
  'tokens, bearer': {
    env: { ALGO_API_AUTH: 'tokens', ALGO_API_TOKENS: `bench:read=${BENCH_TOKEN}` },
    headers: { authorization: `Bearer ${BENCH_TOKEN}` },
  },
} as const;

/** Throughput of a public route and a scoped one, per access mode (one disabled camera, so no ffmpeg runs). */
async function accessThroughput(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-bench-'));
  const camerasFile = join(dir, 'cameras.yml');
  await writeFile(camerasFile, 'cameras:\n  - id: bench\n    url: rtsp://127.0.0.1:1/none\n    enabled: false\n');
  const modes = Object.keys(ACCESS_MODES) as Array<keyof typeof ACCESS_MODES>;
  const runs = new Map<string, number[]>();
  console.log(`Access control, ${CONNECTIONS} connections, ${DURATION_S}s per run, ${ROUNDS} alternating rounds`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const { env, headers } = ACCESS_MODES[mode];
      const server = await startServer(true, { ...env, ALGO_CAMERAS_FILE: camerasFile });
      for (const path of ['/healthz', '/api/v1/cameras']) {
        await load(server.url, 1, path, headers);
        const rps = await load(server.url, DURATION_S, path, headers);
        const key = `GET ${path} (${mode})`;
        runs.set(key, [...(runs.get(key) ?? []), rps]);
        console.log(`  round ${round + 1} ${key.padEnd(42)} ${fmt(rps, 0)} req/s`);
      }
      server.child.kill('SIGTERM');
    }
  }
  for (const [key, values] of runs) console.log(`  median ${key.padEnd(42)} ${fmt(median(values), 0)} req/s`);
  await rm(dir, { recursive: true, force: true });
}

if (process.env.BENCH_ONLY === 'access') {
  accessCheckCost();
  await accessThroughput();
} else if (process.env.BENCH_ONLY === 'versus') {
  await versus(scaled(5, 2), DURATION_S);
} else {
  await renderTimes();
  perRequestCost();
  await throughput();
  accessCheckCost();
  await accessThroughput();
  await versus(scaled(5, 2), DURATION_S);
}
