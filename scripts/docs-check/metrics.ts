// Metric names in the docs against the registry algo builds (createMetrics), and every
// registered family documented somewhere. A doc names a metric in a table whose first column
// is "Metric", in a PromQL selector (`name{…}`, `name[5m]`) in code, or as a whole inline
// code span. Only words that start like a registered family (`http_`, `camera_`…) are
// taken for metric names; label names and the string values the code uses (error codes such
// as `llm_timeout`) are not metrics. A doc says "these are not algo's metrics" with
// `<!-- docs-check: not-metrics name… -->`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_SERIES } from '../../src/doctor/prometheus/promql-names.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { tableRows, type Doc, type Problem } from './markdown.js';

export interface Registered {
  families: Set<string>;
  /** Each family's type: counter, gauge, histogram or summary. */
  types: Map<string, string>;
  labels: Set<string>;
}

export async function registeredMetrics(): Promise<Registered> {
  const { registry } = createMetrics({ maxCameras: 100, apiKeyWindowSeconds: 300 });
  const json = await registry.getMetricsAsJSON();
  const families = new Set(json.map((metric) => metric.name));
  const types = new Map(json.map((metric) => [metric.name, String(metric.type)]));
  const labels = new Set(
    registry.getMetricsAsArray().flatMap((metric) => (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? []),
  );
  return { families, types, labels };
}

const SUFFIXES = ['', '_bucket', '_sum', '_count', '_total', '_created', '_info'];

/** The names a family of this type is written as: a counter ends `_total`, a gauge has no suffix. */
function seriesNames(family: string, type: string): string[] {
  if (type === 'counter') return [family.endsWith('_total') ? family : `${family}_total`];
  if (type === 'histogram') return [family, `${family}_bucket`, `${family}_sum`, `${family}_count`];
  if (type === 'summary') return [family, `${family}_sum`, `${family}_count`];
  return [family];
}

/** The registered family a series name is near (`x_bucket` → `x`, `x` → `x_total`), if any, its suffix aside. */
function familyOf(name: string, families: Set<string>): string | undefined {
  for (const suffix of SUFFIXES) {
    if (suffix !== '' && name.endsWith(suffix) && families.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
    if (families.has(name + suffix)) return name + suffix;
  }
  return undefined;
}

/** Quoted lower_snake words in src/: values (error codes, outcomes) that are not metric names. */
function codeStrings(root: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/['"`]([a-z][a-z0-9]*_[a-z0-9_]+)['"`]/g)) out.add(m[1]!);
    }
  };
  walk(join(root, 'src'));
  return out;
}

const NAME = /[a-z_:][a-z0-9_:]*/.source;

/** `whole`: the docs are the whole set, so a family none of them names is undocumented. */
export function checkMetrics(docs: Doc[], root: string, registered: Registered, whole: boolean): Problem[] {
  const { families, types, labels } = registered;
  const familyOfSeries = new Map([...families].flatMap((f) => seriesNames(f, types.get(f) ?? 'gauge').map((name) => [name, f] as const)));
  const prefixes = new Set([...families].map((family) => family.split('_')[0]!));
  const looksLikeMetric = (name: string): boolean => prefixes.has(name.split('_')[0]!) && name.includes('_');
  const values = codeStrings(root);
  const problems: Problem[] = [];
  const documented = new Set<string>();
  const covers: RegExp[] = [];

  for (const doc of docs) {
    const exempt = new Set(
      doc.lines.flatMap((text) => /<!--\s*docs-check:\s*not-metrics\s+(.*?)\s*-->/.exec(text)?.[1]?.split(/\s+/) ?? []),
    );
    const check = (line: number, name: string, how: string): void => {
      if (exempt.has(name) || PROMETHEUS_SERIES.includes(name)) return;
      const family = familyOfSeries.get(name);
      if (family !== undefined) return void documented.add(family);
      const near = familyOf(name, families);
      const message =
        near === undefined
          ? 'algo registers no such metric'
          : `${near} is a ${types.get(near) ?? 'gauge'}, written ${seriesNames(near, types.get(near) ?? 'gauge').join(' or ')}`;
      problems.push({ path: doc.path, line, message: `${name}${how}: ${message}` });
    };
    for (const { line, cells } of tableRows(doc, /^metric$/i)) {
      for (const match of (cells[0] ?? '').matchAll(/`([^`]+)`/g)) {
        const name = match[1]!.replace(/\{.*$/, '');
        if (name.endsWith('*')) {
          const glob = new RegExp(`^${name.slice(0, -1)}`);
          if (![...families].some((f) => glob.test(f)))
            problems.push({ path: doc.path, line, message: `${name}: no registered metric matches` });
          else covers.push(glob);
        } else check(line, name, '');
      }
    }
    const code = [...doc.spans, ...doc.blocks.flatMap((block) => block.body)];
    for (const { line, text } of code) {
      for (const match of text.matchAll(new RegExp(`(?<![\\w%{.$])(${NAME})(?=\\{|\\[\\d)`, 'g'))) check(line, match[1]!, ' (in a query)');
    }
    for (const { line, text } of doc.spans) {
      const name = new RegExp(`^(${NAME})(\\{[^}]*\\})?$`).exec(text)?.[1];
      if (name !== undefined && looksLikeMetric(name) && !labels.has(name) && !values.has(name)) check(line, name, '');
    }
    for (const text of doc.lines) for (const word of text.match(/\b[a-z][a-z0-9_]*\b/g) ?? []) if (families.has(word)) documented.add(word);
  }
  if (!whole) return problems;
  const home = docs.find((doc) => doc.path.endsWith('metrics.md')) ?? docs[0];
  for (const family of [...families].sort()) {
    if (!documented.has(family) && !covers.some((glob) => glob.test(family)))
      problems.push({
        path: home?.path ?? 'docs',
        line: 1,
        message: `${family}: registered by algo, documented nowhere (add it to docs/metrics.md)`,
      });
  }
  return problems;
}
