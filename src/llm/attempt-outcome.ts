// What one LLM attempt can come to, as classified from the provider's answer, and what each
// outcome means for the metrics and for the summary's error code.
import type { LlmErrorCode } from '../errors.js';
import type { KeyOutcome } from '../metrics/recorders/api-key-metrics.js';
import type { LlmStatus } from '../metrics/recorders/llm-metrics.js';

export type AttemptOutcome<T> =
  | { kind: 'success'; value: T }
  | { kind: 'rate_limited'; retryAfterMs: number | undefined }
  | { kind: 'quota_exhausted' }
  | { kind: 'unauthorized'; status: number }
  | { kind: 'server_error'; status: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'bad_response' }
  /** The request itself was refused (400, 404 unknown model…): another key would not help. */
  | { kind: 'rejected'; status: number };

type Kind = AttemptOutcome<unknown>['kind'];

/** api_key_requests_total's outcome label. */
export const KEY_OUTCOME: Record<Kind, KeyOutcome> = {
  success: 'success',
  rate_limited: 'rate_limited',
  quota_exhausted: 'quota_exhausted',
  unauthorized: 'unauthorized',
  server_error: 'failure',
  timeout: 'failure',
  bad_response: 'failure',
  rejected: 'failure',
};

/** summary.error when the attempts ran out on this outcome. */
export const FAILURE_CODE: Record<Kind, LlmErrorCode> = {
  success: 'llm_unavailable',
  rate_limited: 'llm_rate_limited',
  quota_exhausted: 'llm_unavailable',
  unauthorized: 'llm_unavailable',
  server_error: 'llm_unavailable',
  timeout: 'llm_timeout',
  bad_response: 'llm_bad_response',
  rejected: 'llm_rejected',
};

/** llm_requests_total's status label. */
export const LLM_STATUS: Record<Kind, LlmStatus> = {
  success: 'success',
  rate_limited: 'rate_limited',
  quota_exhausted: 'unauthorized',
  unauthorized: 'unauthorized',
  server_error: 'error',
  timeout: 'timeout',
  bad_response: 'error',
  rejected: 'error',
};
