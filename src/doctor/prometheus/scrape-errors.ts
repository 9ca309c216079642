// Turns a Prometheus target's `lastError` into its likely cause and the fix, for the faults
// people actually meet when Prometheus cannot scrape algo.
import type { Diagnosis } from '../check.js';
import { SCRAPE_TOKEN_FIX } from '../scrape-token.js';

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
  /** host:port where the doctor reached algo's metrics. */
  algoAddress?: string;
  /** How long algo took to render /metrics for the doctor, seconds, when the target is algo. */
  algoRenderSeconds?: number;
  /** Set when algo's /metrics gave the doctor no answer within this many seconds. */
  algoSlowerThanSeconds?: number;
}

export interface ClassifiedScrapeError extends Diagnosis {
  kind: ScrapeErrorKind;
}

const isLoopback = (address: string): boolean => /^(localhost|127\.|\[::1\])/.test(address);
const portOf = (address: string): string => address.slice(address.lastIndexOf(':') + 1);
const viaDocker = (address: string): boolean => address.startsWith('host.docker.internal') || address.startsWith('172.17.');

/** Classifies Prometheus' error text (2.x and 3.x wordings). */
export function classifyScrapeError(lastError: string, context: ScrapeContext): ClassifiedScrapeError {
  const error = lastError.toLowerCase();
  const { address, metricsPath } = context;
  const status = /server returned http status (\d{3})/.exec(error)?.[1];
  if (status === '404') {
    return {
      kind: 'not_found',
      cause: `${address} answered 404 for ${metricsPath}: a wrong metrics_path, metrics disabled on algo (ALGO_ENABLE_PROMETHEUS=false), or another process on that port`,
      fix: `set the job's metrics_path to algo's path (default /metrics, or ALGO_METRICS_PATH); check the start-up line 'Prometheus metrics endpoint enabled at …'; see what owns the port with \`ss -ltnp 'sport = :${portOf(address)}'\``,
    };
  }
  if (status === '401') {
    return {
      kind: 'unauthorized',
      cause: 'algo requires a bearer token (ALGO_METRICS_TOKEN) and the scrape job sends none, or a different one',
      fix: SCRAPE_TOKEN_FIX,
    };
  }
  if (status === '403')
    return { kind: 'forbidden', cause: `${address} refused the scrape (403): a proxy or another service`, fix: 'scrape algo directly' };
  if (status !== undefined)
    return {
      kind: 'http_error',
      cause: `${address} answered HTTP ${status} to the scrape`,
      fix: "read algo's log around the scrape times",
    };
  if (error.includes('connection refused')) {
    const algoPort = context.algoAddress === undefined ? undefined : portOf(context.algoAddress);
    const otherPort = algoPort !== undefined && algoPort !== portOf(address);
    return {
      kind: 'refused',
      cause: `nothing listens on ${address} for Prometheus (connection refused): ${otherPort ? `algo answers on port ${algoPort}, the target says ${portOf(address)}` : 'a wrong port in the target, algo not running, or algo bound to 127.0.0.1 while Prometheus runs in a container'}`,
      fix: otherPort
        ? `point the target at port ${algoPort} (algo's PORT)`
        : isLoopback(address)
          ? "check the target port against algo's PORT (default 5000) and that algo runs"
          : "check the target port against algo's PORT (default 5000); start algo with HOST=0.0.0.0 (the default) so the Docker bridge reaches it",
    };
  }
  if (error.includes('no such host') || error.includes('server misbehaving')) {
    return {
      kind: 'no_such_host',
      cause: `Prometheus cannot resolve the host in ${address}`,
      fix: address.startsWith('host.docker.internal')
        ? 'on Linux add `extra_hosts: ["host.docker.internal:host-gateway"]` to the Prometheus service in compose (deploy/docker-compose.infra.yml has it)'
        : 'use a host name Prometheus can resolve: 127.0.0.1 when Prometheus runs on the same machine, the service name inside compose, or an IP',
    };
  }
  if (error.includes('context deadline exceeded') || error.includes('i/o timeout') || error.includes('timeout')) {
    const timeout = context.scrapeTimeoutSeconds;
    const render = context.algoRenderSeconds;
    const within = timeout === undefined ? '' : ` (${timeout} s)`;
    if (context.algoSlowerThanSeconds !== undefined || (timeout !== undefined && render !== undefined && render > timeout / 2)) {
      const took = context.algoSlowerThanSeconds !== undefined ? `more than ${context.algoSlowerThanSeconds} s` : `${render?.toFixed(2)} s`;
      return {
        kind: 'deadline',
        cause: `the scrape is slower than its timeout: algo takes ${took} to render /metrics, against scrape_timeout${within}`,
        fix: 'raise scrape_timeout (below scrape_interval), or cut series (ALGO_MAX_CAMERAS) and look for a blocked event loop',
      };
    }
    const port = portOf(address);
    const firewall = viaDocker(address)
      ? `ufw allow in on docker0 to any port ${port} proto tcp`
      : `allow TCP port ${port} in the host firewall`;
    if (render === undefined) {
      return {
        kind: 'deadline',
        cause: `Prometheus got no answer from ${address} within scrape_timeout${within}: packets are dropped (a firewall) or whatever listens there accepts connections and never answers${context.algoAddress !== undefined && context.algoAddress !== address ? ` (algo itself answers at ${context.algoAddress}: is the target's address right?)` : ''}`,
        fix: `check what listens on ${address} (ss -ltnp 'sport = :${port}') and ${firewall}`,
      };
    }
    return {
      kind: 'deadline',
      cause: `Prometheus got no answer from ${address} within scrape_timeout${within} although algo answers the doctor in ${(render * 1000).toFixed(0)} ms: packets are dropped (a host firewall) or the target accepts connections and never answers (a hung process, or the wrong service on that port)`,
      fix: `${firewall}, and check what listens on the target address`,
    };
  }
  if (error.includes('content-type') || error.includes('content type')) {
    return {
      kind: 'content_type',
      cause: `${address} answers with a missing or unsupported Content-Type`,
      fix: 'scrape algo itself (text/plain; version=0.0.4); another server or a proxy answers this path',
    };
  }
  if (
    /expected a valid start token|parse|invalid metric|unexpected end of input|not a valid|expected (label|value|timestamp)/.test(error)
  ) {
    return {
      kind: 'parse_error',
      cause: `the scraped body is not in the Prometheus text format (an HTML or JSON page?): ${lastError}`,
      fix: "point the job at algo's metrics path; another service answers this URL",
    };
  }
  if (error.includes('no route to host') || error.includes('network is unreachable')) {
    return {
      kind: 'unreachable',
      cause: `no network route from Prometheus to ${address}`,
      fix: 'check the address, the Docker network, and the firewall',
    };
  }
  if (error.includes('x509') || error.includes('tls'))
    return {
      kind: 'tls',
      cause: `TLS failed: ${lastError}`,
      fix: "algo serves plain HTTP: set the job's scheme to http, or fix tls_config",
    };
  return { kind: 'other', cause: `Prometheus reports: ${lastError}`, fix: 'see docs/monitoring.md, "Troubleshooting"' };
}
