// What /system shows, gathered when the page is asked for: the detector (model, inference p50
// from detection_latency_seconds, queue, concurrency), Kafka (lag, rebalances), the LLM keys'
// states by alias, and the build. Read from the parts and the metrics registry; nothing secret.
import type { Registry } from 'prom-client';
import type { DetectionPipeline } from '../detect/pipeline.js';
import type { KeyRouter } from '../llm/key-router.js';
import { VERSION } from '../version.js';

export interface SystemSources {
  pipeline: DetectionPipeline | undefined;
  /** The model file's name (not its path) and the detector kind, as configured. */
  model: { file: string; detector: string };
  registry: Registry;
  keys: Pick<KeyRouter, 'states'>;
  kafkaEnabled: boolean;
  metricsPath: string | undefined;
  grafanaUrl: string | undefined;
}

export interface SystemInfo {
  detector:
    | {
        model_type: string;
        model_file: string;
        detector: string;
        concurrency: number;
        inference_p50_ms: number | null;
        frames_detected: number;
        running: number;
        waiting: number;
        max_waiting: number;
      }
    | undefined;
  kafka: { enabled: boolean; lag: number | null; rebalances: number };
  llm_keys: Array<{ alias: string; state: string; cooldown_until: string | null }>;
  build: { version: string; node: string };
  links: { metrics: string | undefined; grafana: string | undefined; doctor: string };
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return [];
  return (await metric.get()).values as Sample[];
}

/** The quantile of a histogram from its cumulative buckets (all label sets summed), linear within a bucket. */
export function histogramQuantile(buckets: ReadonlyArray<{ le: number; count: number }>, quantile: number): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = quantile * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerCount)) / Math.max(count - lowerCount, 1);
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

export async function systemInfo(sources: SystemSources): Promise<SystemInfo> {
  const { pipeline, registry } = sources;
  let detector: SystemInfo['detector'];
  if (pipeline !== undefined) {
    const byLe = new Map<number, number>();
    let detected = 0;
    for (const sample of await samples(registry, 'detection_latency_seconds')) {
      if (sample.metricName === 'detection_latency_seconds_count') detected += sample.value;
      if (sample.metricName !== 'detection_latency_seconds_bucket') continue;
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + sample.value);
    }
    const p50 = histogramQuantile(
      [...byLe].map(([le, count]) => ({ le, count })),
      0.5,
    );
    const load = pipeline.load;
    detector = {
      model_type: pipeline.modelType,
      model_file: sources.model.file,
      detector: sources.model.detector,
      concurrency: pipeline.concurrency,
      inference_p50_ms: p50 === null ? null : Math.round(p50 * 10_000) / 10,
      frames_detected: detected,
      running: load.running,
      waiting: load.waiting,
      max_waiting: load.maxWaiting,
    };
  }
  const lagSamples = await samples(registry, 'kafka_consumer_lag');
  const rebalances = (await samples(registry, 'kafka_consumer_rebalances_total')).reduce((sum, sample) => sum + sample.value, 0);
  return {
    detector,
    kafka: {
      enabled: sources.kafkaEnabled,
      lag: lagSamples.length === 0 ? null : lagSamples.reduce((sum, sample) => sum + sample.value, 0),
      rebalances,
    },
    llm_keys: sources.keys.states().map((key) => ({
      alias: key.keyId,
      state: key.state,
      cooldown_until: key.cooldownUntilMs === undefined ? null : new Date(key.cooldownUntilMs).toISOString(),
    })),
    build: { version: VERSION, node: process.version },
    links: { metrics: sources.metricsPath, grafana: sources.grafanaUrl, doctor: 'npx algo doctor' },
  };
}
