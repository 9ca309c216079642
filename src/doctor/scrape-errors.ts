// Turns a Prometheus target's `lastError` into its likely cause and the fix, for the faults
// people actually meet when Prometheus cannot scrape algo.
import type { Diagnosis } from './check.js';

export type ScrapeErrorKind =
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'http_error'
  | 'refused'
  | 'no_such_host'
  | 'deadline'
  | 'content_type'
  | 'parse_error'
  | 'unreachable'
  | 'tls'
  | 'other';

export interface ScrapeContext {
  /** host:port Prometheus scrapes. */
  address: string;
  metricsPath: string;
  scrapeTimeoutSeconds: number | undefined;
  /** How long algo took to render /metrics for the doctor, seconds, when known. */
  algoRenderSeconds: number | undefined;
}

export interface ClassifiedScrapeError extends Diagnosis {
  kind: ScrapeErrorKind;
}

const isLoopback = (address: string): boolean => /^(localhost|127\.|\[::1\])/.test(address);

/** Classifies Prometheus' error text (2.x and 3.x wordings). */
export function classifyScrapeError(lastError: string, context: ScrapeContext): ClassifiedScrapeError {
  const error = lastError.toLowerCase();
  const { address, metricsPath } = context;
  const status = /server returned http status (\d{3})/.exec(error)?.[1];
  if (status === '404') {
    return {
      kind: 'not_found',
      cause: `${address} answered 404 for ${metricsPath}: a wrong metrics_path, metrics disabled on algo (ALGO_ENABLE_PROMETHEUS=false), or another process on that port`,
      fix: `set the job's metrics_path to algo's path (default /metrics, or ALGO_METRICS_PATH); check the start-up line 'Prometheus metrics endpoint enabled at …'; see what owns the port with \`ss -ltnp 'sport = :${address.split(':').pop() ?? ''}'\``,
    };
  }
  if (status === '401') {
    return {
      kind: 'unauthorized',
      cause: 'algo requires a bearer token (ALGO_METRICS_TOKEN) and the scrape job sends none, or a different one',
      fix: 'add to the job: `authorization: { type: Bearer, credentials_file: /path/to/token }` holding ALGO_METRICS_TOKEN',
    };
  }
  if (status === '403') return { kind: 'forbidden', cause: `${address} refused the scrape (403): a proxy or another service`, fix: 'scrape algo directly' };
  if (status !== undefined) return { kind: 'http_error', cause: `${address} answered HTTP ${status} to the scrape`, fix: "read algo's log around the scrape times" };
  if (error.includes('connection refused')) {
    return {
      kind: 'refused',
      cause: `nothing listens on ${address} for Prometheus (connection refused): a wrong port in the target, algo not running, or algo bound to 127.0.0.1 while Prometheus runs in a container`,
      fix: isLoopback(address)
        ? 'check the target port against algo\'s PORT (default 5000) and that algo runs'
        : 'check the target port against algo\'s PORT (default 5000); start algo with HOST=0.0.0.0 (the default) so the Docker bridge reaches it',
    };
  }
  if (error.includes('no such host') || error.includes('server misbehaving')) {
    return {
      kind: 'no_such_host',
      cause: `Prometheus cannot resolve the host in ${address}`,
      fix: address.startsWith('host.docker.internal')
        ? 'on Linux add `extra_hosts: ["host.docker.internal:host-gateway"]` to the Prometheus service in compose (deploy/docker-compose.infra.yml has it)'
        : 'use a host name Prometheus can resolve (the compose service name, or an IP)',
    };
  }
  if (error.includes('context deadline exceeded') || error.includes('i/o timeout') || error.includes('timeout')) {
    const timeout = context.scrapeTimeoutSeconds;
    const render = context.algoRenderSeconds;
    if (timeout !== undefined && render !== undefined && render > timeout / 2) {
      return {
        kind: 'deadline',
        cause: `the scrape is slower than its timeout: algo renders /metrics in ${render.toFixed(2)} s against scrape_timeout ${timeout} s`,
        fix: 'raise scrape_timeout (below scrape_interval), or cut series (ALGO_MAX_CAMERAS) and look for a blocked event loop',
      };
    }
    return {
      kind: 'deadline',
      cause: `Prometheus got no answer from ${address} within scrape_timeout${timeout === undefined ? '' : ` (${timeout} s)`}${render === undefined ? '' : ` although algo answers the doctor in ${(render * 1000).toFixed(0)} ms`}: packets are dropped (a host firewall) or the target accepts connections and never answers (a hung process, or the wrong service on that port)`,
      fix: 'allow the port through the firewall (ufw allow in on docker0 to any port 5000 proto tcp), and check what listens on the target address',
    };
  }
  if (error.includes('content-type') || error.includes('content type')) {
    return { kind: 'content_type', cause: `${address} answers with a missing or unsupported Content-Type`, fix: 'scrape algo itself (text/plain; version=0.0.4); another server or a proxy answers this path' };
  }
  if (/expected a valid start token|parse|invalid metric|unexpected end of input|not a valid|expected (label|value|timestamp)/.test(error)) {
    return { kind: 'parse_error', cause: `the scraped body is not in the Prometheus text format (an HTML or JSON page?): ${lastError}`, fix: 'point the job at algo\'s metrics path; another service answers this URL' };
  }
  if (error.includes('no route to host') || error.includes('network is unreachable')) {
    return { kind: 'unreachable', cause: `no network route from Prometheus to ${address}`, fix: 'check the address, the Docker network, and the firewall' };
  }
  if (error.includes('x509') || error.includes('tls')) return { kind: 'tls', cause: `TLS failed: ${lastError}`, fix: 'algo serves plain HTTP: set the job\'s scheme to http, or fix tls_config' };
  return { kind: 'other', cause: `Prometheus reports: ${lastError}`, fix: 'see docs/monitoring.md, "Troubleshooting"' };
}
