// The doctor's Prometheus group: is it up, which job scrapes algo, with what settings, is the
// target healthy (and if not, why), and do the old dashboards' queries return data.
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { maskUrl } from '../cameras/mask-url.js';
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
  {
    shown: 'histogram_quantile(0.95, rate(llm_latency_seconds_bucket[5m]))',
    expr: 'histogram_quantile(0.95, rate(llm_latency_seconds_bucket{$SEL}[5m]))',
    metric: 'llm_latency_seconds_bucket',
  },
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

/** What the algo checks learnt that the Prometheus checks use. */
export interface LiveAlgo {
  families: Map<string, ExpositionFamily> | undefined;
  renderMs: number | undefined;
  slowerThanMs?: number;
  requiresToken?: boolean;
}

const jobOf = (t: ApiTarget): string => t.labels.job ?? t.scrapePool;
const addressOf = (t: ApiTarget): string => t.discoveredLabels.__address__ ?? t.labels.instance ?? '';

async function readConfig(base: string, timeoutMs: number): Promise<PromConfig | undefined> {
  const answer = await probe(`${base}/api/v1/status/config`, { timeoutMs });
  try {
    const yamlText = answer.ok ? jsonOf<{ data?: { yaml?: string } }>(answer)?.data?.yaml : undefined;
    return yamlText === undefined ? undefined : (parseYaml(yamlText) as PromConfig);
  } catch {
    return undefined;
  }
}

/**
 * The job the dashboard and alerts should see: `--job`, else `algo` when Prometheus has it
 * (the shipped files select job="algo"), else the job of a target at algo's address.
 */
function chooseJob(options: DoctorOptions, targets: ApiTarget[], config: PromConfig | undefined): { job: string; how: string } {
  if (options.job !== undefined) return { job: options.job, how: 'from --job' };
  const configured = new Set([...targets.map(jobOf), ...(config?.scrape_configs ?? []).map((c) => c.job_name)]);
  if (configured.has('algo')) return { job: 'algo', how: 'the job the shipped dashboard and alerts select' };
  const matching = targets.find((t) => addressMatches(addressOf(t), options.metricsUrl));
  if (matching !== undefined)
    return { job: jobOf(matching), how: `its target ${addressOf(matching)} matches ${new URL(options.metricsUrl).host}` };
  return { job: 'algo', how: "default (no target matches algo's address)" };
}

export async function checkPrometheus(options: DoctorOptions, live: LiveAlgo): Promise<PrometheusFindings> {
  const { results, add } = checksFor('prometheus');
  const base = options.prometheus;
  const timeoutMs = options.timeoutMs;

  const ready = await probe(`${base}/-/ready`, { timeoutMs });
  if (!ready.ok) {
    add(
      'reachable',
      'Prometheus reachable',
      'fail',
      `${base} unreachable`,
      unreachable(
        'Prometheus',
        base,
        ready,
        'start Prometheus: docker compose -f deploy/docker-compose.infra.yml up -d (port 9100), or without Docker bash scripts/prometheus-local.sh (port 9100); or pass --prometheus with its URL',
      ),
    );
    return { results, job: options.job };
  }
  if (ready.status !== 200) {
    const notPrometheus = ready.status === 404;
    add('reachable', 'Prometheus reachable', 'fail', `/-/ready answered ${ready.status}`, {
      cause: notPrometheus ? `${base} is not Prometheus` : 'Prometheus is starting or unhealthy',
      fix: notPrometheus ? "pass --prometheus with Prometheus' URL" : 'wait for it to start, and read its log',
    });
    return { results, job: options.job };
  }
  add('reachable', 'Prometheus reachable', 'pass', `${base} ready`);

  const config = await readConfig(base, timeoutMs);
  const targetsAnswer = await probe(`${base}/api/v1/targets?state=active`, { timeoutMs });
  const targets = targetsAnswer.ok ? (jsonOf<{ data?: { activeTargets?: ApiTarget[] } }>(targetsAnswer)?.data?.activeTargets ?? []) : [];
  const { job, how } = chooseJob(options, targets, config);
  const scrapeConfig = config?.scrape_configs?.find((c) => c.job_name === job);
  const jobTargets = targets.filter((t) => jobOf(t) === job);
  if (jobTargets.length === 0) {
    if (scrapeConfig !== undefined) {
      add('job', 'a scrape job for algo', 'warn', `job "${job}" is configured but has no target discovered yet`, {
        cause: "Prometheus has just started or reloaded, or the job's target file is empty",
        fix: "wait a few seconds and run the doctor again; if it stays empty, check the job's targets (file_sd files, static_configs)",
      });
      return { results, job };
    }
    const jobs = [...new Set(targets.map(jobOf))];
    const here = new URL(options.metricsUrl).host;
    add('job', 'a scrape job for algo', 'fail', `no job "${job}" (${how})`, {
      cause:
        jobs.length === 0
          ? 'Prometheus scrapes nothing: its configuration has no scrape_configs'
          : `Prometheus has jobs ${jobs.map((j) => `"${j}"`).join(', ')}; none is "${job}"${options.job === undefined ? ` and none has a target at ${here}` : ''}`,
      fix: "add the algo job from deploy/prometheus/prometheus.yml (with a target file naming algo's host:port) and reload Prometheus, or pass --job",
    });
    return { results, job };
  }
  add(
    'job',
    'a scrape job for algo',
    'pass',
    `job "${job}" (${how}), ${jobTargets.length} target(s): ${jobTargets.map(addressOf).join(', ')}`,
  );
  if (job !== 'algo') {
    add('job_name', 'job name the dashboard and alerts select', 'warn', `the job is "${job}"`, {
      cause: 'the shipped dashboard and alert rules select job="algo", so they stay empty for this job',
      fix: `rename the job to "algo" in prometheus.yml (or edit the dashboard and alert selectors)`,
    });
  }

  const interval = seconds(scrapeConfig?.scrape_interval ?? config?.global?.scrape_interval ?? jobTargets[0]?.scrapeInterval);
  const timeout = seconds(scrapeConfig?.scrape_timeout ?? config?.global?.scrape_timeout ?? jobTargets[0]?.scrapeTimeout);
  const metricsPath = scrapeConfig?.metrics_path ?? jobTargets[0]?.discoveredLabels.__metrics_path__ ?? '/metrics';
  const hasAuth =
    scrapeConfig?.authorization !== undefined || scrapeConfig?.bearer_token !== undefined || scrapeConfig?.bearer_token_file !== undefined;
  const settings = `scrape_interval ${interval ?? '?'} s, scrape_timeout ${timeout ?? '?'} s, metrics_path ${metricsPath}, ${hasAuth ? 'with' : 'no'} authorization`;
  const expectedPath = new URL(options.metricsUrl).pathname;
  if (scrapeConfig === undefined)
    add('scrape_config', 'scrape settings', 'warn', `job "${job}" not found in /api/v1/status/config; from the target: ${settings}`, {
      cause: 'the configuration could not be read',
      fix: "check Prometheus' configuration page",
    });
  else if (metricsPath !== expectedPath)
    add('scrape_config', 'scrape settings', 'fail', settings, {
      cause: `the job scrapes ${metricsPath} but algo serves metrics at ${expectedPath}`,
      fix: `set metrics_path: ${expectedPath} in job "${job}"`,
    });
  else if (live.requiresToken === true && !hasAuth)
    add('scrape_config', 'scrape settings', 'fail', settings, {
      cause: 'algo requires a bearer token (ALGO_METRICS_TOKEN) and the job sends none',
      fix: `add \`authorization: { credentials_file: … }\` holding the token to job "${job}"`,
    });
  else if (interval !== undefined && interval > 60)
    add('scrape_config', 'scrape settings', 'warn', settings, {
      cause: 'a scrape interval over 1 m leaves rate(…[1m]) panels empty',
      fix: 'scrape every 15 s (deploy/prometheus/prometheus.yml)',
    });
  else add('scrape_config', 'scrape settings', 'pass', settings);

  // Every target of the job, and any other job's target at algo's address (a second,
  // perhaps broken, job scraping the same algo).
  const others = targets.filter((t) => jobOf(t) !== job && addressMatches(addressOf(t), options.metricsUrl));
  for (const target of [...jobTargets, ...others]) {
    const address = addressOf(target);
    const targetJob = jobOf(target);
    const title = `job "${targetJob}" target ${address}`;
    const subject = { subject: `${targetJob}/${address}` };
    if (target.health === 'up') {
      const took = target.lastScrapeDuration;
      if (timeout !== undefined && took > timeout / 2) {
        add(
          'target',
          title,
          'warn',
          `up, but the last scrape took ${took.toFixed(2)} s of a ${timeout} s timeout`,
          { cause: 'scrapes are close to timing out', fix: "raise scrape_timeout, or reduce series / find what blocks algo's event loop" },
          subject,
        );
      } else add('target', title, 'pass', `up, last scrape took ${(took * 1000).toFixed(1)} ms`, undefined, subject);
    } else if (target.health === 'unknown') {
      add(
        'target',
        title,
        'warn',
        'not scraped yet',
        { cause: 'the target was just added', fix: `wait one scrape_interval (${interval ?? '?'} s) and run the doctor again` },
        subject,
      );
    } else {
      const isAlgo = addressMatches(address, options.metricsUrl);
      const { kind, ...diagnosis } = classifyScrapeError(maskUrl(target.lastError), {
        address,
        metricsPath: jobOf(target) === job ? metricsPath : (target.discoveredLabels.__metrics_path__ ?? metricsPath),
        scrapeTimeoutSeconds: timeout,
        algoAddress: new URL(options.metricsUrl).host,
        algoRenderSeconds: isAlgo && live.renderMs !== undefined ? live.renderMs / 1000 : undefined,
        algoSlowerThanSeconds: isAlgo && live.slowerThanMs !== undefined ? live.slowerThanMs / 1000 : undefined,
      });
      add('target', title, 'fail', `down (${kind}): ${maskUrl(target.lastError)}`, diagnosis, { ...subject, kind });
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
  const neverScraped = jobTargets.every((t) => t.health === 'unknown');
  const up = await query(`up{${sel}}`);
  if (typeof up === 'string') add('up', `up{job="${job}"}`, 'fail', up, { cause: 'the query failed', fix: "check Prometheus' log" });
  else if (up.length === 0 && neverScraped)
    add('up', `up{job="${job}"}`, 'warn', 'no series yet', {
      cause: 'Prometheus has not scraped the job yet',
      fix: `wait one scrape_interval (${interval ?? '?'} s)`,
    });
  else if (up.length === 0)
    add('up', `up{job="${job}"}`, 'fail', 'no series', {
      cause: 'the job has targets but no up series: Prometheus cannot store samples (disk full? read its log)',
      fix: "check Prometheus' log",
    });
  else {
    const down = up.filter((x) => x.value[1] !== '1').map((x) => x.metric.instance ?? '?');
    add(
      'up',
      `up{job="${job}"}`,
      down.length === 0 ? 'pass' : 'fail',
      down.length === 0 ? `1 for ${up.length} target(s)` : `0 for ${down.join(', ')}`,
      down.length === 0 ? undefined : { cause: 'the scrape fails (see the target above)', fix: 'fix the target error above' },
    );
  }
  const targetUp = Array.isArray(up) && up.some((x) => x.value[1] === '1');

  for (const old of OLD_DASHBOARD_QUERIES) {
    const id = `query.${old.metric}`;
    const result = await query(old.expr.replace('$SEL', sel));
    if (typeof result === 'string') {
      add(id, old.shown, 'fail', result, { cause: 'Prometheus rejected the query', fix: 'check the Prometheus version (2.x or newer)' });
      continue;
    }
    const values = result.filter((x) => !Number.isNaN(Number(x.value[1])));
    if (values.length > 0) {
      add(id, old.shown, 'pass', `${values.length} series, e.g. ${Number(values[0]?.value[1]).toPrecision(4)}`);
      continue;
    }
    if (!targetUp) {
      if (neverScraped)
        add(id, old.shown, 'warn', 'no data yet', {
          cause: 'Prometheus has not scraped algo yet',
          fix: `wait one scrape_interval (${interval ?? '?'} s)`,
        });
      else
        add(id, old.shown, 'fail', 'no data', {
          cause: 'Prometheus is not scraping algo (see the target above)',
          fix: 'fix the scrape first',
        });
      continue;
    }
    const family = live.families === undefined ? undefined : familyOfSeries(old.metric, live.families);
    const liveSamples = family === undefined ? undefined : live.families?.get(family)?.samples.length;
    const firstEvent = firstEventOf(old.metric);
    if (live.families === undefined) {
      add(id, old.shown, 'warn', 'no data', {
        cause: "the doctor could not read algo's /metrics itself (see above), so it cannot tell whether that is expected",
        fix: 'fix the algo checks above, then run the doctor again',
      });
    } else if (liveSamples === 0 && firstEvent !== undefined) {
      add(id, old.shown, 'pass', `no data yet: ${firstEvent}`);
    } else if (result.length > 0 && firstEvent !== undefined) {
      add(id, old.shown, 'pass', `no data in the last 5 m: ${firstEvent.replace('since algo started', 'recently')}`);
    } else {
      const raw = await query(`count(${old.metric}{${sel}})`);
      const stored = Array.isArray(raw) && raw.length > 0;
      if (stored)
        add(id, old.shown, 'warn', 'no data yet', {
          cause: 'rate() needs two samples inside its range: too few scrapes so far',
          fix: `wait two scrape intervals (${interval ?? '?'} s each)`,
        });
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
