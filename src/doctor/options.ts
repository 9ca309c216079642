// `algo doctor` flags → one typed options object. A bad flag is a UsageError (exit 2).
import { messageOf } from '../errors.js';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { maskUrl } from '../redact.js';
import { llmTargetFrom, type LlmTarget } from './llm-target.js';

export interface GrafanaAuth {
  user: string;
  password: string;
  token: string | undefined;
}

export interface DoctorOptions {
  /** algo's base URL (`/healthz`, `/readyz`). */
  url: string;
  /** Where the metrics are scraped: `<url>/metrics` unless `--metrics-url` says otherwise. */
  metricsUrl: string;
  prometheus: string;
  grafana: string;
  grafanaAuth: GrafanaAuth;
  /** Prometheus job that scrapes algo; undefined: the target matching metricsUrl, else `algo`. */
  job: string | undefined;
  /** Metrics bearer token (ALGO_METRICS_TOKEN, or an API token with the metrics scope), when algo requires one. */
  token: string | undefined;
  /** PEM CA certificates trusted for algo's https:// URLs (--ca-file). */
  ca: Buffer | undefined;
  json: boolean;
  /** List each item a check counts (families awaiting their first event…) on its own line. */
  verbose: boolean;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /** Pause between the two scrapes that look for counters going backwards, milliseconds. */
  rescrapeMs: number;
  rulesFile: string;
  dashboardFile: string;
  /** The LLM API algo calls, from its ALGO_LLM_* variables; undefined without a key. */
  llm: LlmTarget | undefined;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DOCTOR_USAGE = `Usage: npx algo doctor [flags]   (or npm run doctor -- [flags])

Walks the monitoring checklist: algo's endpoints and metrics, the alert rules and dashboard
against the live metrics, Prometheus' scrape of algo, Grafana, and the LLM API algo calls
(one GET /models with the first key of ALGO_LLM_API_KEYS or ALGO_LLM_API_KEYS_FILE).

  --url URL                algo's base URL (default http://localhost:5000)
  --metrics-url URL        where /metrics is served, if not <url>/metrics (ALGO_METRICS_PORT/PATH)
  --prometheus URL         Prometheus (default http://localhost:9100)
  --grafana URL            Grafana, optional (default http://localhost:3100)
  --job NAME               Prometheus job that scrapes algo (default: the target whose
                           address matches algo's, else "algo")
  --token-file FILE        file holding the metrics bearer token, when algo requires one
                           (ALGO_METRICS_TOKEN, or an API token with the metrics scope);
                           by default the doctor uses $ALGO_METRICS_TOKEN if set
                           (--token TOKEN also works, but shows the token in \`ps\`)
  --ca-file FILE           PEM CA certificate(s) that signed algo's certificate, for an
                           https:// --url or --metrics-url (ALGO_TLS_CERT_FILE)
  --grafana-user NAME      Grafana user (default admin)
  --grafana-password PASS  Grafana password (default admin)
  --grafana-token TOKEN    Grafana service-account token (instead of user/password)
  --timeout MS             per-request timeout (default 10000, Prometheus' scrape_timeout)
  --rescrape MS            pause between the two scrapes compared for counters going
                           backwards (default 1000)
  --rules FILE             alert rules to check (default deploy/prometheus/alerts.yml)
  --dashboard FILE         dashboard JSON to check (default deploy/grafana/dashboards/algo-overview.json)
  --json                   print a machine-readable report
  --verbose                list, one per line, what a check only counts (e.g. the families
                           that await their first event)
  -h, --help               this text

For --json through npm, silence npm's banner: npm run --silent doctor -- --json

Exit code: 0 nothing failed, 1 a check failed, 2 bad flags.`;

/** A base URL: http(s), no credentials, no query or fragment; `basePathAllowed` for a route prefix. */
function httpUrl(flag: string, value: string, basePathAllowed = true): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} ${JSON.stringify(maskUrl(value))} is not a URL; expected e.g. http://localhost:5000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${flag} ${JSON.stringify(maskUrl(value))} must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '')
    throw new UsageError(`--${flag} must not carry credentials; use --token-file or --grafana-user/--grafana-password`);
  if (url.search !== '' || url.hash !== '')
    throw new UsageError(`--${flag} ${JSON.stringify(maskUrl(value))} must not have a query or fragment`);
  if (!basePathAllowed && url.pathname !== '/') {
    throw new UsageError(
      `--${flag} ${JSON.stringify(maskUrl(value))} must be algo's base URL (e.g. ${url.origin}); for a metrics endpoint elsewhere use --metrics-url`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** The flags `parseArgs` accepts: also what `algo --help` and scripts/docs-check.ts read. */
export const DOCTOR_OPTIONS = {
  url: { type: 'string', default: 'http://localhost:5000' },
  'metrics-url': { type: 'string' },
  prometheus: { type: 'string', default: 'http://localhost:9100' },
  grafana: { type: 'string', default: 'http://localhost:3100' },
  job: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'grafana-user': { type: 'string', default: 'admin' },
  'grafana-password': { type: 'string', default: 'admin' },
  'grafana-token': { type: 'string' },
  timeout: { type: 'string', default: '10000' },
  rescrape: { type: 'string', default: '1000' },
  rules: { type: 'string' },
  dashboard: { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Parses argv (without `doctor`); `undefined` means --help was asked for. */
export function parseDoctorArgs(
  argv: string[],
  defaults: { rulesFile: string; dashboardFile: string },
  env: NodeJS.ProcessEnv = {},
): DoctorOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: DOCTOR_OPTIONS }));
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  if (values.help) return undefined;
  const positive = (flag: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0 || n > 600_000)
      throw new UsageError(`--${flag} ${JSON.stringify(raw)} must be a whole number of milliseconds from 1 to 600000`);
    return n;
  };
  if (values.job !== undefined && !/^\S+$/.test(values.job))
    throw new UsageError(`--job ${JSON.stringify(values.job)} must be a job name without spaces`);
  const url = httpUrl('url', values.url, false);
  const givenFile = (flag: string, file: string | undefined, fallback: string): string => {
    if (file === undefined) return fallback;
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      throw new UsageError(`--${flag} ${JSON.stringify(file)} does not exist`);
    }
    if (!isFile) throw new UsageError(`--${flag} ${JSON.stringify(file)} is not a file`);
    return file;
  };
  let token = values.token;
  if (values['token-file'] !== undefined) {
    try {
      token = readFileSync(givenFile('token-file', values['token-file'], ''), 'utf8').trim();
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--token-file ${JSON.stringify(values['token-file'])} cannot be read`);
    }
  }
  token ??= env.ALGO_METRICS_TOKEN;
  let ca: Buffer | undefined;
  if (values['ca-file'] !== undefined) {
    try {
      ca = readFileSync(givenFile('ca-file', values['ca-file'], ''));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--ca-file ${JSON.stringify(values['ca-file'])} cannot be read`);
    }
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----'))
      throw new UsageError(`--ca-file ${JSON.stringify(values['ca-file'])} holds no PEM certificate`);
  }
  return {
    url,
    metricsUrl: values['metrics-url'] === undefined ? `${url}/metrics` : httpUrl('metrics-url', values['metrics-url']),
    prometheus: httpUrl('prometheus', values.prometheus),
    grafana: httpUrl('grafana', values.grafana),
    grafanaAuth: { user: values['grafana-user'], password: values['grafana-password'], token: values['grafana-token'] },
    job: values.job,
    token: token === '' ? undefined : token,
    ca,
    json: values.json,
    verbose: values.verbose,
    timeoutMs: positive('timeout', values.timeout),
    rescrapeMs: positive('rescrape', values.rescrape),
    rulesFile: givenFile('rules', values.rules, defaults.rulesFile),
    dashboardFile: givenFile('dashboard', values.dashboard, defaults.dashboardFile),
    llm: llmTargetFrom(env),
  };
}
