// API-key metrics: a counter per key and outcome, the sliding-window success rate gauge that
// the old dashboards query, and each key's state and cooldown end, read from the key router
// at scrape time. key_id is always an alias or fingerprint.
import { Counter, Gauge, type Registry } from 'prom-client';
import { SuccessWindow } from '../success-window.js';

export const KEY_OUTCOMES = ['success', 'failure', 'rate_limited', 'unauthorized', 'quota_exhausted'] as const;
export type KeyOutcome = (typeof KEY_OUTCOMES)[number];

/** api_key_state values. */
export const KEY_STATES = { healthy: 0, cooling_down: 1, disabled: 2 } as const;
export type KeyStateName = keyof typeof KEY_STATES;

export interface KeyStateSnapshot {
  keyId: string;
  state: KeyStateName;
  /** Unix ms when a cooling key may be used again; undefined unless cooling down. */
  cooldownUntilMs: number | undefined;
}

export interface ApiKeyRecorder {
  /** keyId must come from keyIdFor(), never the key itself. */
  recordKeyOutcome(keyId: string, outcome: KeyOutcome): void;
  /** The source of api_key_state and api_key_cooldown_until_seconds (the key router). */
  observeKeyStates(read: () => Iterable<KeyStateSnapshot>): void;
}

export function createApiKeyMetrics(registry: Registry, windowSeconds: number, now: () => number = Date.now): ApiKeyRecorder {
  const windows = new Map<string, SuccessWindow>();
  let readStates: () => Iterable<KeyStateSnapshot> = () => [];
  const requests = new Counter({
    name: 'api_key_requests_total',
    help: 'LLM API requests by key (alias or fingerprint) and outcome (success, failure, rate_limited, unauthorized, quota_exhausted).',
    labelNames: ['key_id', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'api_key_success_rate',
    help: `Share of successful requests per API key over the last ${windowSeconds}s (0 to 1); absent while a key is idle.`,
    labelNames: ['key_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [keyId, window] of windows) {
        const rate = window.rate();
        if (rate !== undefined) this.set({ key_id: keyId }, rate);
      }
    },
  });
  new Gauge({
    name: 'api_key_state',
    help: 'State of each configured API key: 0 healthy, 1 cooling down (rate limited or circuit open), 2 disabled (revoked or out of quota: until the keys are reloaded or a probe request every ALGO_LLM_DISABLED_RETRY_S is accepted).',
    labelNames: ['key_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const key of readStates()) this.set({ key_id: key.keyId }, KEY_STATES[key.state]);
    },
  });
  new Gauge({
    name: 'api_key_cooldown_until_seconds',
    help: 'Unix time at which a cooling-down API key is used again; present only while the key cools down.',
    labelNames: ['key_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const key of readStates()) {
        if (key.state === 'cooling_down' && key.cooldownUntilMs !== undefined) this.set({ key_id: key.keyId }, key.cooldownUntilMs / 1000);
      }
    },
  });
  return {
    recordKeyOutcome(keyId, outcome) {
      requests.inc({ key_id: keyId, outcome });
      let window = windows.get(keyId);
      if (window === undefined) {
        window = new SuccessWindow(windowSeconds, now);
        windows.set(keyId, window);
      }
      window.record(outcome === 'success');
    },
    observeKeyStates(read) {
      readStates = read;
    },
  };
}
