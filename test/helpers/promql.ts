// Static checks on PromQL used by dashboards and alert rules.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics/metrics.js';
import { promtool, type ToolResult } from './promtool.js';

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
/** Series Prometheus itself attaches to every target. */
export const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

/** Replaces Grafana's variables with values PromQL accepts. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{?instance\}?/g, '.*');
}

/** Metric names an expression selects (not functions, keywords, labels or strings). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

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
