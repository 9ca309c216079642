// The one typed configuration object, parsed once at start-up from the environment. Each part
// owns its settings type (detect/detect-config.ts, kafka/kafka-config.ts, …); this module only
// reads the environment and assembles them. Parts never import from config/.
import { parseTokenList } from '../auth/api-tokens.js';
import { AUTH_MODES, type AuthConfig } from '../auth/auth-config.js';
import { loadCameras, type CamerasConfig } from '../cameras/camera-config.js';
import { DETECTOR_KINDS, type DetectConfig } from '../detect/detect-config.js';
import { REQUEST_LOG_MODES, type HttpConfig, type TlsFiles } from '../http/http-config.js';
import type { KafkaConfig } from '../kafka/kafka-config.js';
import { DEFAULT_LLM_BASE_URL, DEFAULT_LLM_MODEL, type LlmConfig } from '../llm/llm-config.js';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import type { MetricsConfig } from '../metrics/metrics-config.js';
import type { EventsConfig } from '../scene/events-config.js';
import type { ConsoleConfig } from '../console/console-config.js';
import { show } from '../redact.js';
import { ConfigError } from '../errors.js';
import { parseKeyList } from '../llm/api-keys.js';
import { providerFromUrl } from '../llm/provider-name.js';
import {
  type Env,
  readBoolean,
  readChoice,
  readConcurrency,
  readInteger,
  readKafkaName,
  readList,
  readNumber,
  readOptionalInteger,
  readOptionalNumber,
  readOptionalString,
  readSecret,
  readString,
  readUrlPath,
  readOptionalHttpUrl,
} from './env-parsers.js';

/** all: detection over HTTP, cameras and Kafka as configured; ingest: cameras only, frames produced to Kafka. */
export const ROLES = ['all', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Repeated log conditions (overload, broker down, bad frames) are summarised at most this often. */
  logSummaryIntervalMs: number;
  /** After SIGTERM: /readyz answers 503 this long, while requests are still served, before the listener closes. */
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  http: HttpConfig;
  auth: AuthConfig;
  metrics: MetricsConfig;
  detect: DetectConfig;
  kafka: KafkaConfig;
  role: Role;
  cameras: CamerasConfig;
  /** Scene events: the in-memory buffer and the live stream. */
  events: EventsConfig;
  llm: LlmConfig;
  console: ConsoleConfig;
}

/** Paths algo serves itself; the metrics path cannot take one of them. */
const RESERVED_PATHS = ['/healthz', '/readyz', '/api'];

const HOST_PATTERN = /^[A-Za-z0-9.:\-[\]]+$/;
const BROKER_PATTERN = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;

export function loadConfig(env: Env): Config {
  const port = readInteger(env, 'PORT', 5000, 0, 65535);
  const host = readString(env, 'HOST', '0.0.0.0');
  if (!HOST_PATTERN.test(host)) throw new ConfigError('HOST', show(host), 'an IP address or host name');

  const metricsPort = readOptionalInteger(env, 'ALGO_METRICS_PORT', 0, 65535);
  if (metricsPort === port && port !== 0) {
    throw new ConfigError('ALGO_METRICS_PORT', String(metricsPort), `a port other than PORT (${port})`);
  }

  const detector = readChoice(env, 'ALGO_DETECTOR', 'auto', DETECTOR_KINDS);
  const modelPath = readOptionalString(env, 'ALGO_MODEL_PATH');
  if (detector === 'yolov8' && modelPath === undefined) {
    throw new ConfigError('ALGO_MODEL_PATH', '(unset)', 'the path of a YOLOv8 .onnx file when ALGO_DETECTOR=yolov8');
  }

  const maxCameras = readInteger(env, 'ALGO_MAX_CAMERAS', 100, 1, 10_000);
  const camerasFile = readOptionalString(env, 'ALGO_CAMERAS_FILE');
  const { cameras, scenes } = loadCameras(camerasFile, maxCameras);
  const role = readChoice(env, 'ALGO_ROLE', 'all', ROLES);
  if (role === 'ingest' && cameras.length === 0) {
    throw new ConfigError('ALGO_ROLE', '"ingest"', 'ingest only with cameras configured in ALGO_CAMERAS_FILE');
  }

  const metricsPath = readUrlPath(env, 'ALGO_METRICS_PATH', '/metrics');
  if (RESERVED_PATHS.some((reserved) => metricsPath === reserved || metricsPath.startsWith(`${reserved}/`))) {
    throw new ConfigError('ALGO_METRICS_PATH', show(metricsPath), `a path other than ${RESERVED_PATHS.join(', ')} (and below /api/)`);
  }

  const headersTimeoutMs = readInteger(env, 'ALGO_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = readInteger(env, 'ALGO_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError('ALGO_REQUEST_TIMEOUT_MS', String(requestTimeoutMs), `at least ALGO_HEADERS_TIMEOUT_MS (${headersTimeoutMs})`);
  }

  return {
    port,
    host,
    llm: loadLlmConfig(env),
    logLevel: readChoice(env, 'ALGO_LOG_LEVEL', 'info', LOG_LEVELS),
    logSummaryIntervalMs: readInteger(env, 'ALGO_LOG_SUMMARY_INTERVAL_MS', 30_000, 100, 3_600_000),
    shutdownDelayMs: readInteger(env, 'ALGO_SHUTDOWN_DELAY_MS', 5000, 0, 600_000),
    shutdownTimeoutMs: readInteger(env, 'ALGO_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    http: {
      requestTimeoutMs,
      headersTimeoutMs,
      keepAliveTimeoutMs: readInteger(env, 'ALGO_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100, 3_600_000),
      maxConnections: readInteger(env, 'ALGO_MAX_CONNECTIONS', 1000, 1, 1_000_000),
      logRequests: readChoice(env, 'ALGO_LOG_REQUESTS', 'summary', REQUEST_LOG_MODES),
      allowedHosts: readList(
        env,
        'ALGO_ALLOWED_HOSTS',
        [],
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
        'host names',
      ),
      tls: loadTlsFiles(env),
    },
    auth: loadAuthConfig(env),
    metrics: {
      enabled: readBoolean(env, 'ALGO_ENABLE_PROMETHEUS', true),
      path: metricsPath,
      port: metricsPort,
      token: readSecret(env, 'ALGO_METRICS_TOKEN'),
      maxCameras,
      apiKeyWindowSeconds: readInteger(env, 'ALGO_API_KEY_WINDOW_SECONDS', 300, 10, 86_400),
    },
    detect: {
      detector,
      modelPath,
      confidenceThreshold: readOptionalNumber(env, 'ALGO_CONFIDENCE_THRESHOLD', 0, 1),
      iouThreshold: readNumber(env, 'ALGO_IOU_THRESHOLD', 0.45, 0, 1),
      maxDetections: readInteger(env, 'ALGO_MAX_DETECTIONS', 300, 1, 10_000),
      maxBodyBytes: readInteger(env, 'ALGO_MAX_BODY_BYTES', 20 * 1024 * 1024, 1024, 512 * 1024 * 1024),
      maxImagePixels: readInteger(env, 'ALGO_MAX_IMAGE_PIXELS', 40_000_000, 1, 1_000_000_000),
      concurrency: readConcurrency(env, 'ALGO_DETECT_CONCURRENCY'),
      threads: readInteger(env, 'ALGO_DETECT_THREADS', 1, 1, 64),
      queueSize: readInteger(env, 'ALGO_DETECT_QUEUE_SIZE', 16, 0, 10_000),
      groupDistance: readNumber(env, 'ALGO_GROUP_DISTANCE', 1.0, 0, 100),
      groupMinSize: readInteger(env, 'ALGO_GROUP_MIN_SIZE', 2, 2, 1000),
    },
    kafka: {
      enabled: readBoolean(env, 'ALGO_ENABLE_KAFKA_STREAMING', false),
      brokers: readList(env, 'ALGO_KAFKA_BROKERS', ['localhost:9092'], BROKER_PATTERN, 'host:port brokers'),
      clientId: readKafkaName(env, 'ALGO_KAFKA_CLIENT_ID', 'algo'),
      groupId: readKafkaName(env, 'ALGO_KAFKA_GROUP_ID', 'algo-detector'),
      inputTopic: readKafkaName(env, 'ALGO_KAFKA_INPUT_TOPIC', 'algo.frames'),
      outputTopic: readKafkaName(env, 'ALGO_KAFKA_OUTPUT_TOPIC', 'algo.detections'),
      dlqTopic: readKafkaName(env, 'ALGO_KAFKA_DLQ_TOPIC', 'algo.frames.dlq'),
      eventsTopic: readKafkaName(env, 'ALGO_KAFKA_EVENTS_TOPIC', 'algo.events'),
      partitionsConsumedConcurrently: readOptionalInteger(env, 'ALGO_KAFKA_PARTITIONS_CONCURRENCY', 1, 256),
      lagIntervalMs: readInteger(env, 'ALGO_KAFKA_LAG_INTERVAL_MS', 5000, 100, 600_000),
    },
    role,
    cameras: { file: camerasFile, cameras, scenes, ffmpegPath: readString(env, 'ALGO_FFMPEG_PATH', 'ffmpeg') },
    events: {
      bufferSize: readInteger(env, 'ALGO_EVENTS_BUFFER', 10_000, 0, 1_000_000),
      heartbeatMs: readInteger(env, 'ALGO_EVENTS_HEARTBEAT_MS', 15_000, 100, 600_000),
      streamMaxPendingBytes: readInteger(env, 'ALGO_EVENTS_STREAM_MAX_PENDING_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
    },
    console: {
      sessions: {
        idleSeconds: readInteger(env, 'ALGO_CONSOLE_SESSION_IDLE_S', 1800, 60, 7 * 86_400),
        maxAgeSeconds: readInteger(env, 'ALGO_CONSOLE_SESSION_MAX_S', 43_200, 60, 30 * 86_400),
        maxSessions: readInteger(env, 'ALGO_CONSOLE_MAX_SESSIONS', 1000, 1, 100_000),
      },
      grafanaUrl: readOptionalHttpUrl(env, 'ALGO_GRAFANA_URL'),
    },
  };
}

/** Both files or neither. */
function loadTlsFiles(env: Env): TlsFiles | undefined {
  const certFile = readOptionalString(env, 'ALGO_TLS_CERT_FILE');
  const keyFile = readOptionalString(env, 'ALGO_TLS_KEY_FILE');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined)
    throw new ConfigError('ALGO_TLS_CERT_FILE', '(unset)', 'the certificate file of ALGO_TLS_KEY_FILE (set both or neither)');
  if (keyFile === undefined)
    throw new ConfigError('ALGO_TLS_KEY_FILE', '(unset)', 'the private key file of ALGO_TLS_CERT_FILE (set both or neither)');
  return { certFile, keyFile };
}

/** The mode defaults to `tokens` when tokens are configured, `loopback` otherwise; `none` only when asked for. */
function loadAuthConfig(env: Env): AuthConfig {
  const tokenText = readOptionalString(env, 'ALGO_API_TOKENS');
  const parsed = tokenText === undefined ? { ok: true as const, tokens: [] } : parseTokenList(tokenText);
  if (!parsed.ok)
    throw new ConfigError('ALGO_API_TOKENS', '<hidden>', `comma-separated name:scope+scope=token entries (${parsed.problem})`);
  const tokensFile = readOptionalString(env, 'ALGO_API_TOKENS_FILE');
  const haveTokens = parsed.tokens.length > 0 || tokensFile !== undefined;
  const mode = readChoice(env, 'ALGO_API_AUTH', haveTokens ? 'tokens' : 'loopback', AUTH_MODES);
  if (mode === 'tokens' && !haveTokens)
    throw new ConfigError('ALGO_API_AUTH', '"tokens"', 'tokens only with ALGO_API_TOKENS or ALGO_API_TOKENS_FILE set');
  if (mode === 'none' && haveTokens)
    throw new ConfigError(
      'ALGO_API_AUTH',
      '"none"',
      'tokens or loopback while ALGO_API_TOKENS or ALGO_API_TOKENS_FILE is set (none would ignore them)',
    );
  return {
    mode,
    tokens: parsed.tokens,
    tokensFile,
    throttle: {
      maxFailures: readInteger(env, 'ALGO_AUTH_MAX_FAILURES', 10, 1, 1_000_000),
      windowMs: readInteger(env, 'ALGO_AUTH_FAILURE_WINDOW_S', 60, 1, 86_400) * 1000,
      maxClients: readInteger(env, 'ALGO_AUTH_MAX_CLIENTS', 10_000, 1, 1_000_000),
    },
  };
}

const MODEL_PATTERN = /^[\x21-\x7e]{1,128}$/;
const PROVIDER_PATTERN = /^[a-z0-9_-]{1,32}$/;

function loadLlmConfig(env: Env): LlmConfig {
  const urlText = readString(env, 'ALGO_LLM_BASE_URL', DEFAULT_LLM_BASE_URL);
  let baseUrl: URL;
  try {
    baseUrl = new URL(urlText.replace(/\/+$/, ''));
  } catch {
    throw new ConfigError('ALGO_LLM_BASE_URL', show(urlText), 'an http(s) URL such as https://api.openai.com/v1');
  }
  if (
    (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') ||
    baseUrl.username !== '' ||
    baseUrl.password !== '' ||
    baseUrl.search !== '' ||
    baseUrl.hash !== '' ||
    urlText.includes('?') ||
    urlText.includes('#')
  ) {
    throw new ConfigError(
      'ALGO_LLM_BASE_URL',
      show(urlText),
      'an http(s) URL without credentials, query or fragment, such as https://api.openai.com/v1',
    );
  }
  const model = readString(env, 'ALGO_LLM_MODEL', DEFAULT_LLM_MODEL);
  if (!MODEL_PATTERN.test(model)) throw new ConfigError('ALGO_LLM_MODEL', show(model), 'a model name of 1 to 128 visible characters');
  const providerText = readString(env, 'ALGO_LLM_PROVIDER', providerFromUrl(baseUrl));
  const provider = providerText.toLowerCase();
  if (!PROVIDER_PATTERN.test(provider))
    throw new ConfigError('ALGO_LLM_PROVIDER', show(providerText), 'a label of 1 to 32 characters from [a-z0-9_-] (case is ignored)');
  const keyText = readOptionalString(env, 'ALGO_LLM_API_KEYS');
  const keys = keyText === undefined ? { ok: true as const, keys: [] } : parseKeyList(keyText);
  if (!keys.ok) throw new ConfigError('ALGO_LLM_API_KEYS', '<hidden>', `comma-separated alias=key or bare keys (${keys.problem})`);
  const timeoutMs = readInteger(env, 'ALGO_LLM_TIMEOUT_MS', 30_000, 100, 600_000);
  return {
    baseUrl,
    model,
    provider,
    apiKeys: keys.keys,
    apiKeysFile: readOptionalString(env, 'ALGO_LLM_API_KEYS_FILE'),
    timeoutMs,
    attemptTimeoutMs: Math.min(timeoutMs, readInteger(env, 'ALGO_LLM_ATTEMPT_TIMEOUT_MS', 15_000, 100, 600_000)),
    maxAttempts: readInteger(env, 'ALGO_LLM_MAX_ATTEMPTS', 3, 1, 20),
    maxConcurrency: readInteger(env, 'ALGO_LLM_MAX_CONCURRENCY', 8, 1, 1024),
    maxTokens: readInteger(env, 'ALGO_LLM_MAX_TOKENS', 200, 1, 32_768),
    vision: readBoolean(env, 'ALGO_LLM_VISION', false),
    visionMaxSide: readInteger(env, 'ALGO_LLM_VISION_MAX_SIDE', 768, 64, 4096),
    promptFile: readOptionalString(env, 'ALGO_LLM_PROMPT_FILE'),
    breakerThreshold: readInteger(env, 'ALGO_LLM_BREAKER_THRESHOLD', 3, 1, 100),
    breakerCooldownMs: readInteger(env, 'ALGO_LLM_BREAKER_COOLDOWN_MS', 30_000, 100, 3_600_000),
    disabledRetryS: readNumber(env, 'ALGO_LLM_DISABLED_RETRY_S', 600, 0, 86_400),
    streamSummaries: readBoolean(env, 'ALGO_LLM_STREAM_SUMMARIES', false),
    minIntervalS: readNumber(env, 'ALGO_LLM_MIN_INTERVAL_S', 10, 0, 86_400),
  };
}
