// The doctor's Prometheus group: is it up, which job scrapes algo, with what settings, is the
// target healthy (and if not, why), and do the old dashboards' queries return data.
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { checksFor, type CheckResult } from './check.js';
import type { ExpositionFamily } from './exposition.js';
import { firstEventOf } from './first-event.js';
import { jsonOf, probe } from './http-probe.js';
import type { DoctorOptions } from './options.js';
import { familyOfSeries } from './promql-names.js';
import { classifyScrapeError } from './scrape-errors.js';
import { unreachable } from './algo-checks.js';

interface ApiTarget {
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

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  scheme?: string;
  authorization?: unknown;
  bearer_token?: unknown;
  bearer_token_file?: unknown;
}

interface PromConfig {
  global?: { scrape_interval?: string; scrape_timeout?: string };
  scrape_configs?: ScrapeConfig[];
}

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** The queries the old Grafana dashboards ran; `$SEL` becomes the job selector. */
export const OLD_DASHBOARD_QUERIES: Array<{ shown: string; expr: string; metric: string }> = [
  { shown: 'process_resident_memory_bytes', expr: 'process_resident_memory_bytes{$SEL}', metric: 'process_resident_memory_bytes' },
  { shown: 'rate(process_cpu_seconds_total[1m])', expr: 'rate(process_cpu_seconds_total{$SEL}[1m])', metric: 'process_cpu_seconds_total' },
  { shown: 'rate(http_requests_total[1m])', expr: 'rate(http_requests_total{$SEL}[1m])', metric: 'http_requests_total' },
  { shown: 'rate(detection_total[1m])', expr: 'rate(detection_total{$SEL}[1m])', metric: 'detection_total' },
  { shown: 'histogram_quantile(0.95, rate(llm_latency_seconds_bucket[5m]))', expr: 'histogram_quantile(0.95, rate(llm_latency_seconds_bucket{$SEL}[5m]))', metric: 'llm_latency_seconds_bucket' },
  { shown: 'avg(api_key_success_rate) by (key_id)', expr: 'avg(api_key_success_rate{$SEL}) by (key_id)', metric: 'api_key_success_rate' },
];

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

function seconds(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined;
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) {
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[unit as 'ms'];
  }
  return total;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export interface PrometheusFindings {
  results: CheckResult[];
  /** The job the checks looked at, once known. */
  job: string | undefined;
}

export async function checkPrometheus(options: DoctorOptions, live: { families: Map<string, ExpositionFamily> | undefined; renderMs: number | undefined }): Promise<PrometheusFindings> {
  const { results, add } = checksFor('prometheus');
  const base = options.prometheus;
  const timeoutMs = options.timeoutMs;

  const ready = await probe(`${base}/-/ready`, { timeoutMs });
  if (!ready.ok) {
    add('reachable', 'Prometheus reachable', 'fail', `${base} unreachable`, unreachable('Prometheus', base, ready, 'start Prometheus (docker compose -f deploy/docker-compose.infra.yml up -d: port 9100; Debian\'s package: 9090), or pass --prometheus'));
    return { results, job: options.job };
  }
  if (ready.status !== 200) {
    add('reachable', 'Prometheus reachable', 'fail', `/-/ready answered ${ready.status}`, { cause: ready.status === 404 ? `${base} is not Prometheus` : 'Prometheus is starting or unhealthy', fix: 'wait for it to start, or pass --prometheus with its URL' });
    return { results, job: options.job };
  }
  add('reachable', 'Prometheus reachable', 'pass', `${base} ready`);

  const targetsAnswer = await probe(`${base}/api/v1/targets?state=active`, { timeoutMs });
  const targets = targetsAnswer.ok ? (jsonOf<{ data?: { activeTargets?: ApiTarget[] } }>(targetsAnswer)?.data?.activeTargets ?? []) : [];
  const addressOf = (t: ApiTarget): string => t.discoveredLabels.__address__ ?? t.labels.instance ?? '';
  let job = options.job;
  let how = 'from --job';
  if (job === undefined) {
    // Several jobs may point at algo's address (one of them misconfigured): prefer a healthy
    // target, then the job named `algo`.
    const rank = (t: ApiTarget): number => (t.health === 'up' ? 0 : 2) + ((t.labels.job ?? t.scrapePool) === 'algo' ? 0 : 1);
    const matching = targets.filter((t) => addressMatches(addressOf(t), options.metricsUrl)).sort((a, b) => rank(a) - rank(b))[0];
    job = matching?.labels.job ?? matching?.scrapePool ?? 'algo';
    how = matching === undefined ? 'default (no target matches algo\'s address)' : `its target ${addressOf(matching)} matches ${new URL(options.metricsUrl).host}`;
  }
  const jobTargets = targets.filter((t) => (t.labels.job ?? t.scrapePool) === job);
  if (jobTargets.length === 0) {
    const jobs = [...new Set(targets.map((t) => t.labels.job ?? t.scrapePool))];
    add('job', 'a scrape job for algo', 'fail', `no active target in job "${job}" (${how})`, {
      cause: jobs.length === 0 ? 'Prometheus scrapes nothing: its configuration has no scrape_configs' : `Prometheus has jobs ${jobs.map((j) => `"${j}"`).join(', ')}, none named "${job}" nor pointing at ${new URL(options.metricsUrl).host}`,
      fix: 'add the algo job from deploy/prometheus/prometheus.yml (with a target file naming algo\'s host:port) and reload Prometheus, or pass --job',
    });
    return { results, job };
  }
  add('job', 'a scrape job for algo', 'pass', `job "${job}" (${how}), ${jobTargets.length} target(s): ${jobTargets.map(addressOf).join(', ')}`);

  const configAnswer = await probe(`${base}/api/v1/status/config`, { timeoutMs });
  let config: PromConfig | undefined;
  try {
    const yamlText = configAnswer.ok ? jsonOf<{ data?: { yaml?: string } }>(configAnswer)?.data?.yaml : undefined;
    config = yamlText === undefined ? undefined : (parseYaml(yamlText) as PromConfig);
  } catch {
    config = undefined;
  }
  const scrapeConfig = config?.scrape_configs?.find((c) => c.job_name === job);
  const interval = seconds(scrapeConfig?.scrape_interval ?? config?.global?.scrape_interval ?? jobTargets[0]?.scrapeInterval);
  const timeout = seconds(scrapeConfig?.scrape_timeout ?? config?.global?.scrape_timeout ?? jobTargets[0]?.scrapeTimeout);
  const metricsPath = scrapeConfig?.metrics_path ?? jobTargets[0]?.discoveredLabels.__metrics_path__ ?? '/metrics';
  const hasAuth = scrapeConfig?.authorization !== undefined || scrapeConfig?.bearer_token !== undefined || scrapeConfig?.bearer_token_file !== undefined;
  const settings = `scrape_interval ${interval ?? '?'} s, scrape_timeout ${timeout ?? '?'} s, metrics_path ${metricsPath}, ${hasAuth ? 'with' : 'no'} authorization`;
  const expectedPath = new URL(options.metricsUrl).pathname;
  if (scrapeConfig === undefined) add('scrape_config', 'scrape settings', 'warn', `job "${job}" not found in /api/v1/status/config; from the target: ${settings}`, { cause: 'the configuration could not be read', fix: 'check Prometheus\' configuration page' });
  else if (metricsPath !== expectedPath) add('scrape_config', 'scrape settings', 'fail', settings, { cause: `the job scrapes ${metricsPath} but algo serves metrics at ${expectedPath}`, fix: `set metrics_path: ${expectedPath} in job "${job}"` });
  else if (interval !== undefined && interval > 60) add('scrape_config', 'scrape settings', 'warn', settings, { cause: 'a scrape interval over 1 m leaves rate(…[1m]) panels empty', fix: 'scrape every 15 s (deploy/prometheus/prometheus.yml)' });
  else add('scrape_config', 'scrape settings', 'pass', settings);

  const renderSeconds = live.renderMs === undefined ? undefined : live.renderMs / 1000;
  for (const target of jobTargets) {
    const address = addressOf(target);
    const title = `target ${address} health`;
    if (target.health === 'up') {
      const took = target.lastScrapeDuration;
      if (timeout !== undefined && took > timeout / 2) {
        add(`target.${address}`, title, 'warn', `up, but the last scrape took ${took.toFixed(2)} s of a ${timeout} s timeout`, { cause: 'scrapes are close to timing out', fix: 'raise scrape_timeout, or reduce series / find what blocks algo\'s event loop' });
      } else add(`target.${address}`, title, 'pass', `up, last scrape took ${(took * 1000).toFixed(1)} ms`);
    } else if (target.health === 'unknown') {
      add(`target.${address}`, title, 'warn', 'not scraped yet', { cause: 'the target was just added', fix: `wait one scrape_interval (${interval ?? '?'} s) and run the doctor again` });
    } else {
      const diagnosis = classifyScrapeError(target.lastError, { address, metricsPath, scrapeTimeoutSeconds: timeout, algoRenderSeconds: renderSeconds });
      const { kind, ...rest } = diagnosis;
      add(`target.${address}`, title, 'fail', `down (${kind}): ${target.lastError}`, rest);
    }
  }

  async function query(expr: string): Promise<QueryResult[] | string> {
    const answer = await probe(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, { timeoutMs });
    if (!answer.ok) return answer.message;
    const body = jsonOf<{ status: string; error?: string; data?: { result?: QueryResult[] } }>(answer);
    if (body?.status !== 'success') return body?.error ?? `HTTP ${answer.status}`;
    return body.data?.result ?? [];
  }

  const sel = `job="${escapeLabel(job)}"`;
  const up = await query(`up{${sel}}`);
  if (typeof up === 'string') add('up', `up{job="${job}"}`, 'fail', up, { cause: 'the query failed', fix: 'check Prometheus\' log' });
  else if (up.length === 0) add('up', `up{job="${job}"}`, 'fail', 'no series', { cause: 'Prometheus has not scraped the job yet', fix: 'wait one scrape_interval' });
  else {
    const down = up.filter((s) => s.value[1] !== '1').map((s) => s.metric.instance ?? '?');
    add('up', `up{job="${job}"}`, down.length === 0 ? 'pass' : 'fail', down.length === 0 ? `1 for ${up.length} target(s)` : `0 for ${down.join(', ')}`, down.length === 0 ? undefined : { cause: 'the scrape fails (see the target health above)', fix: 'fix the target error above' });
  }
  const targetUp = Array.isArray(up) && up.some((s) => s.value[1] === '1');

  for (const old of OLD_DASHBOARD_QUERIES) {
    const id = `query.${old.metric}`;
    const result = await query(old.expr.replace('$SEL', sel));
    if (typeof result === 'string') {
      add(id, old.shown, 'fail', result, { cause: 'Prometheus rejected the query', fix: 'check the Prometheus version (2.x or newer)' });
      continue;
    }
    const values = result.filter((s) => !Number.isNaN(Number(s.value[1])));
    if (values.length > 0) {
      add(id, old.shown, 'pass', `${values.length} series, e.g. ${Number(values[0]?.value[1]).toPrecision(4)}`);
      continue;
    }
    const family = live.families === undefined ? undefined : familyOfSeries(old.metric, live.families);
    const liveSamples = family === undefined ? undefined : live.families?.get(family)?.samples.length;
    const firstEvent = firstEventOf(old.metric);
    if (liveSamples === 0 && firstEvent !== undefined) {
      add(id, old.shown, 'pass', `no data yet: ${firstEvent}`);
    } else if (!targetUp) {
      add(id, old.shown, 'fail', 'no data', { cause: 'Prometheus is not scraping algo (see the target health above)', fix: 'fix the scrape first' });
    } else if (result.length > 0 && firstEvent !== undefined) {
      add(id, old.shown, 'pass', `no data in the last 5 m: ${firstEvent.replace('since algo started', 'recently')}`);
    } else {
      const raw = await query(`count(${old.metric}{${sel}})`);
      const stored = Array.isArray(raw) && raw.length > 0;
      if (stored) add(id, old.shown, 'warn', 'no data yet', { cause: 'rate() needs two samples inside its range: too few scrapes so far', fix: `wait two scrape intervals (${interval ?? '?'} s each)` });
      else {
        add(id, old.shown, 'warn', `algo exports ${old.metric} now, Prometheus has stored none for job "${job}" yet`, {
          cause: 'its first sample came after the last scrape, or metric_relabel_configs drop it',
          fix: `run the doctor again after the next scrape (${interval ?? '?'} s); if it stays empty, check job "${job}"'s metric_relabel_configs`,
        });
      }
    }
  }
  return { results, job };
}
