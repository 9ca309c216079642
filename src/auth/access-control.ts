// Who may use which route: the one decision every protected request goes through (the HTTP
// hook in http/route-access.ts asks it; the web console's login can ask it too). Tokens are
// kept as SHA-256 digests and compared in constant time; an address with too many failures is
// refused before any comparison; every refusal is counted by reason and logged through the
// rate-limited log (the first of each reason in full, then a summary per interval).
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { RateLimitedLog } from '../log/rate-limited-log.js';
import type { AuthFailureReason, AuthRecorder, CountOne } from '../metrics/recorders/auth-metrics.js';
import { show } from '../redact.js';
import { METRICS_TOKEN_NAME, readTokenFile, tokenDigest, type ApiToken, type TokenListResult } from './api-tokens.js';
import type { AuthConfig, AuthMode } from './auth-config.js';
import { FailureThrottle } from './failure-throttle.js';
import { isLoopback } from './loopback.js';
import type { Scope } from './scopes.js';

/** What a request needs: a scope, or `any` valid access (unmatched routes answer 404 only to those). */
export type Requirement = Scope | 'any';

export interface AccessGranted {
  readonly ok: true;
  /** The token that let the request through; undefined when none was needed (loopback, none). */
  readonly token: ApiToken | undefined;
}

export interface AccessRefused {
  readonly ok: false;
  readonly reason: AuthFailureReason;
  /** The scope that was needed (for the 403 answer and WWW-Authenticate). */
  readonly required: Requirement;
  /** Set for `forbidden`: the name of the token that lacks the scope. */
  readonly tokenName?: string;
  /** Set for `throttled`. */
  readonly retryAfterSeconds?: number;
  /** Set for `missing` and `not_loopback`: how to get in, worded for this case (the 401 answer). */
  readonly message?: string;
}

export type AccessResult = AccessGranted | AccessRefused;

export interface AccessControlOptions {
  config: AuthConfig;
  /** ALGO_METRICS_TOKEN: grants the metrics scope alone; while it is set, scrapes need a token in every mode. */
  metricsToken: string | undefined;
  recorder: AuthRecorder;
  throttledLog: RateLimitedLog;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  token: ApiToken;
  granted: AccessGranted;
  counters: Map<string, CountOne>;
}

/** RFC 9110 §11.1: the auth scheme is case-insensitive. */
const BEARER = /^bearer +(\S+) *$/i;
const TRUSTED: AccessGranted = { ok: true, token: undefined };
const SECURITY_DOC = 'see docs/security.md';

export class AccessControl {
  readonly mode: AuthMode;
  private readonly config: AuthConfig;
  private readonly metricsToken: ApiToken | undefined;
  private readonly throttle: FailureThrottle;
  private readonly recorder: AuthRecorder;
  private readonly throttledLog: RateLimitedLog;
  private readonly log: Logger;
  private entries: Entry[] = [];
  /** The API tokens' names: ALGO_METRICS_TOKEN is not one (it admits /metrics alone). */
  private apiTokenNames: string[] = [];
  private readonly revokedListeners = new Set<(names: ReadonlySet<string>) => void>();

  /** `tokens`: ALGO_API_TOKENS and the file's, when it was read (createAccessControl). */
  constructor(options: AccessControlOptions, tokens: readonly ApiToken[] = options.config.tokens) {
    this.config = options.config;
    this.mode = options.config.mode;
    this.metricsToken =
      options.metricsToken === undefined
        ? undefined
        : { name: METRICS_TOKEN_NAME, scopes: new Set<Scope>(['metrics']), digest: tokenDigest(options.metricsToken) };
    this.throttle = new FailureThrottle(options.config.throttle, options.now);
    this.recorder = options.recorder;
    this.throttledLog = options.throttledLog;
    this.log = options.logger.child({ component: 'auth' });
    this.setTokens(tokens);
  }

  /** Names of the API tokens in use (ALGO_METRICS_TOKEN is not one). */
  get tokenNames(): readonly string[] {
    return this.apiTokenNames;
  }

  /** Addresses the failure throttle remembers now (bounded by ALGO_AUTH_MAX_CLIENTS). */
  get throttledAddresses(): number {
    return this.throttle.size;
  }

  /**
   * The decision for one request: `required` is the route's scope, `address` the socket's
   * remote address, `authorization` the Authorization header. Public routes never get here.
   */
  check(required: Requirement, address: string | undefined, authorization: string | undefined, route: string): AccessResult {
    const fromLoopback = isLoopback(address);
    const needsToken =
      (required === 'metrics' && this.metricsToken !== undefined) || this.mode === 'tokens' || (this.mode === 'loopback' && !fromLoopback);
    if (!needsToken) return TRUSTED;
    const client = address ?? 'unknown';
    const wait = this.throttle.retryAfterSeconds(client);
    if (wait > 0) return this.refuse({ reason: 'throttled', required, retryAfterSeconds: wait }, client, route);
    const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (presented === undefined) return this.refuseWithoutToken(required, fromLoopback, client, route);
    const entry = this.find(presented);
    if (entry === undefined) {
      this.throttle.recordFailure(client);
      return this.refuse({ reason: 'invalid', required }, client, route);
    }
    // A scrape credential is no access to the API: an unknown URL stays hidden from it.
    if (required === 'any' && entry.token === this.metricsToken) return this.refuseWithoutToken(required, fromLoopback, client, route);
    if (required !== 'any') {
      const counter = entry.counters.get(required);
      if (counter === undefined) {
        return this.refuse({ reason: 'forbidden', required, tokenName: entry.token.name }, client, route);
      }
      counter.inc();
    }
    return entry.granted;
  }

  /**
   * A token string as a login form would check it: its name and scopes, or why not (a bad
   * token counts towards the address's failures; a throttled address is refused first).
   */
  authenticate(
    token: string,
    address: string | undefined,
  ): { ok: true; name: string; scopes: ReadonlySet<Scope> } | { ok: false; reason: 'invalid' | 'throttled'; retryAfterSeconds: number } {
    const client = address ?? 'unknown';
    const wait = this.throttle.retryAfterSeconds(client);
    if (wait > 0) {
      this.recorder.failure('throttled');
      return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
    }
    const entry = this.find(token);
    if (entry === undefined) {
      this.throttle.recordFailure(client);
      this.recorder.failure('invalid');
      return { ok: false, reason: 'invalid', retryAfterSeconds: 0 };
    }
    return { ok: true, name: entry.token.name, scopes: entry.token.scopes };
  }

  /**
   * Calls `listener` after a reload with the names of the tokens it removed or replaced, so
   * what was opened with them (event streams) can end; returns the unsubscribe.
   */
  onRevoked(listener: (names: ReadonlySet<string>) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Re-reads ALGO_API_TOKENS_FILE (SIGHUP); on a bad file the current tokens stay, and why is logged. */
  async reload(): Promise<TokenListResult> {
    if (this.config.tokensFile === undefined) return { ok: true, tokens: [...this.config.tokens] };
    const loaded = await readTokenFile(this.config.tokensFile, this.config.tokens);
    if (!loaded.ok) {
      this.log.warn({ file: this.config.tokensFile, problem: loaded.problem }, 'API tokens not reloaded; the current tokens stay in use');
      return loaded;
    }
    const before = this.entries;
    this.setTokens(loaded.tokens);
    this.log.info({ tokens: this.tokenNames }, 'API tokens reloaded');
    const kept = new Set(this.entries.map((entry) => entry.token.digest.toString('hex')));
    const revoked = new Set(before.filter((entry) => !kept.has(entry.token.digest.toString('hex'))).map((entry) => entry.token.name));
    if (revoked.size > 0) for (const listener of this.revokedListeners) listener(revoked);
    return loaded;
  }

  /** Every configured digest is compared (no early exit), each in constant time. */
  private find(token: string): Entry | undefined {
    const digest = tokenDigest(token);
    let found: Entry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.token.digest) && found === undefined) found = entry;
    }
    return found;
  }

  private setTokens(tokens: readonly ApiToken[]): void {
    const all = this.metricsToken === undefined ? [...tokens] : [...tokens, this.metricsToken];
    const counters = this.recorder.tokensConfigured(all);
    this.entries = all.map((token) => ({ token, granted: { ok: true, token }, counters: counters.get(token.name) ?? new Map() }));
    this.apiTokenNames = tokens.map((token) => token.name);
  }

  /** No API token: `not_loopback` from another host in loopback mode, else `missing`; the message says how to get in. */
  private refuseWithoutToken(required: Requirement, fromLoopback: boolean, client: string, route: string): AccessRefused {
    const reason = this.mode === 'loopback' && !fromLoopback ? 'not_loopback' : 'missing';
    return this.refuse({ reason, required, message: this.missingMessage(reason, required) }, client, route);
  }

  private missingMessage(reason: 'missing' | 'not_loopback', required: Requirement): string {
    const scope = required === 'any' ? 'a' : `a "${required}"-scope`;
    const send = `send "Authorization: Bearer <token>" with ${scope} token`;
    if (required === 'metrics' && this.metricsToken !== undefined)
      return `A bearer token is required to scrape (ALGO_METRICS_TOKEN, or an API token with the metrics scope): ${send}`;
    if (reason === 'missing') return `A bearer token is required: ${send}`;
    if (this.apiTokenNames.length === 0)
      return `This API answers only clients on its own machine (ALGO_API_AUTH=loopback). To use it from another host, configure API tokens (ALGO_API_TOKENS or ALGO_API_TOKENS_FILE) and ${send}, or opt out with ALGO_API_AUTH=none; ${SECURITY_DOC}`;
    return `From another host this API needs a bearer token: ${send}; ${SECURITY_DOC}`;
  }

  private refuse(why: Omit<AccessRefused, 'ok'>, client: string, route: string): AccessRefused {
    const refused: AccessRefused = { ok: false, ...why };
    this.recorder.failure(refused.reason);
    const level = refused.reason === 'missing' || refused.reason === 'not_loopback' ? 'info' : 'warn';
    this.throttledLog.log(
      level,
      `auth ${refused.reason}`,
      {
        reason: refused.reason,
        client,
        route,
        scope: refused.required,
        ...(refused.tokenName === undefined ? {} : { tokenName: refused.tokenName }),
      },
      'API request refused by access control',
    );
    return refused;
  }
}

/**
 * Builds access control from its settings, reading ALGO_API_TOKENS_FILE: a bad file at start-up
 * is a ConfigError naming the variable and the line, never a token.
 */
export async function createAccessControl(options: AccessControlOptions): Promise<AccessControl> {
  const { config } = options;
  if (config.tokensFile === undefined) return new AccessControl(options);
  const loaded = await readTokenFile(config.tokensFile, config.tokens);
  if (!loaded.ok)
    throw new ConfigError(
      'ALGO_API_TOKENS_FILE',
      show(config.tokensFile),
      `a readable file of name:scope+scope=token (or =sha256:<hex>) lines (${loaded.problem})`,
    );
  return new AccessControl(options, loaded.tokens);
}
