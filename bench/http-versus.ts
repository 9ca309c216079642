// bench:http's side-by-side part: GET /healthz and an unmatched route on algo (this tree),
// a bare Fastify server (bench/bare-fastify.ts: no hooks, no logger, no metrics) and, when
// BENCH_BASELINE names another checkout of algo (with its node_modules), that checkout — in
// one run, rounds alternating the order, each server pinned to core 1 and the load generator
// (wrk when installed, else autocannon) to core 0. Prints req/s per round, medians, and the
// ratios: algo / bare Fastify on /healthz (target >= 0.8) and algo / baseline per route
// (target >= 0.95), so a regression shows as a ratio.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/ports.js';
import { waitFor } from '../test/helpers/wait.js';
import { cpuSecondsOfPid } from './cpu-time.js';
import { fmt, median, printVerdict } from './stats.js';

interface Target {
  name: string;
  command: string[];
  cwd: string;
  routes: string[];
}

const CONNECTIONS = 32;
const UNMATCHED = '/no/such/route';
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
const WRK = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

function pinned(core: number, command: string[]): string[] {
  return PIN ? ['taskset', '-c', String(core), ...command] : command;
}

async function start(target: Target): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const command = pinned(1, target.command);
  const child = spawn(command[0]!, command.slice(1), {
    cwd: target.cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ALGO_SHUTDOWN_DELAY_MS: '0' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(target.name, async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined), 30_000, 100);
  return { url, child };
}

/**
 * Requests per second answered at `url` over `seconds` (any status: an unmatched route answers
 * 404), and the server's CPU microseconds per request: the steadier figure when other work
 * shares the machine (req/s swings with it, the CPU a request costs much less).
 */
async function load(url: string, seconds: number, server: ChildProcess): Promise<{ rps: number; cpuUs: number }> {
  const cpu0 = cpuSecondsOfPid(server.pid);
  let rps: number;
  let requests: number;
  if (WRK) {
    const command = pinned(0, ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url]);
    const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
    const match = /Requests\/sec:\s+([\d.]+)/.exec(run.stdout);
    const total = /(\d+) requests in/.exec(run.stdout);
    if (run.status !== 0 || match === null || total === null) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
    if (/Socket errors/.test(run.stdout)) throw new Error(`wrk reported socket errors: ${run.stdout}`);
    rps = Number(match[1]);
    requests = Number(total[1]);
  } else {
    const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
    if (result.errors > 0) throw new Error(`bench run had ${result.errors} errors`);
    rps = result.requests.average;
    requests = result.requests.total;
  }
  return { rps, cpuUs: ((cpuSecondsOfPid(server.pid) - cpu0) * 1e6) / requests };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** Runs the side-by-side; `rounds` alternating rounds of `seconds` per route and server. */
export async function versus(rounds: number, seconds: number): Promise<void> {
  const tsx = ['--import', 'tsx', 'src/cli/serve.ts'];
  const targets: Target[] = [
    { name: 'algo', command: [process.execPath, ...tsx], cwd: process.cwd(), routes: ['/healthz', UNMATCHED] },
    {
      name: 'bare Fastify',
      command: [process.execPath, '--import', 'tsx', 'bench/bare-fastify.ts'],
      cwd: process.cwd(),
      routes: ['/healthz'],
    },
  ];
  const baselineDir = process.env.BENCH_BASELINE;
  if (baselineDir !== undefined && baselineDir !== '') {
    const dir = resolve(baselineDir);
    const revision = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    targets.push({ name: `baseline ${revision || dir}`, command: [process.execPath, ...tsx], cwd: dir, routes: ['/healthz', UNMATCHED] });
  }
  console.log(
    `Side by side, ${CONNECTIONS} connections, ${seconds}s per run, ${rounds} alternating rounds, load by ${WRK ? 'wrk' : 'autocannon'}` +
      `${PIN ? ', server on core 1, load on core 0' : ''}`,
  );
  const runs = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const server = await start(target);
      try {
        for (const route of target.routes) {
          await load(`${server.url}${route}`, 1, server.child); // warm-up: JIT, connections
          const { rps, cpuUs } = await load(`${server.url}${route}`, seconds, server.child);
          const key = `${target.name} GET ${route}`;
          runs.set(key, [...(runs.get(key) ?? []), rps]);
          cpu.set(key, [...(cpu.get(key) ?? []), cpuUs]);
          console.log(`  round ${round + 1} ${key.padEnd(44)} ${fmt(rps, 0).padStart(6)} req/s, server CPU ${fmt(cpuUs, 1)} µs/request`);
        }
      } finally {
        await stop(server.child);
      }
    }
  }
  for (const [key, values] of runs)
    console.log(
      `  median ${key.padEnd(44)} ${fmt(median(values), 0).padStart(6)} req/s, server CPU ${fmt(median(cpu.get(key) ?? []), 1)} µs/request`,
    );
  const paired = (a: string, b: string): number[] => (runs.get(a) ?? []).map((value, i) => value / (runs.get(b)?.[i] ?? NaN));
  // The same ratios from CPU per request (b's cost over a's: above 1 means a is cheaper).
  const pairedCpu = (a: string, b: string): number[] => (cpu.get(b) ?? []).map((value, i) => value / (cpu.get(a)?.[i] ?? NaN));
  const cpuLine = (label: string, a: string, b: string): void => {
    const ratios = pairedCpu(a, b);
    console.log(`  (by server CPU per request) ${label}: median ${fmt(median(ratios), 3)} over ${ratios.length}`);
  };
  printVerdict('algo / bare Fastify, GET /healthz, paired rounds: median', paired('algo GET /healthz', 'bare Fastify GET /healthz'), {
    text: '>= 0.8',
    meets: (ratio) => ratio >= 0.8,
  });
  cpuLine('algo / bare Fastify, GET /healthz', 'algo GET /healthz', 'bare Fastify GET /healthz');
  const baseline = targets[2];
  if (baseline === undefined) return;
  for (const route of ['/healthz', UNMATCHED]) {
    printVerdict(
      `algo / ${baseline.name}, GET ${route}, paired rounds: median`,
      paired(`algo GET ${route}`, `${baseline.name} GET ${route}`),
      {
        text: '>= 0.95',
        meets: (ratio) => ratio >= 0.95,
      },
    );
    cpuLine(`algo / ${baseline.name}, GET ${route}`, `algo GET ${route}`, `${baseline.name} GET ${route}`);
  }
}
