// A histogram for the per-request hot path. prom-client's labelled children re-validate and
// re-hash their labels on every observation (about 1 µs); here a child is a plain record
// resolved once, so an observation is a bucket scan and three additions. The same children
// also back a counter family (their observation counts), so a request is counted once.
// Both families are exposed through prom-client's Registry like any other metric.
import type { Registry } from 'prom-client';

export interface HotChild {
  observe(value: number): void;
}

interface ChildState extends HotChild {
  readonly labels: Record<string, string>;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The part of prom-client's metric contract its Registry uses to collect and render. */
interface Collectable {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

function register(registry: Registry, metric: Collectable): void {
  // prom-client types registerMetric() as its own four classes, but its Registry only calls
  // name, get() and reset(): the structural contract implemented here.
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

export interface HotHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
  registry: Registry;
  /** Also expose the observation counts as this counter family. */
  counter?: { name: string; help: string };
}

export class HotHistogram<L extends string> {
  private readonly children: ChildState[] = [];
  private readonly bounds: Float64Array;
  private readonly bucketLabels: string[];

  constructor(private readonly options: HotHistogramOptions<L>) {
    this.bounds = Float64Array.from(options.buckets);
    this.bucketLabels = [...options.buckets.map(String), '+Inf'];
    const children = this.children;
    const reset = (): void => {
      children.length = 0;
    };
    register(options.registry, {
      name: options.name,
      help: options.help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ name: options.name, help: options.help, type: 'histogram', aggregator: 'sum', values: this.histogramSamples() }),
      reset,
    });
    const counter = options.counter;
    if (counter !== undefined) {
      register(options.registry, {
        name: counter.name,
        help: counter.help,
        type: 'counter',
        aggregator: 'sum',
        get: async () => ({
          name: counter.name,
          help: counter.help,
          type: 'counter',
          aggregator: 'sum',
          values: children.map((child) => ({ labels: child.labels, value: child.count })),
        }),
        reset,
      });
    }
  }

  /** Resolve a child once and keep it; each call creates a new series. */
  child(labels: Record<L, string>): HotChild {
    const bounds = this.bounds;
    const state: ChildState = {
      labels: { ...labels },
      buckets: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
      observe(value: number): void {
        let index = 0;
        while (index < bounds.length && value > bounds[index]!) index++;
        this.buckets[index]! += 1;
        this.sum += value;
        this.count += 1;
      },
    };
    this.children.push(state);
    return state;
  }

  private histogramSamples(): Sample[] {
    const samples: Sample[] = [];
    const bucketName = `${this.options.name}_bucket`;
    for (const child of this.children) {
      let cumulative = 0;
      for (let index = 0; index < this.bucketLabels.length; index++) {
        cumulative += child.buckets[index]!;
        samples.push({ labels: { le: this.bucketLabels[index]!, ...child.labels }, value: cumulative, metricName: bucketName });
      }
      samples.push({ labels: child.labels, value: child.sum, metricName: `${this.options.name}_sum` });
      samples.push({ labels: child.labels, value: child.count, metricName: `${this.options.name}_count` });
    }
    return samples;
  }
}
