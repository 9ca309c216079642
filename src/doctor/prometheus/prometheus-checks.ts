// The doctor's Prometheus group: is it up, which job scrapes algo, with what settings, is the
// target healthy (and if not, why), and do the old dashboards' queries return data.
import { maskUrl } from '../../redact.js';
import { checksFor, type CheckResult } from '../check.js';
import type { ExpositionFamily } from '../exposition.js';
import { firstEventOf } from '../first-event.js';
import { probe } from '../http-probe.js';
import type { DoctorOptions } from '../options.js';
import {
  addressMatches,
  addressOf,
  escapeLabel,
  jobOf,
  query,
  readConfig,
  readTargets,
  seconds,
  type ApiTarget,
  type PromConfig,
  type ScrapeConfig,
} from './api.js';
import { familyOfSeries } from './promql-names.js';
import { classifyScrapeError } from './scrape-errors.js';
import { unreachable } from '../algo-checks.js';
import { SCRAPE_TOKEN_FIX } from '../scrape-token.js';

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

/** What every step of the Prometheus group works with. */
interface Step {
  add: ReturnType<typeof checksFor>['add'];
  options: DoctorOptions;
  live: LiveAlgo;
  base: string;
  timeoutMs: number;
}

interface JobFound {
  job: string;
  targets: ApiTarget[];
  jobTargets: ApiTarget[];
  config: PromConfig | undefined;
  scrapeConfig: ScrapeConfig | undefined;
}

interface ScrapeSettings {
  interval: number | undefined;
  timeout: number | undefined;
  metricsPath: string;
}

/**
 * The Prometheus group, step by step: reachable; the job that scrapes algo; its scrape
 * settings; each of its targets (and other jobs' targets at algo's address); `up`; the old
 * dashboards' queries. Later steps are skipped when an earlier one leaves nothing to check.
 */
export async function checkPrometheus(options: DoctorOptions, live: LiveAlgo): Promise<PrometheusFindings> {
  const { results, add } = checksFor('prometheus');
  const step: Step = { add, options, live, base: options.prometheus, timeoutMs: options.timeoutMs };
  if (!(await checkReachable(step))) return { results, job: options.job };
  const found = await checkJob(step);
  if (found.jobTargets.length === 0) return { results, job: found.job };
  const settings = checkScrapeSettings(step, found);
  checkTargets(step, found, settings);
  const up = await checkUp(step, found, settings);
  await checkOldDashboardQueries(step, found.job, settings, up);
  return { results, job: found.job };
}

async function checkReachable({ add, base, timeoutMs }: Step): Promise<boolean> {
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
    return false;
  }
  if (ready.status !== 200) {
    const notPrometheus = ready.status === 404;
    add('reachable', 'Prometheus reachable', 'fail', `/-/ready answered ${ready.status}`, {
      cause: notPrometheus ? `${base} is not Prometheus` : 'Prometheus is starting or unhealthy',
      fix: notPrometheus ? "pass --prometheus with Prometheus' URL" : 'wait for it to start, and read its log',
    });
    return false;
  }
  add('reachable', 'Prometheus reachable', 'pass', `${base} ready`);
  return true;
}

async function checkJob({ add, options, base, timeoutMs }: Step): Promise<JobFound> {
  const config = await readConfig(base, timeoutMs);
  const targets = await readTargets(base, timeoutMs);
  const { job, how } = chooseJob(options, targets, config);
  const scrapeConfig = config?.scrape_configs?.find((c) => c.job_name === job);
  const jobTargets = targets.filter((t) => jobOf(t) === job);
  if (jobTargets.length === 0) {
    if (scrapeConfig !== undefined) {
      add('job', 'a scrape job for algo', 'warn', `job "${job}" is configured but has no target discovered yet`, {
        cause: "Prometheus has just started or reloaded, or the job's target file is empty",
        fix: "wait a few seconds and run the doctor again; if it stays empty, check the job's targets (file_sd files, static_configs)",
      });
      return { job, targets, jobTargets, config, scrapeConfig };
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
    return { job, targets, jobTargets, config, scrapeConfig };
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
  return { job, targets, jobTargets, config, scrapeConfig };
}

function checkScrapeSettings({ add, options, live }: Step, { job, config, scrapeConfig, jobTargets }: JobFound): ScrapeSettings {
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
      fix: `${SCRAPE_TOKEN_FIX} (job "${job}")`,
    });
  else if (interval !== undefined && interval > 60)
    add('scrape_config', 'scrape settings', 'warn', settings, {
      cause: 'a scrape interval over 1 m leaves rate(…[1m]) panels empty',
      fix: 'scrape every 15 s (deploy/prometheus/prometheus.yml)',
    });
  else add('scrape_config', 'scrape settings', 'pass', settings);
  return { interval, timeout, metricsPath };
}

function checkTargets(
  { add, options, live }: Step,
  { job, targets, jobTargets }: JobFound,
  { interval, timeout, metricsPath }: ScrapeSettings,
): void {
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
}

async function checkUp(
  { add, base, timeoutMs }: Step,
  { job, jobTargets }: JobFound,
  { interval }: ScrapeSettings,
): Promise<{ targetUp: boolean; neverScraped: boolean }> {
  const sel = `job="${escapeLabel(job)}"`;
  const neverScraped = jobTargets.every((t) => t.health === 'unknown');
  const up = await query(base, timeoutMs, `up{${sel}}`);
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
  return { targetUp, neverScraped };
}

async function checkOldDashboardQueries(
  { add, live, base, timeoutMs }: Step,
  job: string,
  { interval }: ScrapeSettings,
  { targetUp, neverScraped }: { targetUp: boolean; neverScraped: boolean },
): Promise<void> {
  const sel = `job="${escapeLabel(job)}"`;
  for (const old of OLD_DASHBOARD_QUERIES) {
    const id = `query.${old.metric}`;
    const result = await query(base, timeoutMs, old.expr.replace('$SEL', sel));
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
      const raw = await query(base, timeoutMs, `count(${old.metric}{${sel}})`);
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
}
