// A scene summary for one detected frame: the LLM through the key router when keys are
// configured, else (or when every attempt fails) the deterministic template. Never throws:
// a failed LLM is a `source: "template"` summary with `error`, and is counted.
import type { LlmConfig } from './llm-config.js';
import type { DetectionResponse } from '../detect/types.js';
import { LLM_ERROR_CODES, type LlmErrorCode } from '../errors.js';
import type { ModelLlmRecorder, LlmRecorder } from '../metrics/recorders/llm-metrics.js';
import type { ChatAnswer, ChatCompletionsClient } from './chat-completions.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import type { KeyRouter } from './key-router.js';
import { buildMessages } from './prompt.js';
import { templateSummary } from './template-summary.js';

export interface SceneSummary {
  text: string;
  source: 'llm' | 'template';
  provider: string;
  model: string;
  /** The key that answered (or the last one tried); null when none was. */
  key_id: string | null;
  attempts: number;
  latency_ms: number;
  usage: ChatAnswer['usage'] | null;
  /** Why the LLM did not answer, when it was tried. */
  error?: LlmErrorCode;
}

export interface SummarizerDeps {
  config: LlmConfig;
  router: KeyRouter;
  client: ChatCompletionsClient;
  recorder: LlmRecorder;
  modelRecorder: ModelLlmRecorder;
  promptTemplate: string;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** The failure code of an aborted summary: the signal's reason when it is one (abort('stream_not_ready')), else llm_aborted. */
function abortReason(signal: AbortSignal | undefined): LlmErrorCode {
  const reason: unknown = signal?.reason;
  return typeof reason === 'string' && (LLM_ERROR_CODES as readonly string[]).includes(reason) ? (reason as LlmErrorCode) : 'llm_aborted';
}

export class SceneSummarizer {
  private readonly gate: ConcurrencyGate;

  constructor(private readonly deps: SummarizerDeps) {
    this.gate = new ConcurrencyGate(deps.config.maxConcurrency);
  }

  /** True when at least one key is configured (enabled or not). */
  get enabled(): boolean {
    return this.deps.router.size > 0;
  }

  /**
   * @param image the encoded frame, sent along when ALGO_LLM_VISION is on
   * @param signal the caller's abort: cancels the upstream call; the summary is then the
   *   template with error llm_aborted (or the abort's reason, when it is an LlmErrorCode), counted
   */
  async summarize(detection: DetectionResponse, image: Buffer | undefined, signal?: AbortSignal): Promise<SceneSummary> {
    const { config, router, client, recorder } = this.deps;
    const started = performance.now();
    const fallback = (code: LlmErrorCode | undefined, keyId: string | null = null, attempts = 0): SceneSummary => {
      // Aborted: counted under the abort's reason when the caller gave one (stream_not_ready), else llm_aborted.
      const error = code === 'llm_aborted' ? abortReason(signal) : code;
      recorder.recordSummary('template', error);
      return {
        text: templateSummary(detection.objects, detection.groups),
        source: 'template',
        provider: config.provider,
        model: config.model,
        key_id: keyId,
        attempts,
        latency_ms: round(performance.now() - started),
        usage: null,
        ...(error === undefined ? {} : { error }),
      };
    };
    if (!this.enabled) return fallback(undefined);

    const deadlineMs = Date.now() + config.timeoutMs;
    const release = await this.gate.acquire(config.timeoutMs, signal);
    if (release === undefined) return fallback(signal?.aborted === true ? 'llm_aborted' : 'llm_overloaded');
    try {
      const visionMaxSide = config.vision ? config.visionMaxSide : undefined;
      // The frame was decoded by the detector already; should preparing it still fail, the
      // request must not: it is a summary the LLM could not be asked for.
      const messages = await buildMessages(detection, image, { template: this.deps.promptTemplate, visionMaxSide }).catch(() => undefined);
      if (messages === undefined) return fallback('llm_rejected');
      const body = client.body(messages);
      const result = await router.route((lease, attemptSignal) => client.complete(body, lease, attemptSignal), {
        deadlineMs,
        attemptTimeoutMs: config.attemptTimeoutMs,
        signal,
      });
      if (!result.ok) return fallback(result.error, result.keyId ?? null, result.attempts);
      const usage = result.value.usage;
      if (usage !== undefined)
        this.deps.modelRecorder.tokens({ promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens });
      recorder.recordSummary('llm');
      return {
        text: result.value.text,
        source: 'llm',
        provider: config.provider,
        model: result.value.model,
        key_id: result.keyId,
        attempts: result.attempts,
        latency_ms: round(performance.now() - started),
        usage: usage ?? null,
      };
    } finally {
      release();
    }
  }
}
