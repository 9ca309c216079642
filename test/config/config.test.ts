import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { parseKeyFile } from '../../src/llm/api-keys.js';
import { redactValue } from '../../src/redact.js';
import { ConfigError } from '../../src/errors.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('configuration', () => {
  test('defaults match the old service: port 5000, /metrics on, Kafka off', () => {
    const config = loadConfig({});
    assert.equal(config.port, 5000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(
      { ...config.metrics },
      { enabled: true, path: '/metrics', port: undefined, token: undefined, maxCameras: 100, apiKeyWindowSeconds: 300 },
    );
    assert.equal(config.kafka.enabled, false);
    assert.equal(config.kafka.groupId, 'algo-detector');
    assert.equal(config.detect.detector, 'auto');
    // Unset: each model format's own default (0.3 for the built-in CenterNet, 0.25 for YOLO).
    assert.equal(config.detect.confidenceThreshold, undefined);
    assert.equal(loadConfig({ ALGO_CONFIDENCE_THRESHOLD: '0.4' }).detect.confidenceThreshold, 0.4);
  });

  test('values are parsed into typed fields', () => {
    const config = loadConfig({
      PORT: '8080',
      ALGO_ENABLE_PROMETHEUS: 'FALSE',
      ALGO_METRICS_PORT: '9464',
      ALGO_METRICS_PATH: '/internal/metrics',
      ALGO_MAX_CAMERAS: '7',
      ALGO_ENABLE_KAFKA_STREAMING: 'yes',
      ALGO_KAFKA_BROKERS: 'k1:9092, k2:9093',
      ALGO_LOG_LEVEL: 'DEBUG',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.metrics.enabled, false);
    assert.equal(config.metrics.port, 9464);
    assert.equal(config.metrics.path, '/internal/metrics');
    assert.equal(config.metrics.maxCameras, 7);
    assert.equal(config.kafka.enabled, true);
    assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9093']);
    assert.equal(config.logLevel, 'debug');
  });

  const rejected: Array<[string, string, RegExp]> = [
    ['PORT', '70000', /an integer from 0 to 65535/],
    ['PORT', 'http', /an integer/],
    ['PORT', '50.5', /an integer/],
    ['HOST', 'my host', /IP address or host name/],
    ['ALGO_LOG_LEVEL', 'verbose', /one of fatal, error, warn, info, debug, trace, silent/],
    ['ALGO_ENABLE_PROMETHEUS', 'maybe', /true or false/],
    ['ALGO_METRICS_PATH', 'metrics', /absolute path/],
    ['ALGO_METRICS_PATH', '/metrics?x=1', /absolute path/],
    ['ALGO_METRICS_PORT', '-1', /an integer from 0 to 65535/],
    ['ALGO_MAX_CAMERAS', '0', /an integer from 1 to 10000/],
    ['ALGO_ENABLE_KAFKA_STREAMING', '2', /true or false/],
    ['ALGO_KAFKA_BROKERS', 'localhost', /host:port/],
    ['ALGO_KAFKA_INPUT_TOPIC', 'frames topic', /Kafka name/],
    ['ALGO_KAFKA_LAG_INTERVAL_MS', '10', /an integer from 100 to 600000/],
    ['ALGO_DETECTOR', 'hog', /one of auto, centernet, yolov8/],
    ['ALGO_DETECT_CONCURRENCY', 'all', /auto or an integer from 1 to 64/],
    ['ALGO_DETECT_CONCURRENCY', '0', /auto or an integer from 1 to 64/],
    ['ALGO_DETECT_THREADS', '0', /an integer from 1 to 64/],
    ['ALGO_KAFKA_PARTITIONS_CONCURRENCY', '0', /an integer from 1 to 256/],
    ['ALGO_CONFIDENCE_THRESHOLD', '1.5', /a number from 0 to 1/],
    ['ALGO_DETECT_QUEUE_SIZE', 'many', /an integer/],
    ['ALGO_LLM_BASE_URL', 'ftp://models.example/v1', /an http\(s\) URL/],
    ['ALGO_LLM_BASE_URL', 'not a url', /an http\(s\) URL/],
    ['ALGO_LLM_PROVIDER', 'Open AI', /a label of 1 to 32 characters/],
    ['ALGO_LLM_TIMEOUT_MS', '10', /an integer from 100 to 600000/],
    ['ALGO_LLM_MAX_ATTEMPTS', '0', /an integer from 1 to 20/],
    ['ALGO_LLM_MAX_CONCURRENCY', '0', /an integer from 1 to 1024/],
    ['ALGO_LLM_VISION', 'sometimes', /true or false/],
    ['ALGO_LLM_MIN_INTERVAL_S', '-1', /a number from 0 to 86400/],
    ['ALGO_METRICS_PATH', '/healthz', /a path other than \/healthz, \/readyz, \/api/],
    ['ALGO_METRICS_PATH', '/readyz', /a path other than/],
    ['ALGO_METRICS_PATH', '/api/v1/detect', /a path other than/],
    ['ALGO_REQUEST_TIMEOUT_MS', '50', /an integer from 100 to 3600000/],
    ['ALGO_HEADERS_TIMEOUT_MS', 'soon', /an integer/],
    ['ALGO_KEEP_ALIVE_TIMEOUT_MS', '0', /an integer from 100/],
    ['ALGO_MAX_CONNECTIONS', '0', /an integer from 1/],
    ['ALGO_SHUTDOWN_DELAY_MS', '-1', /an integer from 0/],
    ['ALGO_LOG_SUMMARY_INTERVAL_MS', '1', /an integer from 100/],
    ['ALGO_LOG_REQUESTS', 'verbose', /one of summary, all/],
    ['ALGO_ALLOWED_HOSTS', 'cams.example.org:5000', /a comma-separated list of host names/],
  ];
  for (const [variable, value, allowed] of rejected) {
    test(`rejects ${variable}=${value} naming the variable, the value and what is allowed`, () => {
      const error = configError({ [variable]: value });
      assert.equal(error.variable, variable);
      assert.ok(error.message.includes(variable), error.message);
      assert.ok(error.message.includes(JSON.stringify(redactValue(value.trim()))), error.message);
      assert.match(error.message, allowed);
    });
  }

  test('connection limits have bounded defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(config.http, {
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 1000,
      logRequests: 'summary',
      allowedHosts: [],
      tls: undefined,
    });
    assert.equal(config.shutdownDelayMs, 5000);
    assert.equal(config.logSummaryIntervalMs, 30_000);
  });

  test('the request timeout cannot be shorter than the headers timeout', () => {
    assert.match(
      configError({ ALGO_REQUEST_TIMEOUT_MS: '1000', ALGO_HEADERS_TIMEOUT_MS: '2000' }).message,
      /ALGO_REQUEST_TIMEOUT_MS=1000.*at least ALGO_HEADERS_TIMEOUT_MS/,
    );
  });

  test('the metrics port must differ from the main port', () => {
    assert.match(configError({ PORT: '5000', ALGO_METRICS_PORT: '5000' }).message, /ALGO_METRICS_PORT=5000.*other than PORT/);
  });

  test('yolov8 without a model path is rejected', () => {
    assert.match(configError({ ALGO_DETECTOR: 'yolov8' }).message, /ALGO_MODEL_PATH/);
  });

  test('a bad metrics token is rejected without echoing it', () => {
    const error = configError({ ALGO_METRICS_TOKEN: 'short' });
    assert.ok(error.message.includes('ALGO_METRICS_TOKEN'));
    assert.ok(!error.message.includes('short'), error.message);
    assert.ok(!configError({ ALGO_METRICS_TOKEN: 'has a space in it' }).message.includes('has a space'));
  });

  test('a secret in a URL query or userinfo never appears in a configuration error', () => {
    for (const [name, value, shown] of [
      ['ALGO_LLM_BASE_URL', 'https://api.x.com/v1?key=sk-querysecret1', '"https://api.x.com/v1?key=***"'],
      ['ALGO_LLM_BASE_URL', 'https://user:sk-usersecret2@api.x.com/v1', '"https://***:***@api.x.com/v1"'],
      ['ALGO_LLM_BASE_URL', 'ftp://api.x.com/v1#sk-fragsecret3', '"ftp://api.x.com/v1#***"'],
      ['ALGO_LLM_BASE_URL', 'not a url?token=sk-parsesecret4', '"not a url?token=***"'],
      ['ALGO_KAFKA_BROKERS', 'kafka:9092,admin:sk-brokersecret5@kafka2:9092?x', '"kafka:9092,***:***@kafka2:9092?x"'],
      ['ALGO_LLM_MODEL', 'gpt 4?api_key=sk-modelsecret6', '"gpt 4?api_key=***"'],
    ] as const) {
      const error = configError({ [name]: value });
      assert.ok(error.message.startsWith(`Invalid configuration: ${name}=${shown} is not allowed; expected `), error.message);
      assert.ok(!/secret/.test(error.message), error.message);
    }
  });

  test('ALGO_LLM_DISABLED_RETRY_S: a disabled key is probed again after 600 s by default; 0 = never; fractions allowed', () => {
    assert.equal(loadConfig({}).llm.disabledRetryS, 600);
    assert.equal(loadConfig({ ALGO_LLM_DISABLED_RETRY_S: '0' }).llm.disabledRetryS, 0);
    assert.equal(loadConfig({ ALGO_LLM_DISABLED_RETRY_S: '2.5' }).llm.disabledRetryS, 2.5);
    assert.match(configError({ ALGO_LLM_DISABLED_RETRY_S: '-1' }).message, /ALGO_LLM_DISABLED_RETRY_S="-1".*a number from 0 to 86400/);
  });

  test('LLM defaults: OpenAI, no keys, 30 s deadline, 3 attempts', () => {
    const { llm } = loadConfig({});
    assert.equal(llm.baseUrl.href, 'https://api.openai.com/v1');
    assert.equal(llm.provider, 'openai');
    assert.equal(llm.model, 'gpt-4o-mini');
    assert.deepEqual(llm.apiKeys, []);
    assert.equal(llm.timeoutMs, 30_000);
    assert.equal(llm.maxAttempts, 3);
    assert.equal(llm.streamSummaries, false);
  });

  test('the provider label is derived from the base URL host unless set', () => {
    const provider = (url: string): string => loadConfig({ ALGO_LLM_BASE_URL: url }).llm.provider;
    assert.equal(provider('https://api.deepseek.com/v1'), 'deepseek');
    assert.equal(provider('https://dashscope.aliyuncs.com/compatible-mode/v1'), 'dashscope');
    assert.equal(provider('http://localhost:11434/v1'), 'ollama');
    assert.equal(provider('http://vllm:8000/v1'), 'local');
    assert.equal(provider('https://litellm.corp.example.com/v1'), 'example');
    assert.equal(loadConfig({ ALGO_LLM_BASE_URL: 'http://vllm:8000/v1', ALGO_LLM_PROVIDER: 'vLLM' }).llm.provider, 'vllm');
  });

  test('API keys: alias=key, bare keys named by fingerprint, per-key rpm', () => {
    const keys = loadConfig({ ALGO_LLM_API_KEYS: 'primary=sk-aaaaaaaaaaaa, sk-bbbbbbbbbbbb==;rpm=30 ,backup=sk-cccccccccccc' }).llm.apiKeys;
    assert.deepEqual(
      keys.map((k) => [k.keyId.replace(/^key-[0-9a-f]{10}$/, 'fingerprint'), k.secret, k.rpm]),
      [
        ['primary', 'sk-aaaaaaaaaaaa', undefined],
        ['fingerprint', 'sk-bbbbbbbbbbbb==', 30],
        ['backup', 'sk-cccccccccccc', undefined],
      ],
    );
  });

  test('short keys are accepted (local servers take dummy keys); alias=key splits at the first "=" unless only padding follows', () => {
    const keys = loadConfig({ ALGO_LLM_API_KEYS: 'ollama, qk=short, pad==, b64=abc=def==, x' }).llm.apiKeys;
    assert.deepEqual(
      keys.map((k) => [k.keyId.replace(/^key-[0-9a-f]{10}$/, 'fingerprint'), k.secret]),
      [
        ['fingerprint', 'ollama'],
        ['qk', 'short'],
        ['fingerprint', 'pad=='],
        ['b64', 'abc=def=='],
        ['fingerprint', 'x'],
      ],
    );
    const ollama = keys[0]!.keyId;
    assert.ok(!ollama.includes('ollama'));
    assert.equal(loadConfig({ ALGO_LLM_API_KEYS: 'ollama' }).llm.apiKeys[0]!.keyId, ollama, 'stable');
  });

  test('a keys-file line qk=short is the key "short" under alias qk; a bad alias names the line, never the key', () => {
    const parsed = parseKeyFile('# keys\nqk=short\nsk-longer-bare-key-0123456789\n');
    assert.deepEqual(
      parsed.ok ? parsed.keys.map((k) => [k.keyId.replace(/^key-[0-9a-f]{10}$/, 'fingerprint'), k.secret]) : parsed.problem,
      [
        ['qk', 'short'],
        ['fingerprint', 'sk-longer-bare-key-0123456789'],
      ],
    );
    const refused = parseKeyFile('qk=short\nq k=sk-hidden-key-0123\n');
    assert.deepEqual(refused, { ok: false, problem: 'line 2: the alias before "=" must be 1 to 32 characters from [A-Za-z0-9._-]' });
  });

  for (const [what, value, problem] of [
    ['a key with a control character', 'a=sk-a\u0001b', /entry 1: a key must be 1 to 512 visible ASCII characters/],
    ['a key with a space', 'a=sk-aaaa short', /entry 1: a key must be 1 to 512 visible ASCII characters/],
    ['an invalid alias', 'bad alias=sk-aaaaaaaaaaaa', /entry 1: the alias before "=" must be 1 to 32 characters from \[A-Za-z0-9._-\]/],
    ['an empty alias', '=sk-aaaaaaaaaaaa', /entry 1: the alias before "=" must be/],
    ['a duplicated alias', 'a=sk-aaaaaaaaaaaa,a=sk-bbbbbbbbbbbb', /entry 2: key id a is used twice/],
    ['the same key twice', 'sk-aaaaaaaaaaaa,b=sk-aaaaaaaaaaaa', /entry 2: the same key is listed twice/],
    ['a bad option', 'sk-aaaaaaaaaaaa;rpm=fast', /entry 1: option must be rpm=N/],
  ] as const) {
    test(`ALGO_LLM_API_KEYS with ${what} is rejected without echoing any key`, () => {
      const error = configError({ ALGO_LLM_API_KEYS: value });
      assert.equal(error.variable, 'ALGO_LLM_API_KEYS');
      assert.match(error.message, problem);
      assert.ok(!/sk-|short|bad alias/.test(error.message), error.message);
    });
  }
});
