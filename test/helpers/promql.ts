// Static checks on PromQL used by dashboards and alert rules.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics/metrics.js';
import { promtool, type ToolResult } from './promtool.js';
import { PROMETHEUS_SERIES } from '../../src/doctor/prometheus/promql-names.js';

export { PROMETHEUS_SERIES, metricNamesIn, substituteGrafanaVariables } from '../../src/doctor/prometheus/promql-names.js';

/** Every series name algo's /metrics can expose (histograms with their suffixes). */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics({ maxCameras: 10, apiKeyWindowSeconds: 60 });
  const families = await metrics.registry.getMetricsAsJSON();
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const family of families) {
    names.add(family.name);
    if (String(family.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family.name}${suffix}`);
  }
  return names;
}

/** Parses expressions with promtool by wrapping each in a recording rule. */
export async function checkPromqlParses(expressions: string[]): Promise<ToolResult> {
  const file = join(tmpdir(), `algo-promql-${process.pid}-${Date.now()}.yml`);
  const rules = expressions.map((expr, index) => `      - record: algo:check_${index}\n        expr: ${JSON.stringify(expr)}`).join('\n');
  await writeFile(file, `groups:\n  - name: promql-check\n    rules:\n${rules}\n`);
  return promtool(['check', 'rules', file]);
}
