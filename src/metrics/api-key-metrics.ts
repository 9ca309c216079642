// API-key outcome metrics: a counter per key and outcome, and the sliding-window success
// rate gauge that the old dashboards query. key_id is always an alias or fingerprint.
import { Counter, Gauge, type Registry } from 'prom-client';
import { SuccessWindow } from './success-window.js';

export const KEY_OUTCOMES = ['success', 'failure', 'rate_limited', 'unauthorized'] as const;
export type KeyOutcome = (typeof KEY_OUTCOMES)[number];

export interface ApiKeyRecorder {
  /** keyId must come from keyIdFor(), never the key itself. */
  recordKeyOutcome(keyId: string, outcome: KeyOutcome): void;
}

export function createApiKeyMetrics(registry: Registry, windowSeconds: number, now: () => number = Date.now): ApiKeyRecorder {
  const windows = new Map<string, SuccessWindow>();
  const requests = new Counter({
    name: 'api_key_requests_total',
    help: 'LLM API requests by key (alias or fingerprint) and outcome.',
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
  };
}
