// The key router on its own: attempts are plain functions, the clock is the test's where
// cooldown lengths are checked, real (and short) where the router must actually wait.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiKeySpec } from '../../src/llm/api-keys.js';
import { KeyRouter, type Attempt, type AttemptOutcome, type KeyRouterOptions } from '../../src/llm/key-router.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { renderMetrics } from '../../src/metrics/render.js';

const spec = (keyId: string, rpm?: number): ApiKeySpec => ({ keyId, secret: `secret-of-${keyId}`, rpm });
const ok = { kind: 'success', value: 'done' } as const;

interface Harness {
  router: KeyRouter;
  clock: { now: number };
  warnings: Array<{ fields: Record<string, unknown>; msg: string }>;
}

function harness(keys: ApiKeySpec[], options: Partial<KeyRouterOptions> & { realClock?: boolean } = {}): Harness {
  const clock = { now: 1_000_000 };
  const warnings: Harness['warnings'] = [];
  const router = new KeyRouter({
    maxAttempts: 3,
    breakerThreshold: 3,
    breakerCooldownMs: 30_000,
    retryBackoffMs: 0,
    now: options.realClock === true ? Date.now : () => clock.now,
    logger: {
      warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ fields, msg }),
      info: () => undefined,
    } as unknown as KeyRouterOptions['logger'],
    ...options,
  });
  router.setKeys(keys);
  return { router, clock, warnings };
}

/** An attempt answering from a per-key script; records which key each call used. */
function scripted(script: Record<string, (n: number) => AttemptOutcome<string>>, calls: string[] = []): Attempt<string> {
  const counts = new Map<string, number>();
  return async (lease) => {
    const n = counts.get(lease.keyId) ?? 0;
    counts.set(lease.keyId, n + 1);
    calls.push(lease.keyId);
    return (script[lease.keyId] ?? (() => ok))(n);
  };
}

/** A route on the harness clock with `deadlineMs` to go. */
const route = (h: Harness, attempt: Attempt<string>, deadlineMs = 10_000) =>
  h.router.route(attempt, { deadlineMs: h.clock.now + deadlineMs, attemptTimeoutMs: 5_000 });
const stateOf = (h: Harness, keyId: string) => h.router.states().find((key) => key.keyId === keyId);

describe('key router', () => {
  test('sequential requests rotate round-robin over healthy keys', async () => {
    const h = harness([spec('a'), spec('b'), spec('c')]);
    const calls: string[] = [];
    for (let i = 0; i < 6; i++) assert.equal((await route(h, scripted({}, calls))).ok, true);
    assert.deepEqual(calls, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test('concurrent requests go to the key with the fewest in flight', async () => {
    const h = harness([spec('a'), spec('b'), spec('c')]);
    const releases: Array<() => void> = [];
    const used: string[] = [];
    const held: Attempt<string> = (lease) => {
      used.push(lease.keyId);
      return new Promise((resolve) => releases.push(() => resolve(ok)));
    };
    const pending = [route(h, held), route(h, held)];
    releases.shift()!(); // a finishes; b is still busy
    await pending[0];
    pending.push(route(h, held), route(h, held));
    assert.deepEqual(used, ['a', 'b', 'c', 'a'], 'c (idle) before a; then a (idle again) before busy b');
    for (const release of releases) release();
    await Promise.all(pending);
  });

  test('429 with Retry-After rests the key for exactly that long and the request succeeds on another key', async () => {
    const h = harness([spec('limited'), spec('good')]);
    const calls: string[] = [];
    const attempt = scripted({ limited: () => ({ kind: 'rate_limited', retryAfterMs: 5_000 }) }, calls);
    const result = await route(h, attempt);
    assert.deepEqual(result, { ok: true, value: 'done', keyId: 'good', attempts: 2 });
    const limited = stateOf(h, 'limited');
    assert.equal(limited?.state, 'cooling_down');
    assert.ok(
      Math.abs(limited!.cooldownUntilMs! - Date.now() - 5_000) < 100,
      `cooldown ends ${limited!.cooldownUntilMs! - Date.now()} ms from now`,
    );
    h.clock.now += 4_999;
    await route(h, attempt);
    assert.deepEqual(calls, ['limited', 'good', 'good'], 'still resting 1 ms before its Retry-After ends');
    h.clock.now += 1;
    assert.equal(stateOf(h, 'limited')?.state, 'healthy');
    await route(h, attempt);
    assert.equal(calls[3], 'limited', 'tried again once its rest is over');
  });

  test('429 without Retry-After backs off exponentially with jitter', async () => {
    let random = 1;
    const h = harness([spec('a'), spec('b')], { random: () => random });
    const attempt = scripted({ a: () => ({ kind: 'rate_limited', retryAfterMs: undefined }) });
    const restOfA = (): number => stateOf(h, 'a')!.cooldownUntilMs! - Date.now();
    await route(h, attempt);
    assert.ok(Math.abs(restOfA() - 1_000) < 100, `first rest ${restOfA()}`);
    h.clock.now += 1_000;
    random = 0;
    await route(h, attempt); // b (round-robin) then nothing on a
    await route(h, attempt); // a again: second 429 in a row → 2 s, jitter 0 → 1 s
    assert.ok(Math.abs(restOfA() - 1_000) < 100, `second rest with zero jitter ${restOfA()}`);
    h.clock.now += 1_000;
    random = 1;
    await route(h, attempt);
    await route(h, attempt);
    assert.ok(Math.abs(restOfA() - 4_000) < 100, `third rest ${restOfA()}`);
  });

  for (const [what, outcome] of [
    ['401', { kind: 'unauthorized', status: 401 }],
    ['403', { kind: 'unauthorized', status: 403 }],
    ['429 insufficient_quota', { kind: 'quota_exhausted' }],
  ] as const) {
    test(`${what} disables the key until reload with one warning naming it, and it gets no more requests`, async () => {
      const h = harness([spec('revoked'), spec('good')]);
      const calls: string[] = [];
      const attempt = scripted({ revoked: () => outcome }, calls);
      for (let i = 0; i < 5; i++) assert.equal((await route(h, attempt)).ok, true);
      assert.deepEqual(
        calls.filter((k) => k === 'revoked'),
        ['revoked'],
      );
      assert.equal(stateOf(h, 'revoked')?.state, 'disabled');
      assert.equal(h.warnings.length, 1);
      assert.equal(h.warnings[0]?.fields.key_id, 'revoked');
      assert.match(h.warnings[0]!.msg, /revoked disabled until the keys are reloaded/);
      h.router.setKeys([spec('revoked'), spec('good')]);
      assert.equal(stateOf(h, 'revoked')?.state, 'healthy', 'a reload enables it again');
    });
  }

  test('a new key takes one request at a time until it answers: a revoked key costs one request however many callers', async () => {
    const h = harness([spec('revoked'), spec('good')], { realClock: true });
    const calls: string[] = [];
    const attempt: Attempt<string> = async (lease) => {
      calls.push(lease.keyId);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return lease.keyId === 'revoked' ? { kind: 'unauthorized', status: 401 } : ok;
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.router.route(attempt, { deadlineMs: Date.now() + 5_000, attemptTimeoutMs: 5_000 })),
    );
    assert.ok(results.every((r) => r.ok));
    assert.equal(calls.filter((k) => k === 'revoked').length, 1);
    assert.equal(calls.filter((k) => k === 'good').length, 8);
  });

  test('every key disabled: all_keys_disabled, without further attempts', async () => {
    const h = harness([spec('a'), spec('b')]);
    const calls: string[] = [];
    const result = await route(
      h,
      scripted({ a: () => ({ kind: 'unauthorized', status: 401 }), b: () => ({ kind: 'quota_exhausted' }) }, calls),
    );
    assert.deepEqual(result, { ok: false, error: 'all_keys_disabled', keyId: 'b', attempts: 2 });
    assert.deepEqual(await route(h, scripted({}, calls)), { ok: false, error: 'all_keys_disabled', keyId: undefined, attempts: 0 });
    assert.deepEqual(calls, ['a', 'b']);
  });

  test('a disabled key is probed again by one request per interval: an accepted probe enables it, a refusal waits another interval', async () => {
    const h = harness([spec('a'), spec('b'), spec('q')], { disabledRetryMs: 600_000 });
    const answers: Record<string, AttemptOutcome<string>> = {
      a: { kind: 'unauthorized', status: 401 },
      q: { kind: 'quota_exhausted' },
    };
    const calls: string[] = [];
    const attempt = scripted({ a: () => answers.a ?? ok, q: () => answers.q ?? ok }, calls);
    const burst = async (n: number) => {
      calls.length = 0;
      const results = await Promise.all(Array.from({ length: n }, () => route(h, attempt)));
      assert.ok(results.every((r) => r.ok));
      return { a: calls.filter((k) => k === 'a').length, q: calls.filter((k) => k === 'q').length };
    };
    await burst(3);
    assert.deepEqual([stateOf(h, 'a')?.state, stateOf(h, 'q')?.state], ['disabled', 'disabled']);
    h.clock.now += 599_999;
    assert.deepEqual(await burst(6), { a: 0, q: 0 }, 'not before the interval');
    h.clock.now += 1;
    assert.deepEqual(await burst(6), { a: 1, q: 1 }, 'one probe each, however many callers');
    assert.deepEqual(await burst(6), { a: 0, q: 0 }, 'refused again: another interval');
    h.clock.now += 600_000;
    answers.a = ok;
    answers.q = { kind: 'rate_limited', retryAfterMs: 5_000 };
    const accepted = await burst(6);
    assert.ok(accepted.a >= 1 && accepted.q === 1, JSON.stringify(accepted));
    assert.equal(stateOf(h, 'a')?.state, 'healthy');
    assert.equal(stateOf(h, 'q')?.state, 'cooling_down', 'a 429 rate limit means the key is accepted again');
    assert.ok((await burst(6)).a > 1, 'in rotation again');
    assert.ok(
      h.warnings.some((w) =>
        /a disabled until the keys are reloaded or a probe request 600 s later is accepted: the API answered 401/.test(w.msg),
      ),
    );

    // 0 (ALGO_LLM_DISABLED_RETRY_S=0): disabled until the keys are reloaded, as before.
    const never = harness([spec('a'), spec('b')], { disabledRetryMs: 0 });
    const neverCalls: string[] = [];
    const refusing = scripted({ a: () => ({ kind: 'unauthorized', status: 401 }) }, neverCalls);
    await route(never, refusing);
    never.clock.now += 365 * 86_400_000;
    for (let i = 0; i < 4; i++) await route(never, refusing);
    assert.equal(neverCalls.filter((k) => k === 'a').length, 1);
  });

  test('5xx retries on another key; never more than maxAttempts attempts', async () => {
    const h = harness(
      ['a', 'b', 'c', 'd', 'e'].map((id) => spec(id)),
      { breakerThreshold: 10 },
    );
    const calls: string[] = [];
    const failing = (): AttemptOutcome<string> => ({ kind: 'server_error', status: 500 });
    const result = await route(h, scripted({ a: failing, b: failing, c: failing, d: failing, e: failing }, calls));
    assert.deepEqual(result, { ok: false, error: 'llm_unavailable', keyId: 'c', attempts: 3 });
    assert.deepEqual(calls, ['a', 'b', 'c']);
  });

  test('a request retries the same key when it is the only one, and a 400 stops at once', async () => {
    const h = harness([spec('only')], { breakerThreshold: 10 });
    const calls: string[] = [];
    const flaky = await route(h, scripted({ only: (n) => (n < 2 ? { kind: 'bad_response' } : ok) }, calls));
    assert.deepEqual(flaky, { ok: true, value: 'done', keyId: 'only', attempts: 3 });
    const rejected = await route(h, scripted({ only: () => ({ kind: 'rejected', status: 400 }) }, calls));
    assert.deepEqual(rejected, { ok: false, error: 'llm_rejected', keyId: 'only', attempts: 1 });
  });

  test('repeated failures open the circuit; after the cooldown one probe decides', async () => {
    const h = harness([spec('a')], { breakerThreshold: 2, maxAttempts: 2 });
    const calls: string[] = [];
    let healthy = false;
    let releaseProbe: (() => void) | undefined;
    const attempt: Attempt<string> = async (lease) => {
      calls.push(lease.keyId);
      if (!healthy) return { kind: 'server_error', status: 503 };
      await new Promise<void>((resolve) => (releaseProbe = resolve));
      return ok;
    };
    assert.deepEqual(await route(h, attempt, 1_000), { ok: false, error: 'llm_unavailable', keyId: 'a', attempts: 2 });
    assert.equal(stateOf(h, 'a')?.state, 'cooling_down');
    assert.ok(Math.abs(stateOf(h, 'a')!.cooldownUntilMs! - Date.now() - 30_000) < 100);
    assert.deepEqual(await route(h, attempt, 1_000), { ok: false, error: 'all_keys_cooling_down', keyId: undefined, attempts: 0 });
    assert.equal(calls.length, 2, 'no request while the circuit is open');

    h.clock.now += 30_000;
    healthy = true;
    const probe = route(h, attempt, 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    // Half-open: only the probe is in flight; another request does not wait on a failing upstream.
    assert.deepEqual(await route(h, attempt, 60_000), { ok: false, error: 'all_keys_cooling_down', keyId: undefined, attempts: 0 });
    assert.equal(calls.length, 3);
    releaseProbe!();
    assert.equal((await probe).ok, true);
    const after = route(h, attempt, 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    releaseProbe!();
    assert.deepEqual(await after, { ok: true, value: 'done', keyId: 'a', attempts: 1 });
    assert.equal(stateOf(h, 'a')?.state, 'healthy');
  });

  test('a failed probe opens the circuit again for twice as long', async () => {
    const h = harness([spec('a')], { breakerThreshold: 1, maxAttempts: 1 });
    const attempt: Attempt<string> = async () => ({ kind: 'timeout' });
    await route(h, attempt);
    h.clock.now += 30_000;
    await route(h, attempt);
    assert.ok(Math.abs(stateOf(h, 'a')!.cooldownUntilMs! - Date.now() - 60_000) < 100);
  });

  test('when every key cools down and one recovers before the deadline, the request waits for it', async () => {
    const h = harness([spec('a'), spec('b')], { realClock: true });
    const calls: string[] = [];
    const attempt = scripted(
      { a: (n) => (n === 0 ? { kind: 'rate_limited', retryAfterMs: 150 } : ok), b: () => ({ kind: 'rate_limited', retryAfterMs: 60_000 }) },
      calls,
    );
    const result = await h.router.route(attempt, { deadlineMs: Date.now() + 5_000, attemptTimeoutMs: 5_000 });
    assert.deepEqual(result, { ok: true, value: 'done', keyId: 'a', attempts: 3 });
    assert.deepEqual(calls, ['a', 'b', 'a']);
  });

  test('when no key recovers before the deadline the answer is all_keys_cooling_down at once', async () => {
    const h = harness([spec('a'), spec('b')]);
    const result = await route(
      h,
      scripted({ a: () => ({ kind: 'rate_limited', retryAfterMs: 20_000 }), b: () => ({ kind: 'rate_limited', retryAfterMs: 30_000 }) }),
      10_000,
    );
    assert.deepEqual(result, { ok: false, error: 'all_keys_cooling_down', keyId: 'b', attempts: 2 });
  });

  test('the deadline covers all attempts and cuts the attempt in flight', async () => {
    const h = harness([spec('a'), spec('b'), spec('c')], { realClock: true, maxAttempts: 10, breakerThreshold: 10 });
    let aborted = 0;
    const hang: Attempt<string> = (_lease, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject((aborted++, signal.reason)), { once: true }));
    const result = await h.router.route(hang, { deadlineMs: Date.now() + 150, attemptTimeoutMs: 60 });
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.error, 'llm_timeout');
    assert.ok(result.attempts >= 2 && result.attempts <= 3, `attempts ${result.attempts}`);
    assert.equal(aborted, result.attempts, 'every attempt was cancelled');
  });

  test("the caller's abort cancels the upstream attempt and does not count against the key", async () => {
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false });
    const h = harness([spec('a')], { realClock: true, recorder: metrics.apiKeys, breakerThreshold: 1 });
    const caller = new AbortController();
    let upstreamCancelled = false;
    const hang: Attempt<string> = (_lease, signal) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(((upstreamCancelled = true), signal.reason)), { once: true }),
      );
    setTimeout(() => caller.abort(), 20);
    const result = await h.router.route(hang, { deadlineMs: Date.now() + 10_000, attemptTimeoutMs: 10_000, signal: caller.signal });
    assert.deepEqual(result, { ok: false, error: 'llm_aborted', keyId: 'a', attempts: 1 }, 'key_id: the key whose attempt was cut');
    assert.equal(upstreamCancelled, true);
    assert.equal(stateOf(h, 'a')?.state, 'healthy');
    assert.doesNotMatch(await renderMetrics(metrics.registry, 'prometheus'), /api_key_requests_total\{key_id="a"/);
  });

  test('a timeout cut by the request deadline (time spent queuing) never counts against the key nor opens its circuit', async () => {
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false });
    const h = harness([spec('a')], { realClock: true, recorder: metrics.apiKeys, breakerThreshold: 1, maxAttempts: 1 });
    const hang: Attempt<string> = (_lease, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    // 40 ms left of the deadline, 10 s per attempt: the deadline, not the key, ends the attempt.
    for (let i = 0; i < 3; i++) {
      const result = await h.router.route(hang, { deadlineMs: Date.now() + 40, attemptTimeoutMs: 10_000 });
      assert.deepEqual(result, { ok: false, error: 'llm_timeout', keyId: 'a', attempts: 1 });
    }
    assert.equal(stateOf(h, 'a')?.state, 'healthy');
    assert.doesNotMatch(await renderMetrics(metrics.registry, 'prometheus'), /api_key_requests_total\{key_id="a"/);
    assert.deepEqual(await h.router.route(scripted({}), { deadlineMs: Date.now() + 1000, attemptTimeoutMs: 500 }), {
      ok: true,
      value: 'done',
      keyId: 'a',
      attempts: 1,
    });
    // The key's own per-attempt timeout still counts: one opens the circuit (threshold 1).
    await h.router.route(hang, { deadlineMs: Date.now() + 10_000, attemptTimeoutMs: 30 });
    assert.equal(stateOf(h, 'a')?.state, 'cooling_down');
  });

  test('keys whose circuit is open are not waited for, even when they recover before the deadline', { timeout: 10_000 }, async () => {
    const h = harness([spec('a'), spec('b')], { breakerThreshold: 1, breakerCooldownMs: 5_000, maxAttempts: 2 });
    const calls: string[] = [];
    const down = scripted(
      { a: () => ({ kind: 'server_error', status: undefined }), b: () => ({ kind: 'server_error', status: undefined }) },
      calls,
    );
    assert.deepEqual(await route(h, down, 30_000), { ok: false, error: 'llm_unavailable', keyId: 'b', attempts: 2 });
    // The circuits close in 5 s, well within the 30 s deadline: the answer still comes at once
    // (on the test's frozen clock, a wait would never end).
    assert.deepEqual(await route(h, down, 30_000), { ok: false, error: 'all_keys_cooling_down', keyId: undefined, attempts: 0 });
    assert.equal(calls.length, 2);
  });

  test('a key with an rpm limit is skipped once it has used its minute', async () => {
    const h = harness([spec('capped', 2), spec('free')]);
    const calls: string[] = [];
    for (let i = 0; i < 6; i++) await route(h, scripted({}, calls));
    assert.deepEqual(calls, ['capped', 'free', 'capped', 'free', 'free', 'free']);
    h.clock.now += 60_000;
    await route(h, scripted({}, calls));
    await route(h, scripted({}, calls));
    assert.ok(calls.slice(6).includes('capped'), 'usable again a minute later');
  });

  test('key states and outcomes reach api_key_* metrics under the key id', async () => {
    const metrics = createMetrics({ maxCameras: 2, apiKeyWindowSeconds: 60 }, { runtime: false });
    const h = harness([spec('primary'), spec('backup'), spec('old')], { recorder: metrics.apiKeys });
    await route(h, scripted({ primary: () => ({ kind: 'rate_limited', retryAfterMs: 10_000 }), backup: () => ok }));
    await route(h, scripted({ old: () => ({ kind: 'quota_exhausted' }) }));
    const text = await renderMetrics(metrics.registry, 'prometheus');
    assert.match(text, /^api_key_state\{key_id="primary"\} 1$/m);
    assert.match(text, /^api_key_state\{key_id="backup"\} 0$/m);
    assert.match(text, /^api_key_state\{key_id="old"\} 2$/m);
    assert.match(text, /^api_key_cooldown_until_seconds\{key_id="primary"\} \d+(\.\d+)?$/m);
    assert.doesNotMatch(text, /api_key_cooldown_until_seconds\{key_id="(backup|old)"\}/);
    assert.match(text, /^api_key_requests_total\{key_id="old",outcome="quota_exhausted"\} 1$/m);
    assert.match(text, /^api_key_requests_total\{key_id="primary",outcome="rate_limited"\} 1$/m);
    h.router.setKeys([spec('backup')]);
    assert.doesNotMatch(
      await renderMetrics(metrics.registry, 'prometheus'),
      /api_key_state\{key_id="(primary|old)"\}/,
      'removed keys leave the state gauges',
    );
  });
});
