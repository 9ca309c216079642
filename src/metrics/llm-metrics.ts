// LLM call metrics: request count by outcome and latency, per provider and model.
import { Counter, Histogram, type Registry } from 'prom-client';

export const LLM_STATUSES = ['success', 'error', 'timeout', 'rate_limited'] as const;
export type LlmStatus = (typeof LLM_STATUSES)[number];

export interface LlmCallRecord {
  provider: string;
  model: string;
  status: LlmStatus;
  latencySeconds: number;
}

export interface LlmRecorder {
  recordLlmCall(record: LlmCallRecord): void;
}

export function createLlmMetrics(registry: Registry): LlmRecorder {
  const requests = new Counter({
    name: 'llm_requests_total',
    help: 'Requests made to the LLM API, by provider, model and status (success, error, timeout, rate_limited).',
    labelNames: ['provider', 'model', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'llm_latency_seconds',
    help: 'LLM API request latency, by provider and model.',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  });
  return {
    recordLlmCall({ provider, model, status, latencySeconds }) {
      requests.inc({ provider, model, status });
      latency.observe({ provider, model }, latencySeconds);
    },
  };
}
