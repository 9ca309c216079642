// The one typed configuration object, parsed once at start-up from the environment.
import { loadCameras, type CameraConfig } from '../cameras/camera-config.js';
import { ConfigError } from '../errors.js';
import { parseKeyList, type ApiKeySpec } from '../llm/api-keys.js';
import { providerFromUrl } from '../llm/provider-name.js';
import {
  type Env,
  readBoolean,
  readChoice,
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
  show,
} from './env-parsers.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DETECTOR_KINDS = ['auto', 'centernet', 'yolov8'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

/** all: detection over HTTP, cameras and Kafka as configured; ingest: cameras only, frames produced to Kafka. */
export const ROLES = ['all', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export interface CamerasConfig {
  /** ALGO_CAMERAS_FILE, when set. */
  file: string | undefined;
  cameras: CameraConfig[];
  /** The ffmpeg executable cameras are read with. */
  ffmpegPath: string;
}

export interface MetricsConfig {
  enabled: boolean;
  path: string;
  /** Serve /metrics on this port instead of the main one. */
  port: number | undefined;
  /** Bearer token required to scrape, when set. */
  token: string | undefined;
  /** Distinct camera_id label values kept; the rest are reported as `other`. */
  maxCameras: number;
  /** Width of the api_key_success_rate sliding window. */
  apiKeyWindowSeconds: number;
}

export interface DetectConfig {
  detector: DetectorKind;
  modelPath: string | undefined;
  /** Unset: the model format's own default (see DEFAULT_CONFIDENCE). */
  confidenceThreshold: number | undefined;
  iouThreshold: number;
  maxDetections: number;
  maxBodyBytes: number;
  /** Largest decoded image accepted (width × height), checked from the header before decoding. */
  maxImagePixels: number;
  /** Frames run at once; the rest wait in the queue. */
  concurrency: number;
  /** Frames allowed to wait; beyond that requests get 503 with Retry-After. */
  queueSize: number;
  /** People whose boxes are closer than this many box heights are in one group. */
  groupDistance: number;
  groupMinSize: number;
}

export interface KafkaConfig {
  enabled: boolean;
  brokers: string[];
  clientId: string;
  groupId: string;
  inputTopic: string;
  outputTopic: string;
  dlqTopic: string;
  /** Partitions processed at once. */
  partitionsConsumedConcurrently: number;
  /** How often consumer lag is read from the broker. */
  lagIntervalMs: number;
}

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

/** Limits on client connections: a slow or hostile client cannot hold a socket forever. */
export interface HttpConfig {
  /** Time to receive a whole request (headers and body); past it the answer is 408. */
  requestTimeoutMs: number;
  /** Time to receive the request headers. */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed at accept. */
  maxConnections: number;
  /**
   * `summary`: the first request of each kind (method, route, status) is logged, then one line
   * per interval with the count; `all`: one line per answered request. Refusals (4xx, 499, 503)
   * are summarised either way.
   */
  logRequests: RequestLogMode;
}

export const REQUEST_LOG_MODES = ['summary', 'all'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];

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
  metrics: MetricsConfig;
  detect: DetectConfig;
  kafka: KafkaConfig;
  role: Role;
  cameras: CamerasConfig;
  llm: LlmConfig;
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
  const cameras = loadCameras(camerasFile, maxCameras);
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
    },
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
      concurrency: readInteger(env, 'ALGO_DETECT_CONCURRENCY', 1, 1, 64),
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
      partitionsConsumedConcurrently: readInteger(env, 'ALGO_KAFKA_PARTITIONS_CONCURRENCY', 4, 1, 256),
      lagIntervalMs: readInteger(env, 'ALGO_KAFKA_LAG_INTERVAL_MS', 5000, 100, 600_000),
    },
    role,
    cameras: { file: camerasFile, cameras, ffmpegPath: readString(env, 'ALGO_FFMPEG_PATH', 'ffmpeg') },
  };
}

const MODEL_PATTERN = /^[\x21-\x7e]{1,128}$/;
const PROVIDER_PATTERN = /^[a-z0-9_-]{1,32}$/;

function loadLlmConfig(env: Env): LlmConfig {
  const urlText = readString(env, 'ALGO_LLM_BASE_URL', 'https://api.openai.com/v1');
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
  const model = readString(env, 'ALGO_LLM_MODEL', 'gpt-4o-mini');
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
