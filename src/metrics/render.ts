// Renders a registry in the Prometheus text format (0.0.4) or OpenMetrics 1.0.0.
// prom-client's own OpenMetrics path renames counters in place (strips `_total` from the
// shared metric objects), which breaks the other format when both are served; this
// renderer reads the registry without changing it.
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

/**
 * Picks OpenMetrics only when the scraper's Accept header prefers it (RFC 9110 §12.5.1): listed
 * with a quality above 0 and at least that of the text format (`text/plain`, `text/*`, `*\/*`).
 * Prometheus sends `application/openmetrics-text;version=1.0.0;q=0.5,…,text/plain;version=0.0.4;q=0.3,*\/*;q=0.2`.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [media = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const quality = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(quality)) continue;
    if (media === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, quality);
    else if (media === 'text/plain' || media === 'text/*' || media === '*/*') text = Math.max(text, quality);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}

type Sample = MetricValue<string> & { metricName?: string };

interface Family {
  name: string;
  help: string;
  type: string;
  values: Sample[];
}

function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value;
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Sample['labels']): string {
  let out = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(typeof value === 'number' ? formatValue(value) : String(value))}"`;
  }
  return out === '' ? '' : `{${out}}`;
}

function renderFamily(metric: Family, format: ExpositionFormat): string {
  const isOpenMetricsCounter = format === 'openmetrics' && metric.type === 'counter';
  const family = isOpenMetricsCounter ? metric.name.replace(/_total$/, '') : metric.name;
  let out = `# HELP ${family} ${escapeHelp(metric.help, format)}\n# TYPE ${family} ${metric.type}\n`;
  for (const sample of metric.values) {
    const name = sample.metricName ?? (isOpenMetricsCounter ? `${family}_total` : metric.name);
    out += `${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`;
  }
  return out;
}

export async function renderMetrics(registry: Registry, format: ExpositionFormat): Promise<string> {
  const families: Family[] = (await registry.getMetricsAsJSON()).map((metric: MetricObjectWithValues<Sample>) => ({
    name: metric.name,
    help: metric.help,
    type: String(metric.type),
    values: metric.values,
  }));
  let out = '';
  for (const family of families) out += renderFamily(family, format);
  return format === 'openmetrics' ? `${out}# EOF\n` : out;
}
