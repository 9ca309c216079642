// What the doctor reads from Prometheus' HTTP API: active targets, the loaded configuration,
// instant queries; and how a target's address is matched to the algo being checked.
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { jsonOf, probe } from '../http-probe.js';

export interface ApiTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

export interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  scheme?: string;
  authorization?: unknown;
  bearer_token?: unknown;
  bearer_token_file?: unknown;
}

export interface PromConfig {
  global?: { scrape_interval?: string; scrape_timeout?: string };
  scrape_configs?: ScrapeConfig[];
}

export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0', 'host.docker.internal', hostname().toLowerCase()]);

function hostPort(url: URL): { host: string; port: string } {
  return { host: url.hostname.toLowerCase(), port: url.port || (url.protocol === 'https:' ? '443' : '80') };
}

/** Whether a target address (`host:port`) is the algo the doctor was pointed at. */
export function addressMatches(address: string, metricsUrl: string): boolean {
  const want = hostPort(new URL(metricsUrl));
  const colon = address.lastIndexOf(':');
  const host = (colon < 0 ? address : address.slice(0, colon)).toLowerCase();
  const port = colon < 0 ? '80' : address.slice(colon + 1);
  if (port !== want.port) return false;
  return host === want.host || (LOCAL_HOSTS.has(host) && LOCAL_HOSTS.has(want.host));
}

/** A Prometheus duration ("15s", "1m30s") in seconds. */
export function seconds(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined;
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) {
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[unit as 'ms'];
  }
  return total;
}

export const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export const jobOf = (t: ApiTarget): string => t.labels.job ?? t.scrapePool;
export const addressOf = (t: ApiTarget): string => t.discoveredLabels.__address__ ?? t.labels.instance ?? '';

/** The configuration Prometheus has loaded, or undefined when it cannot be read. */
export async function readConfig(base: string, timeoutMs: number): Promise<PromConfig | undefined> {
  const answer = await probe(`${base}/api/v1/status/config`, { timeoutMs });
  try {
    const yamlText = answer.ok ? jsonOf<{ data?: { yaml?: string } }>(answer)?.data?.yaml : undefined;
    return yamlText === undefined ? undefined : (parseYaml(yamlText) as PromConfig);
  } catch {
    return undefined;
  }
}

/** The active targets; none when the API does not answer. */
export async function readTargets(base: string, timeoutMs: number): Promise<ApiTarget[]> {
  const answer = await probe(`${base}/api/v1/targets?state=active`, { timeoutMs });
  return answer.ok ? (jsonOf<{ data?: { activeTargets?: ApiTarget[] } }>(answer)?.data?.activeTargets ?? []) : [];
}

/** An instant query's result, or the error text. */
export async function query(base: string, timeoutMs: number, expr: string): Promise<QueryResult[] | string> {
  const answer = await probe(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, { timeoutMs });
  if (!answer.ok) return answer.message;
  const body = jsonOf<{ status: string; error?: string; data?: { result?: QueryResult[] } }>(answer);
  if (body?.status !== 'success') return body?.error ?? `HTTP ${answer.status}`;
  return body.data?.result ?? [];
}
