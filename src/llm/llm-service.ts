// The LLM part of the service, built from LlmConfig: key router, Chat Completions client and
// scene summarizer, with the keys file read at start-up and on reload (SIGHUP).
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { maskUrl, show } from '../redact.js';
import type { LlmConfig } from './llm-config.js';
import { ConfigError } from '../errors.js';
import type { AlgoMetrics } from '../metrics/metrics.js';
import { mergeKeyLists, readKeyFile, type ApiKeySpec } from './api-keys.js';
import { withoutPastedEndpoint } from './base-url.js';
import { ChatCompletionsClient } from './chat-completions.js';
import { KeyRouter } from './key-router.js';
import { DEFAULT_PROMPT_TEMPLATE } from './prompt.js';
import { SceneSummarizer } from './scene-summarizer.js';

export interface LlmService {
  summarizer: SceneSummarizer;
  router: KeyRouter;
  /** Re-reads ALGO_LLM_API_KEYS_FILE (SIGHUP); on a bad file the current keys stay. */
  reloadKeys(): Promise<{ ok: true; keys: number } | { ok: false; problem: string }>;
}

async function configuredKeys(config: LlmConfig): Promise<{ ok: true; keys: ApiKeySpec[] } | { ok: false; problem: string }> {
  if (config.apiKeysFile === undefined) return { ok: true, keys: config.apiKeys };
  const fromFile = await readKeyFile(config.apiKeysFile);
  return fromFile.ok ? mergeKeyLists(config.apiKeys, fromFile.keys) : fromFile;
}

async function readPromptTemplate(path: string | undefined): Promise<string> {
  if (path === undefined) return DEFAULT_PROMPT_TEMPLATE;
  const expected = 'a readable, non-empty prompt template file';
  const template = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError('ALGO_LLM_PROMPT_FILE', show(path), `${expected} (cannot read it: ${error.code ?? 'error'})`);
  });
  if (template.trim() === '') throw new ConfigError('ALGO_LLM_PROMPT_FILE', show(path), `${expected} (it is empty)`);
  return template;
}

/**
 * Builds the key router, client and summarizer from LlmConfig. Reads the keys file and the
 * prompt file; a bad one at start-up is a ConfigError naming the variable (and the line),
 * never a key: the service refuses to start with exit code 2.
 */
export async function createLlmService(
  config: LlmConfig,
  metrics: Pick<AlgoMetrics, 'llm' | 'apiKeys'>,
  logger: Logger,
): Promise<LlmService> {
  const log = logger.child({ component: 'llm' });
  const modelRecorder = metrics.llm.forModel(config.provider, config.model);
  const router = new KeyRouter({
    maxAttempts: config.maxAttempts,
    breakerThreshold: config.breakerThreshold,
    breakerCooldownMs: config.breakerCooldownMs,
    disabledRetryMs: config.disabledRetryS * 1000,
    recorder: metrics.apiKeys,
    llmRecorder: modelRecorder,
    logger: log,
  });
  const keys = await configuredKeys(config);
  if (!keys.ok)
    throw new ConfigError(
      'ALGO_LLM_API_KEYS_FILE',
      show(config.apiKeysFile ?? ''),
      `a readable file of alias=key or bare keys, one per line (${keys.problem})`,
    );
  router.setKeys(keys.keys);
  const promptTemplate = await readPromptTemplate(config.promptFile);
  const { baseUrl, pasted } = withoutPastedEndpoint(config.baseUrl);
  if (pasted) log.warn(`ALGO_LLM_BASE_URL ends with /chat/completions, which algo appends itself: using ${maskUrl(baseUrl.href)}`);
  const client = new ChatCompletionsClient({ baseUrl, model: config.model, maxTokens: config.maxTokens, logger: log });
  const summarizer = new SceneSummarizer({ config, router, client, recorder: metrics.llm, modelRecorder, promptTemplate });
  log.info(
    { provider: config.provider, model: config.model, keys: router.states().map((key) => key.keyId), vision: config.vision },
    router.size === 0 ? 'LLM summaries off: no API keys configured; template summaries only' : 'LLM summaries on',
  );
  return {
    summarizer,
    router,
    async reloadKeys() {
      const reloaded = await configuredKeys(config);
      if (!reloaded.ok) {
        log.warn({ problem: reloaded.problem }, 'API keys not reloaded; the current keys stay in use');
        return reloaded;
      }
      router.setKeys(reloaded.keys);
      log.info({ keys: reloaded.keys.map((key) => key.keyId) }, 'API keys reloaded');
      return { ok: true, keys: reloaded.keys.length };
    },
  };
}
