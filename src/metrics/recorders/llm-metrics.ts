// LLM call metrics: one request count per attempt by outcome, attempt latency and token
// usage per provider and model, and the scene summaries produced (by the LLM or the
// template) with the reason of each fallback.
import { Counter, Histogram, type Registry } from 'prom-client';
import { LLM_ERROR_CODES, type LlmErrorCode } from '../../errors.js';

export const LLM_STATUSES = ['success', 'error', 'timeout', 'rate_limited', 'unauthorized'] as const;
export type LlmStatus = (typeof LLM_STATUSES)[number];

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The recorder of one provider and model, label children resolved once. */
export interface ModelLlmRecorder {
  attempt(status: LlmStatus, latencySeconds: number): void;
  tokens(usage: LlmUsage): void;
}

export interface LlmRecorder {
  forModel(provider: string, model: string): ModelLlmRecorder;
  /** A summary answered: by the LLM, or by the template with the reason when the LLM was tried. */
  recordSummary(source: 'llm' | 'template', failure?: LlmErrorCode): void;
}

export function createLlmMetrics(registry: Registry): LlmRecorder {
  const requests = new Counter({
    name: 'llm_requests_total',
    help: 'Requests (attempts) made to the LLM API, by provider, model and status (success, error, timeout, rate_limited, unauthorized).',
    labelNames: ['provider', 'model', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'llm_latency_seconds',
    help: 'LLM API request latency per attempt, by provider and model.',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'llm_tokens_total',
    help: "Tokens billed by the LLM API (from the answer's usage), by provider, model and type (prompt, completion).",
    labelNames: ['provider', 'model', 'type'] as const,
    registers: [registry],
  });
  const summaries = new Counter({
    name: 'llm_scenes_total',
    help: 'Scene descriptions answered (the summary of /api/v1/analyze and of Kafka output messages), by source: llm, or template (no keys configured, or every attempt failed).',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'llm_scene_failures_total',
    help: 'Scene descriptions the LLM could not produce, by reason (the summary.error code); stream_not_ready: the summary of a Kafka output message skipped because it was not ready in time.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const source of ['llm', 'template'] as const) summaries.inc({ source }, 0);
  for (const reason of LLM_ERROR_CODES) failures.inc({ reason }, 0);

  return {
    forModel(provider, model) {
      const byStatus = new Map(LLM_STATUSES.map((status) => [status, requests.labels({ provider, model, status })]));
      const modelLatency = latency.labels({ provider, model });
      const promptTokens = tokens.labels({ provider, model, type: 'prompt' });
      const completionTokens = tokens.labels({ provider, model, type: 'completion' });
      return {
        attempt(status, latencySeconds) {
          byStatus.get(status)?.inc();
          modelLatency.observe(latencySeconds);
        },
        tokens({ promptTokens: prompt, completionTokens: completion }) {
          if (prompt > 0) promptTokens.inc(prompt);
          if (completion > 0) completionTokens.inc(completion);
        },
      };
    },
    recordSummary(source, failure) {
      summaries.inc({ source });
      if (failure !== undefined) failures.inc({ reason: failure });
    },
  };
}
