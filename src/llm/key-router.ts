// Spreads LLM requests over a pool of API keys and keeps each request alive when keys fail.
//
// Selection: among usable keys, the one with the fewest requests in flight, ties broken
// round-robin; a key already tried by this request is used again only when no other is
// usable. A key is unusable while disabled, cooling down, over its rpm limit, or while it
// is on probation with a request in flight: a key not yet proven by an answer (new, or
// re-enabled by a reload) and a key whose circuit is half-open take one request at a time,
// so a revoked key costs one failed request, not one per concurrent caller.
//
// Outcomes (the attempt function classifies the provider's answer):
// - rate_limited (429): cool down for Retry-After, else exponential backoff with equal
//   jitter (1 s, 2 s, 4 s … ≤ 60 s); retry at once on another key.
// - unauthorized (401/403) and quota_exhausted (429 insufficient_quota): disabled; one
//   warning naming the key_id; retry on another key. After `disabledRetryMs` (0 = never) one
//   request probes it again: an answer that passes authentication enables it, another refusal
//   starts the interval again, so a revoked key costs one request per interval. A reload of
//   the keys enables it at once.
// - server_error, timeout, bad_response: retry after a short backoff; `breakerThreshold`
//   such failures in a row open the key's circuit for `breakerCooldownMs` (doubled on each
//   failed half-open probe, ≤ 10 min); after it one probe request decides (circuit breaker
//   as in Nygard, "Release It!").
// When no key is usable but one rate-limited (or rpm-capped, or new and busy) key recovers
// before the deadline, the request waits for it (waits do not count as attempts); keys whose
// circuit is open are not waited for. A timeout cut by the request's own deadline does not
// count against the key. Never more than maxAttempts attempts; the caller's
// abort signal cancels the attempt in flight.
import type { Logger } from 'pino';
import type { LlmErrorCode } from '../errors.js';
import type { ApiKeyRecorder, KeyStateSnapshot } from '../metrics/recorders/api-key-metrics.js';
import type { ModelLlmRecorder } from '../metrics/recorders/llm-metrics.js';
import type { ApiKeySpec } from './api-keys.js';
import { FAILURE_CODE, KEY_OUTCOME, LLM_STATUS, type AttemptOutcome } from './attempt-outcome.js';

export type { AttemptOutcome } from './attempt-outcome.js';

export interface KeyLease {
  readonly keyId: string;
  readonly secret: string;
}

/** One attempt on one key. It may throw on abort; any other throw counts as server_error. */
export type Attempt<T> = (lease: KeyLease, signal: AbortSignal) => Promise<AttemptOutcome<T>>;

export interface RouteOptions {
  /** Absolute time (router clock, ms) after which no attempt starts and the one in flight is cut. */
  deadlineMs: number;
  /** Longest single attempt. */
  attemptTimeoutMs: number;
  /** The caller's abort (client gone, shutdown). */
  signal?: AbortSignal | undefined;
}

export type RouteResult<T> =
  { ok: true; value: T; keyId: string; attempts: number } | { ok: false; error: LlmErrorCode; keyId: string | undefined; attempts: number };

export interface KeyRouterOptions {
  maxAttempts: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  recorder?: ApiKeyRecorder;
  /** llm_requests_total / llm_latency_seconds of the provider and model behind the keys. */
  llmRecorder?: Pick<ModelLlmRecorder, 'attempt'>;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Clock in ms; tests pass their own. */
  now?: () => number;
  random?: () => number;
  /** First backoff after a failed attempt (doubles per attempt, equal jitter). */
  retryBackoffMs?: number;
  /** A disabled key is probed again with one request after this long; 0 or absent = never. */
  disabledRetryMs?: number;
}

const RATE_LIMIT_BASE_MS = 1000;
const RATE_LIMIT_MAX_MS = 60_000;
const RETRY_AFTER_MAX_MS = 24 * 3600_000;
const BREAKER_MAX_MS = 600_000;
const RPM_WINDOW_MS = 60_000;
const DEADLINE_CUT_SHARE = 0.9;

interface KeyState {
  spec: ApiKeySpec;
  inFlight: number;
  /** Router-clock ms until which the key rests; 0 = not cooling. */
  cooldownUntil: number;
  cooldownCause: 'rate_limited' | 'breaker' | undefined;
  disabled: 'unauthorized' | 'quota_exhausted' | undefined;
  /** Router-clock ms of the latest refusal of a disabled key. */
  disabledAt: number;
  consecutiveFailures: number;
  rateLimitStreak: number;
  breakerCooldownMs: number;
  probing: boolean;
  /** Has answered (200 or 429) since it was added or re-enabled. */
  proven: boolean;
  /** Start times of the last `rpm` requests (only when rpm is set). */
  starts: number[];
}

class AbortedByCaller extends Error {}

/** Answers that prove the provider accepts the key (a 429 rate limit and a 400 come after authentication). */
const ACCEPTED: ReadonlySet<AttemptOutcome<unknown>['kind']> = new Set(['success', 'rate_limited', 'rejected']);

export class KeyRouter {
  private keys: KeyState[] = [];
  private cursor = 0;
  private wakers = new Set<() => void>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly retryBackoffMs: number;
  private readonly disabledRetryMs: number;

  constructor(private readonly options: KeyRouterOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retryBackoffMs = options.retryBackoffMs ?? 50;
    this.disabledRetryMs = options.disabledRetryMs ?? 0;
    options.recorder?.observeKeyStates(() => this.states());
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Replaces the pool (start-up and reload). A key still listed keeps its cooldown and
   * counters but is enabled again: a reload is how an operator says "this key is fixed".
   */
  setKeys(specs: readonly ApiKeySpec[]): void {
    const previous = new Map(this.keys.map((key) => [key.spec.secret, key]));
    this.keys = specs.map((spec) => {
      const kept = previous.get(spec.secret);
      if (kept !== undefined)
        return Object.assign(kept, kept.disabled === undefined ? { spec } : { spec, disabled: undefined, proven: false });
      return {
        spec,
        inFlight: 0,
        cooldownUntil: 0,
        cooldownCause: undefined,
        disabled: undefined,
        disabledAt: 0,
        consecutiveFailures: 0,
        rateLimitStreak: 0,
        breakerCooldownMs: this.options.breakerCooldownMs,
        probing: false,
        proven: false,
        starts: [],
      };
    });
    this.cursor = 0;
    this.wake();
  }

  /** Each key's state for api_key_state / api_key_cooldown_until_seconds, in wall-clock ms. */
  states(): KeyStateSnapshot[] {
    const now = this.now();
    const toWallClock = Date.now() - now;
    return this.keys.map((key) => {
      if (key.disabled !== undefined) return { keyId: key.spec.keyId, state: 'disabled', cooldownUntilMs: undefined };
      if (key.cooldownUntil > now)
        return { keyId: key.spec.keyId, state: 'cooling_down', cooldownUntilMs: key.cooldownUntil + toWallClock };
      return { keyId: key.spec.keyId, state: 'healthy', cooldownUntilMs: undefined };
    });
  }

  async route<T>(attempt: Attempt<T>, options: RouteOptions): Promise<RouteResult<T>> {
    const tried = new Set<KeyState>();
    let attempts = 0;
    let last: { kind: AttemptOutcome<T>['kind']; keyId: string } | undefined;
    // The key of the latest attempt, also when the caller's abort cut it (no outcome then).
    let lastTried: string | undefined;
    const fail = (error: LlmErrorCode): RouteResult<T> => ({ ok: false, error, keyId: lastTried, attempts });
    try {
      while (attempts < this.options.maxAttempts) {
        if (options.signal?.aborted === true) return fail('llm_aborted');
        if (this.now() >= options.deadlineMs) return fail('llm_timeout');
        const key = this.pick(tried);
        if (key === undefined) {
          const wait = this.waitForKey(options);
          if (typeof wait === 'string') return fail(wait);
          await this.sleepUntil(wait.until, options);
          continue;
        }
        if (last !== undefined && last.kind !== 'rate_limited' && last.kind !== 'unauthorized' && last.kind !== 'quota_exhausted') {
          // Transient upstream trouble: back off a little before the next attempt, within the deadline.
          const backoff = this.jitter(this.retryBackoffMs * 2 ** (attempts - 1));
          await this.sleepUntil(Math.min(this.now() + backoff, options.deadlineMs), options, false);
          if (this.now() >= options.deadlineMs) return fail('llm_timeout');
          if (!this.usable(key, this.now())) continue;
        }
        tried.add(key);
        attempts++;
        lastTried = key.spec.keyId;
        const outcome = await this.attemptOn(key, attempt, options);
        last = { kind: outcome.kind, keyId: key.spec.keyId };
        if (outcome.kind === 'success') return { ok: true, value: outcome.value, keyId: key.spec.keyId, attempts };
        if (outcome.kind === 'rejected') break;
      }
      return fail(last === undefined ? 'llm_unavailable' : FAILURE_CODE[last.kind]);
    } catch (error) {
      if (error instanceof AbortedByCaller) return fail('llm_aborted');
      throw error;
    }
  }

  private async attemptOn<T>(key: KeyState, attempt: Attempt<T>, options: RouteOptions): Promise<AttemptOutcome<T>> {
    const now = this.now();
    key.inFlight++;
    if (key.cooldownCause === 'breaker') key.probing = true;
    if (key.spec.rpm !== undefined) {
      key.starts.push(now);
      if (key.starts.length > key.spec.rpm) key.starts.shift();
    }
    const started = performance.now();
    const timeout = new AbortController();
    // Given less than 90 % of its attempt timeout because the request's deadline was closer
    // (time spent queuing in algo or on earlier attempts), a timeout says nothing about the
    // key: it counts as an attempt, never against the key. (The 10 % leaves the key blamed when
    // ALGO_LLM_ATTEMPT_TIMEOUT_MS equals the whole deadline and only a few ms went on preparing.)
    const cutByDeadline = options.deadlineMs - now < options.attemptTimeoutMs * DEADLINE_CUT_SHARE;
    const timer = setTimeout(() => timeout.abort(), Math.max(0, Math.min(options.attemptTimeoutMs, options.deadlineMs - now)));
    const signal = options.signal === undefined ? timeout.signal : AbortSignal.any([options.signal, timeout.signal]);
    let outcome: AttemptOutcome<T>;
    try {
      outcome = await attempt({ keyId: key.spec.keyId, secret: key.spec.secret }, signal);
      if (outcome.kind !== 'success' && timeout.signal.aborted) outcome = { kind: 'timeout' };
    } catch {
      outcome = timeout.signal.aborted ? { kind: 'timeout' } : { kind: 'server_error', status: undefined };
    } finally {
      clearTimeout(timer);
      key.inFlight--;
    }
    if (options.signal?.aborted === true) {
      // The caller left: neither the key's fault nor a result. Free a half-open probe slot.
      key.probing = false;
      this.wake();
      throw new AbortedByCaller();
    }
    this.options.llmRecorder?.attempt(LLM_STATUS[outcome.kind], (performance.now() - started) / 1000);
    if (outcome.kind === 'timeout' && cutByDeadline && timeout.signal.aborted) {
      key.probing = false;
    } else {
      this.settle(key, outcome);
      this.options.recorder?.recordKeyOutcome(key.spec.keyId, KEY_OUTCOME[outcome.kind]);
    }
    this.wake();
    return outcome;
  }

  private settle(key: KeyState, outcome: AttemptOutcome<unknown>): void {
    const now = this.now();
    const wasProbe = key.probing;
    key.probing = false;
    if (key.disabled !== undefined && outcome.kind !== 'unauthorized' && outcome.kind !== 'quota_exhausted') {
      if (!ACCEPTED.has(outcome.kind)) {
        // The probe learnt nothing about the key: wait another interval.
        key.disabledAt = now;
        return;
      }
      key.disabled = undefined;
      this.options.logger?.info({ key_id: key.spec.keyId }, `LLM API key ${key.spec.keyId} enabled again: a probe request was accepted`);
    }
    switch (outcome.kind) {
      case 'success':
        key.proven = true;
        key.consecutiveFailures = 0;
        key.rateLimitStreak = 0;
        if (key.cooldownCause === 'breaker') {
          key.cooldownCause = undefined;
          key.breakerCooldownMs = this.options.breakerCooldownMs;
          this.options.logger?.info({ key_id: key.spec.keyId }, 'LLM API key circuit closed after a successful probe');
        }
        return;
      case 'rate_limited': {
        key.proven = true;
        key.rateLimitStreak++;
        const rest =
          outcome.retryAfterMs !== undefined
            ? Math.min(outcome.retryAfterMs, RETRY_AFTER_MAX_MS)
            : this.jitter(Math.min(RATE_LIMIT_BASE_MS * 2 ** (key.rateLimitStreak - 1), RATE_LIMIT_MAX_MS));
        this.coolDown(key, now + rest, 'rate_limited');
        return;
      }
      case 'unauthorized':
      case 'quota_exhausted':
        key.disabledAt = now;
        key.proven = false;
        if (key.disabled === undefined) {
          key.disabled = outcome.kind;
          const why =
            outcome.kind === 'unauthorized'
              ? `the API answered ${outcome.status}`
              : 'its quota or billing is exhausted (insufficient_quota)';
          this.options.logger?.warn(
            { key_id: key.spec.keyId, reason: outcome.kind },
            `LLM API key ${key.spec.keyId} disabled until the keys are reloaded${this.disabledRetryMs > 0 ? ` or a probe request ${this.disabledRetryMs / 1000} s later is accepted` : ''}: ${why}`,
          );
        }
        return;
      case 'rejected':
        return;
      case 'server_error':
      case 'timeout':
      case 'bad_response':
        key.consecutiveFailures++;
        if (wasProbe) key.breakerCooldownMs = Math.min(key.breakerCooldownMs * 2, BREAKER_MAX_MS);
        if (wasProbe || key.consecutiveFailures >= this.options.breakerThreshold) {
          this.coolDown(key, now + key.breakerCooldownMs, 'breaker');
          this.options.logger?.warn(
            { key_id: key.spec.keyId, failures: key.consecutiveFailures, cooldownMs: key.breakerCooldownMs },
            `LLM API key ${key.spec.keyId} circuit open after repeated failures`,
          );
        }
        return;
    }
  }

  private coolDown(key: KeyState, until: number, cause: 'rate_limited' | 'breaker'): void {
    if (until > key.cooldownUntil) key.cooldownUntil = until;
    // A breaker outranks a rate limit: its end is followed by a single probe.
    if (cause === 'breaker' || key.cooldownCause !== 'breaker') key.cooldownCause = cause;
  }

  private usable(key: KeyState, now: number): boolean {
    if (key.disabled !== undefined && (this.disabledRetryMs === 0 || now < key.disabledAt + this.disabledRetryMs)) return false;
    if (key.cooldownUntil > now) return false;
    if (this.onProbation(key) && key.inFlight > 0) return false;
    if (key.spec.rpm !== undefined && key.starts.length >= key.spec.rpm && key.starts[0]! > now - RPM_WINDOW_MS) return false;
    return true;
  }

  private pick(tried: ReadonlySet<KeyState>): KeyState | undefined {
    const now = this.now();
    const count = this.keys.length;
    let best: KeyState | undefined;
    let bestIndex = 0;
    for (const preferUntried of [true, false]) {
      for (let offset = 0; offset < count; offset++) {
        const index = (this.cursor + offset) % count;
        const key = this.keys[index]!;
        if ((preferUntried && tried.has(key)) || !this.usable(key, now)) continue;
        if (best === undefined || key.inFlight < best.inFlight) {
          best = key;
          bestIndex = index;
        }
      }
      if (best !== undefined) break;
    }
    if (best !== undefined) this.cursor = (bestIndex + 1) % count;
    return best;
  }

  /** One request at a time: an unproven key, or a half-open circuit. */
  private onProbation(key: KeyState): boolean {
    return !key.proven || key.cooldownCause === 'breaker';
  }

  /**
   * Router-clock time when a key worth waiting for may become usable: the end of a 429 rest
   * or of an rpm window, or Infinity while a new key's first request is in flight (its end
   * wakes the waiters). Keys whose circuit is open or half-open are not waited for: their
   * upstream is failing, and a request would only spend its deadline to learn it. Undefined
   * when no key is worth waiting for.
   */
  private nextRecovery(): number | undefined {
    let earliest: number | undefined;
    const now = this.now();
    for (const key of this.keys) {
      if (key.disabled !== undefined || key.cooldownCause === 'breaker') continue;
      let at = key.cooldownUntil;
      if (key.spec.rpm !== undefined && key.starts.length >= key.spec.rpm) at = Math.max(at, key.starts[0]! + RPM_WINDOW_MS);
      if (this.onProbation(key) && key.inFlight > 0 && at <= now) at = Number.POSITIVE_INFINITY;
      earliest = earliest === undefined ? at : Math.min(earliest, at);
    }
    return earliest;
  }

  /** When no key is usable: how long to wait (until a router-clock time), or the error to give. */
  private waitForKey(options: RouteOptions): { until: number } | LlmErrorCode {
    if (this.keys.length === 0) return 'llm_unavailable';
    if (this.keys.every((key) => key.disabled !== undefined)) return 'all_keys_disabled';
    const recovery = this.nextRecovery();
    if (recovery === undefined || (Number.isFinite(recovery) && recovery >= options.deadlineMs)) return 'all_keys_cooling_down';
    return { until: recovery };
  }

  /** Sleeps until `until` (capped by the deadline), the caller's abort, or (when wakeable) a pool change. */
  private sleepUntil(until: number, options: RouteOptions, wakeable = true): Promise<void> {
    const ms = Math.max(0, Math.min(until, options.deadlineMs) - this.now());
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        options.signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = (): void => {
        done();
        reject(new AbortedByCaller());
      };
      const timer = setTimeout(done, ms);
      if (wakeable) this.wakers.add(done);
      if (options.signal?.aborted === true) aborted();
      else options.signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  private wake(): void {
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }

  private jitter(ms: number): number {
    return ms / 2 + (this.random() * ms) / 2;
  }
}
