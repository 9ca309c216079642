// Process and Node.js runtime metrics: prom-client's defaults, minus the three gauges it
// names `nodejs_active_{handles,requests,resources}_total`. A gauge must not end in `_total`
// (promtool rejects it), and the same totals are the sums of the per-type gauges that stay:
// sum(nodejs_active_handles) is what nodejs_active_handles_total was.
import { collectDefaultMetrics, type Registry } from 'prom-client';

const GAUGES_NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export function registerRuntimeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
}
