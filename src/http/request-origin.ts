// Where a request comes from, as a browser says it, for two refusals browsers make necessary:
// - a state-changing request sent by another site's page (a cross-site form or no-cors
//   fetch: POST /api/v1/analyze spends LLM money, reconnect restarts a camera) — refused with
//   403 cross_site when Sec-Fetch-Site says cross-site/same-site or Origin names another host;
//   clients that are not browsers send neither header and are not affected;
// - DNS rebinding: a page of evil.example whose name was made to resolve to 127.0.0.1 talks to
//   algo as "same-origin", with Host: evil.example. A request admitted without a token (loopback
//   mode, or ALGO_API_AUTH=none) must be addressed to this machine: localhost, an IP address,
//   this host's name, or a name in ALGO_ALLOWED_HOSTS (a reverse proxy's public name). Only
//   browsers are held to it (they send Sec-Fetch-* or Origin, or call themselves Mozilla):
//   scripts and tools cannot be rebound and may send any Host.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { AlgoError, crossSite } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 403 cross_site for a state-changing request a browser sent from another site's page; undefined
 * otherwise. Public routes (the console's login and logout forms) answer such requests themselves.
 */
export function crossSiteRefusal(request: FastifyRequest): AlgoError | undefined {
  if (SAFE_METHODS.has(request.method) || request.routeOptions.config?.scope === 'public') return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none' ? undefined : crossSite();
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return crossSite();
  }
  return originHost.toLowerCase() === (request.headers.host ?? '').toLowerCase() ? undefined : crossSite();
}

/** The host part of a Host header value (no port, IPv6 brackets removed), lower case. */
export function hostOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/** Decides whether a Host header names this machine (or a name configured for it). */
export function trustedHosts(allowed: readonly string[], machine = hostname()): (header: string | undefined) => boolean {
  const names = new Set([...allowed.map((name) => name.toLowerCase()), machine.toLowerCase(), 'localhost']);
  return (header) => {
    if (header === undefined) return true; // HTTP/1.0 without Host: no browser sends that
    const host = hostOf(header);
    return names.has(host) || host.endsWith('.localhost') || isIP(host) !== 0;
  };
}

/** Whether a request comes from a web browser (the only kind of client DNS rebinding can use). */
export function fromBrowser(request: FastifyRequest): boolean {
  const { headers } = request;
  return (
    headers['sec-fetch-mode'] !== undefined ||
    headers.origin !== undefined ||
    (typeof headers['user-agent'] === 'string' && headers['user-agent'].startsWith('Mozilla/'))
  );
}

/** 403 untrusted_host: a request admitted without a token that is addressed to a name not this machine's. */
export function untrustedHost(host: string): AlgoError {
  return new AlgoError(
    'untrusted_host',
    `Requests admitted without a token must be addressed to this machine (localhost, an IP address, its host name or ALGO_ALLOWED_HOSTS); Host ${JSON.stringify(host.slice(0, 100))} is not`,
  );
}
