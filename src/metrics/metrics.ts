// Builds algo's registry and every metric group in it. The result is passed explicitly to
// whatever records; nothing here is a global.
import { Registry } from 'prom-client';
import type { MetricsConfig } from './metrics-config.js';
import { createApiKeyMetrics, type ApiKeyRecorder } from './recorders/api-key-metrics.js';
import { createAuthMetrics, type AuthRecorder } from './recorders/auth-metrics.js';
import { registerBuildInfo } from './build-info.js';
import { createCameraMetrics, type CameraMetrics } from './recorders/camera-metrics.js';
import { createDetectionMetrics, type DetectionRecorder } from './recorders/detection-metrics.js';
import { HttpMetrics } from './recorders/http-metrics.js';
import { createKafkaMetrics, type KafkaRecorder } from './recorders/kafka-metrics.js';
import { createLlmMetrics, type LlmRecorder } from './recorders/llm-metrics.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';
import { createSceneMetrics, type SceneMetrics } from './recorders/scene-metrics.js';

export interface AlgoMetrics {
  readonly registry: Registry;
  readonly http: HttpMetrics;
  readonly detection: DetectionRecorder;
  readonly llm: LlmRecorder;
  readonly apiKeys: ApiKeyRecorder;
  readonly kafka: KafkaRecorder;
  readonly cameras: CameraMetrics;
  readonly scene: SceneMetrics;
  readonly auth: AuthRecorder;
}

export interface MetricsOptions {
  /** Process and runtime collectors; tests that build many registries may leave them out. */
  runtime?: boolean;
  now?: () => number;
}

export function createMetrics(
  config: Pick<MetricsConfig, 'maxCameras' | 'apiKeyWindowSeconds'>,
  options: MetricsOptions = {},
): AlgoMetrics {
  const registry = new Registry();
  if (options.runtime !== false) registerRuntimeMetrics(registry);
  registerBuildInfo(registry);
  return {
    registry,
    http: new HttpMetrics(registry),
    detection: createDetectionMetrics(registry, config.maxCameras),
    llm: createLlmMetrics(registry),
    apiKeys: createApiKeyMetrics(registry, config.apiKeyWindowSeconds, options.now),
    kafka: createKafkaMetrics(registry),
    cameras: createCameraMetrics(registry, config.maxCameras),
    scene: createSceneMetrics(registry),
    auth: createAuthMetrics(registry),
  };
}
