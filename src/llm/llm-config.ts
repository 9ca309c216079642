// LLM settings (ALGO_LLM_*), owned by llm/ and filled from the environment by config/.

import type { ApiKeySpec } from './api-keys.js';

/** ALGO_LLM_BASE_URL and ALGO_LLM_MODEL when unset; the configuration and the doctor both use these. */
export const DEFAULT_LLM_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';

export interface LlmConfig {
  /** Chat Completions base URL, e.g. https://api.openai.com/v1 (…/chat/completions is appended). */
  baseUrl: URL;
  model: string;
  /** The provider metric label. */
  provider: string;
  /** Keys from ALGO_LLM_API_KEYS; the file's keys are read by the service at start and on SIGHUP. */
  apiKeys: ApiKeySpec[];
  apiKeysFile: string | undefined;
  /** Deadline of one summary across all attempts. */
  timeoutMs: number;
  /** Cap of one attempt, so a hanging key leaves time to try another. */
  attemptTimeoutMs: number;
  maxAttempts: number;
  /** Summaries in flight at once; more wait for a slot within their deadline. */
  maxConcurrency: number;
  maxTokens: number;
  /** Send the frame (downscaled JPEG) with the prompt. */
  vision: boolean;
  /** Longest side of the frame sent with ALGO_LLM_VISION. */
  visionMaxSide: number;
  promptFile: string | undefined;
  /** Consecutive 5xx/connection failures that open a key's circuit breaker. */
  breakerThreshold: number;
  breakerCooldownMs: number;
  /** A key disabled by 401/403 or insufficient_quota is probed again with one request after this long; 0 = never. */
  disabledRetryS: number;
  /** Kafka mode: add summaries to output messages, at most once per camera per minIntervalS. */
  streamSummaries: boolean;
  minIntervalS: number;
}
