// Reads single samples out of a registry, for tests that count what a request recorded.
import type { Registry } from 'prom-client';
import { renderMetrics } from '../../src/metrics/render.js';

/** The value of the sample written exactly as `series` (name and labels), 0 when absent. */
export async function sampleValue(registry: Registry, series: string): Promise<number> {
  const text = await renderMetrics(registry, 'prometheus');
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
