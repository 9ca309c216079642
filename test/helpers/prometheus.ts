// Starts a real Prometheus server (Debian package `prometheus`) on a free 127.0.0.1 port
// with a temporary TSDB, scraping the given targets every second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface ScrapeTarget {
  address: string;
  /** Job name; `algo-<index>` when not given. */
  job?: string;
  metricsPath?: string;
  bearerToken?: string;
  /** Scrape over HTTPS, trusting this PEM CA file. */
  caFile?: string;
  /** Scrape timeout, seconds (default 1, the interval). */
  timeoutSeconds?: number;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TargetHealth {
  health: string;
  lastError: string;
  scrapeUrl: string;
}

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<PromSample[]>;
  targets(): Promise<TargetHealth[]>;
  stop(): Promise<void>;
}

function scrapeConfig(target: ScrapeTarget, index: number): string {
  return [
    `  - job_name: ${target.job ?? `algo-${index}`}`,
    `    scrape_interval: 1s`,
    `    scrape_timeout: ${target.timeoutSeconds ?? 1}s`,
    `    metrics_path: ${target.metricsPath ?? '/metrics'}`,
    ...(target.bearerToken === undefined ? [] : [`    authorization:`, `      credentials: ${target.bearerToken}`]),
    ...(target.caFile === undefined ? [] : [`    scheme: https`, `    tls_config:`, `      ca_file: ${target.caFile}`]),
    `    static_configs:`,
    `      - targets: ['${target.address}']`,
  ].join('\n');
}

export async function startPrometheus(targets: ScrapeTarget[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-prom-'));
  const port = await freePort();
  const config = `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${targets.map(scrapeConfig).join('\n')}\n`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor('prometheus to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`prometheus did not start: ${String(error)}\n${output}`);
  }

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  return {
    url,
    async query(expr) {
      const data = await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result;
    },
    async targets() {
      const data = await api<{ activeTargets: TargetHealth[] }>('/api/v1/targets');
      return data.activeTargets;
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
