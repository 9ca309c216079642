// The doctor's first group: algo's own endpoints and what /metrics serves.
import { checksFor, type CheckResult, type Diagnosis } from './check.js';
import { parseExposition, type ExpositionFamily } from './exposition.js';
import { probe, jsonOf, type ProbeFailure, type ProbeResponse } from './http-probe.js';
import type { DoctorOptions } from './options.js';
import { SCRAPE_TOKEN_FIX } from './scrape-token.js';

/** What Prometheus 2.x sends, so algo negotiates the format it would serve a real scrape. */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Families a healthy algo always declares, with what their absence means. */
const REQUIRED_FAMILIES = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'http_requests_total',
  'http_request_duration_seconds',
  'detection_total',
  'detection_latency_seconds',
  'llm_requests_total',
  'llm_latency_seconds',
  'api_key_requests_total',
  'api_key_success_rate',
];

const SERIES_WARN = 10_000;
const RENDER_WARN_MS = 1_000;

export interface AlgoFindings {
  results: CheckResult[];
  /** The live families, when /metrics could be read. */
  families: Map<string, ExpositionFamily> | undefined;
  /** Time algo took to answer /metrics, milliseconds (a lower bound when it timed out). */
  renderMs: number | undefined;
  /** Set when /metrics gave no answer within this many milliseconds although /healthz did. */
  slowerThanMs?: number;
  /** Whether algo refused /metrics without a bearer token. */
  requiresToken?: boolean;
}

export function unreachable(what: string, url: string, failure: ProbeFailure, startHint: string): Diagnosis {
  const { host } = new URL(url);
  switch (failure.code) {
    case 'refused':
      return { cause: `nothing listens on ${host} (connection refused)`, fix: startHint };
    case 'no_such_host':
      return { cause: `the host name in ${url} does not resolve`, fix: `check the host in the URL (${what})` };
    case 'timeout':
      return {
        cause: `${host} accepted no answer within the timeout: a firewall dropping packets, or a process that hangs`,
        fix: `check that ${what} runs and that nothing filters the port`,
      };
    case 'tls':
      return {
        cause: `the TLS handshake with ${host} failed: ${failure.message}`,
        fix: `pass --ca-file with the CA that signed ${what}'s certificate, and check that the certificate names ${new URL(url).hostname}`,
      };
    default:
      return { cause: `${what} could not be reached: ${failure.message}`, fix: `check the URL and the network path to ${host}` };
  }
}

function contentTypeProblem(type: string | null): Diagnosis | undefined {
  if (type === null || type === '')
    return {
      cause: 'the answer has no Content-Type; Prometheus 3 refuses such scrapes',
      fix: 'serve text/plain; version=0.0.4 (algo does): another server answers on this address',
    };
  if (/^text\/plain|^application\/openmetrics-text/.test(type)) return undefined;
  if (type.startsWith('text/html'))
    return {
      cause: `an HTML page (${type}), not metrics: another web server, a proxy or a login page answers on this path`,
      fix: 'point --url/--metrics-url (and the scrape job) at algo itself; check what listens on the port',
    };
  if (type.startsWith('application/json'))
    return {
      cause: `JSON (${type}), not metrics: another service answers on this path`,
      fix: "point the scrape at algo's metrics path (ALGO_METRICS_PATH, default /metrics)",
    };
  return { cause: `unsupported Content-Type ${type}`, fix: 'Prometheus needs text/plain; version=0.0.4 or application/openmetrics-text' };
}

function statusProblem(response: ProbeResponse, metricsPath: string, isAlgo: boolean): Diagnosis {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return {
      cause: `a ${status} redirect to ${response.headers.get('location') ?? '(no Location)'}: the scrape does not hit the endpoint itself`,
      fix: 'scrape the final URL directly (set metrics_path / scheme in the job and --metrics-url here)',
    };
  }
  if (status === 404 && isAlgo) {
    return {
      cause: `404 on ${metricsPath}: algo runs here (its /healthz answers) but serves no metrics on this path: metrics are disabled (ALGO_ENABLE_PROMETHEUS=false) or moved to another path (ALGO_METRICS_PATH) or port (ALGO_METRICS_PORT)`,
      fix: "read algo's start-up line ('Prometheus metrics endpoint enabled at …' or that metrics are disabled); pass --metrics-url if they have their own port or path",
    };
  }
  if (status === 404) {
    return {
      cause: `404 on ${metricsPath}: another process, not algo, answers on this port (its /healthz is not algo's)`,
      fix: `see what owns the port (\`ss -ltnp 'sport = :${new URL(response.url).port}'\`) and point --url at algo`,
    };
  }
  return { cause: `HTTP ${status} on ${metricsPath}`, fix: "read algo's log for the error" };
}

/** Counter-like samples (counters, histogram/summary counts and buckets) keyed by series. */
function monotonicSamples(families: Map<string, ExpositionFamily>): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of families.values()) {
    const counting =
      family.type === 'counter'
        ? () => true
        : family.type === 'histogram' || family.type === 'summary'
          ? (name: string) => /_(count|bucket)$/.test(name)
          : undefined;
    if (counting === undefined) continue;
    for (const sample of family.samples) {
      if (!counting(sample.name) || sample.name.endsWith('_created')) continue;
      out.set(`${sample.name}${JSON.stringify(sample.labels)}`, sample.value);
    }
  }
  return out;
}

function startTime(families: Map<string, ExpositionFamily>): number | undefined {
  return families.get('process_start_time_seconds')?.samples[0]?.value;
}

export async function checkAlgo(options: DoctorOptions): Promise<AlgoFindings> {
  const { results, add } = checksFor('algo');
  const timeoutMs = options.timeoutMs;
  const reach = { timeoutMs, ca: options.ca };
  const startHint = 'start algo (npm start), or pass --url with the address it listens on';

  const health = await probe(`${options.url}/healthz`, reach);
  const isAlgo = health.ok && health.status === 200 && jsonOf<{ status?: string }>(health)?.status === 'ok';
  const healthMs = health.ok ? health.ms : 0;
  if (!health.ok)
    add('healthz', '/healthz answers', 'fail', `${options.url}/healthz unreachable`, unreachable('algo', options.url, health, startHint));
  else if (health.status === 200) add('healthz', '/healthz answers', 'pass', `200 in ${health.ms.toFixed(0)} ms`);
  else
    add('healthz', '/healthz answers', 'fail', `HTTP ${health.status}`, {
      cause: `the server at ${options.url} answered /healthz with ${health.status}: it is not algo, or an old version`,
      fix: 'point --url at algo',
    });

  const ready = await probe(`${options.url}/readyz`, reach);
  if (ready.ok && ready.status === 200) add('readyz', '/readyz ready for traffic', 'pass', '200 ready');
  else if (ready.ok && ready.status === 503) {
    const body = jsonOf<{ status?: string; phase?: string; checks?: Record<string, boolean> }>(ready);
    const failing = Object.entries(body?.checks ?? {})
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const draining = body?.status === 'draining' || body?.phase === 'draining';
    add(
      'readyz',
      '/readyz ready for traffic',
      'warn',
      `503 ${body?.phase ?? body?.status ?? ''}${failing.length > 0 ? `: ${failing.join(', ')} not ready` : ''}`,
      {
        cause: draining
          ? 'algo is shutting down (draining)'
          : `a dependency is not ready${failing.length > 0 ? ` (${failing.join(', ')})` : ''}`,
        fix: failing.includes('kafka') ? "check the Kafka brokers (ALGO_KAFKA_BROKERS) and algo's log" : "read algo's log",
      },
    );
  } else if (ready.ok)
    add('readyz', '/readyz ready for traffic', 'fail', `HTTP ${ready.status}`, {
      cause: `unexpected answer ${ready.status}`,
      fix: 'point --url at algo',
    });
  else add('readyz', '/readyz ready for traffic', 'fail', 'unreachable', unreachable('algo', options.url, ready, startHint));

  const metricsPath = new URL(options.metricsUrl).pathname;
  const anonymous = await probe(options.metricsUrl, { ...reach, headers: { accept: PROMETHEUS_ACCEPT } });
  if (!anonymous.ok && anonymous.code === 'timeout' && isAlgo && new URL(options.metricsUrl).host === new URL(options.url).host) {
    add('metrics.status', `${metricsPath} answers 200`, 'fail', `no answer within --timeout ${timeoutMs} ms`, {
      cause: `algo answers /healthz in ${healthMs.toFixed(0)} ms but /metrics takes longer than ${timeoutMs} ms: the scrape itself is slow (very many series, or an event loop blocked by other work)`,
      fix: "compare with the job's scrape_timeout; raise --timeout to measure it; look at nodejs_eventloop_lag_seconds and the series count",
    });
    return { results, families: undefined, renderMs: timeoutMs, slowerThanMs: timeoutMs };
  }
  if (!anonymous.ok) {
    add(
      'metrics.status',
      `${metricsPath} answers 200`,
      'fail',
      `${options.metricsUrl} unreachable`,
      unreachable('algo', options.metricsUrl, anonymous, `${startHint}; with ALGO_METRICS_PORT set, pass --metrics-url`),
    );
    return { results, families: undefined, renderMs: undefined };
  }
  const throttled = (answer: ProbeResponse) =>
    add(
      'metrics.auth',
      'metrics authentication',
      'fail',
      `429: algo throttles this address (Retry-After ${answer.headers.get('retry-after') ?? '?'} s)`,
      {
        cause:
          "the doctor's address is throttled: too many bad tokens came from it (ALGO_AUTH_MAX_FAILURES within ALGO_AUTH_FAILURE_WINDOW_S)",
        fix: "wait for Retry-After, then run the doctor with the right token; find what sends bad tokens from this address (algo's log: API request refused by access control)",
      },
    );
  if (anonymous.status === 429) {
    throttled(anonymous);
    return { results, families: undefined, renderMs: undefined, requiresToken: true };
  }
  let scrape: ProbeResponse = anonymous;
  let requiresToken = false;
  const authHeaders = options.token === undefined ? undefined : { accept: PROMETHEUS_ACCEPT, authorization: `Bearer ${options.token}` };
  if (anonymous.status === 401) {
    if (authHeaders === undefined) {
      add('metrics.auth', 'metrics authentication', 'fail', 'algo requires a bearer token and none was given', {
        cause:
          'algo requires a token for /metrics: ALGO_METRICS_TOKEN is set, or API access control asks this client for one (ALGO_API_AUTH)',
        fix: `give the doctor the token (ALGO_METRICS_TOKEN in its environment, or --token-file with it or an API token of the metrics scope); ${SCRAPE_TOKEN_FIX}`,
      });
      return { results, families: undefined, renderMs: undefined, requiresToken: true };
    }
    const authed = await probe(options.metricsUrl, { ...reach, headers: authHeaders });
    if (!authed.ok || authed.status === 401) {
      add('metrics.auth', 'metrics authentication', 'fail', 'algo rejected the token given', {
        cause: 'the token is neither ALGO_METRICS_TOKEN nor an API token with the metrics scope',
        fix: 'use the token algo was started with (in the scrape job too)',
      });
      return { results, families: undefined, renderMs: undefined, requiresToken: true };
    }
    if (authed.status === 403) {
      add('metrics.auth', 'metrics authentication', 'fail', '403: algo knows the token given but refuses it for /metrics', {
        cause: 'the token lacks the metrics scope',
        fix: 'give the doctor ALGO_METRICS_TOKEN or an API token with the metrics scope (name:metrics=…, or add +metrics to its scopes)',
      });
      return { results, families: undefined, renderMs: undefined, requiresToken: true };
    }
    if (authed.status === 429) {
      throttled(authed);
      return { results, families: undefined, renderMs: undefined, requiresToken: true };
    }
    add('metrics.auth', 'metrics authentication', 'pass', 'a bearer token is required and the one given is accepted');
    requiresToken = true;
    scrape = authed;
  }
  if (scrape.status !== 200) {
    add('metrics.status', `${metricsPath} answers 200`, 'fail', `HTTP ${scrape.status}`, statusProblem(scrape, metricsPath, isAlgo));
    return { results, families: undefined, renderMs: undefined };
  }
  if (anonymous.status === 200 && authHeaders !== undefined) {
    add('metrics.auth', 'metrics authentication', 'warn', 'algo serves metrics without a token although one was given', {
      cause: 'ALGO_METRICS_TOKEN is not set on this algo',
      fix: 'set ALGO_METRICS_TOKEN if the endpoint must be protected',
    });
  } else if (anonymous.status === 200)
    add('metrics.auth', 'metrics authentication', 'pass', 'no token required (set ALGO_METRICS_TOKEN to require one)');
  add('metrics.status', `${metricsPath} answers 200`, 'pass', `200 in ${scrape.ms.toFixed(1)} ms`);
  const type = scrape.headers.get('content-type');
  const typeProblem = contentTypeProblem(type);
  add('metrics.content_type', 'Prometheus content type', typeProblem === undefined ? 'pass' : 'fail', type ?? '(none)', typeProblem);
  const parsed = parseExposition(scrape.body);
  if (!parsed.ok) {
    add('metrics.format', 'body parses as the exposition format', 'fail', parsed.error, {
      cause: typeProblem?.cause ?? 'the body is not in the Prometheus text format',
      fix: typeProblem?.fix ?? 'make sure algo (not a proxy or another service) answers this URL',
    });
    return { results, families: undefined, renderMs: scrape.ms, requiresToken };
  }
  add('metrics.format', 'body parses as the exposition format', 'pass', `${parsed.families.size} families`);

  const missing = REQUIRED_FAMILIES.filter((name) => !parsed.families.has(name));
  const missingProcess = missing.filter((name) => name.startsWith('process_'));
  if (missing.length === 0)
    add(
      'metrics.families',
      'process, runtime, HTTP and business families',
      'pass',
      `all ${REQUIRED_FAMILIES.length} expected families present`,
    );
  else {
    add('metrics.families', 'process, runtime, HTTP and business families', 'fail', `missing: ${missing.join(', ')}`, {
      cause:
        missingProcess.length > 0
          ? 'no process_* metrics: this is not algo (another exporter on the port?)'
          : 'an older algo, or another service, answers here',
      fix: 'point --url/--metrics-url at a current algo',
    });
  }

  const renderStatus = scrape.ms > RENDER_WARN_MS ? 'warn' : 'pass';
  add(
    'metrics.render_time',
    'render time',
    renderStatus,
    `${scrape.ms.toFixed(1)} ms`,
    renderStatus === 'warn'
      ? {
          cause: 'a slow scrape: a blocked event loop or very many series',
          fix: 'compare with scrape_timeout; reduce series (ALGO_MAX_CAMERAS) or find what blocks the event loop (nodejs_eventloop_lag_seconds)',
        }
      : undefined,
  );
  add(
    'metrics.series',
    'series count',
    parsed.sampleCount > SERIES_WARN ? 'warn' : 'pass',
    `${parsed.sampleCount} samples`,
    parsed.sampleCount > SERIES_WARN
      ? { cause: 'high cardinality', fix: 'lower ALGO_MAX_CAMERAS; look for labels with many values' }
      : undefined,
  );

  await new Promise((resolve) => setTimeout(resolve, options.rescrapeMs));
  const second = await probe(options.metricsUrl, { ...reach, headers: authHeaders ?? { accept: PROMETHEUS_ACCEPT } });
  const again = second.ok && second.status === 200 ? parseExposition(second.body) : undefined;
  if (again === undefined || !again.ok) {
    add('metrics.monotonic', 'counters never go backwards', 'warn', 'the second scrape failed', {
      cause: 'algo stopped answering between two scrapes',
      fix: "read algo's log",
    });
  } else {
    const before = monotonicSamples(parsed.families);
    const backwards: string[] = [];
    for (const [series, value] of monotonicSamples(again.families)) {
      const previous = before.get(series);
      if (previous !== undefined && value < previous) backwards.push(`${series.replace(/\{\}$/, '')}: ${previous} → ${value}`);
    }
    const restarted = startTime(parsed.families) !== startTime(again.families);
    if (backwards.length === 0 && !restarted)
      add('metrics.monotonic', 'counters never go backwards', 'pass', `two scrapes ${options.rescrapeMs} ms apart agree`);
    else {
      add(
        'metrics.monotonic',
        'counters never go backwards',
        'warn',
        backwards.length > 0 ? `${backwards.length} went backwards, e.g. ${backwards[0]}` : 'process_start_time_seconds changed',
        {
          cause: restarted
            ? 'two different processes answered (process_start_time_seconds differs): algo restarted, or several processes share this address'
            : 'several processes answer on this address (a load balancer or cluster in front of algo)',
          fix: 'scrape each algo process on its own address, and keep one process per target',
        },
      );
    }
  }
  return { results, families: parsed.families, renderMs: scrape.ms, requiresToken };
}
