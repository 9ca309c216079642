// A strict reader of the Prometheus text format (0.0.4) and OpenMetrics 1.0 text, for the
// doctor: it must tell a real exposition from an HTML page, JSON or a truncated body, which
// lenient parsers accept as "no metrics". Grammar: prometheus.io/docs/instrumenting/exposition_formats
// and the OpenMetrics 1.0 specification.

export interface ExpositionSample {
  /** The sample's own name (`http_request_duration_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ExpositionFamily {
  name: string;
  /** `counter`, `gauge`, `histogram`, `summary`, `untyped`, … as declared by `# TYPE`. */
  type: string;
  help: string;
  samples: ExpositionSample[];
}

export type ExpositionResult = { ok: true; families: Map<string, ExpositionFamily>; sampleCount: number } | { ok: false; error: string };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created', '_gcount', '_gsum', '_info'];

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads `{a="x",b="y"}` from the start of `text`; returns the labels and the rest. */
function parseLabels(text: string): { labels: Record<string, string>; rest: string } | string {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('}')) return { labels, rest: rest.slice(1) };
    const name = LABEL_NAME.exec(rest)?.[0];
    if (name === undefined) return `expected a label name, got ${JSON.stringify(rest.slice(0, 20))}`;
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('="')) return `expected ="…" after label ${name}`;
    let value = '';
    let i = 2;
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] === '\\') {
        const next = rest[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += rest[i];
    }
    if (i >= rest.length) return `unterminated value for label ${name}`;
    labels[name] = value;
    rest = rest.slice(i + 1).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) return `expected , or } after label ${name}`;
  }
}

function familyOf(name: string, families: Map<string, ExpositionFamily>): string {
  if (families.has(name)) return name;
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return name;
}

/**
 * Parses an exposition body. Each `# TYPE`/`# HELP` line declares a family; samples are
 * attached to their family by name or histogram/summary/counter suffix. The first malformed
 * line fails the whole body, with its line number and what was expected.
 */
export function parseExposition(text: string): ExpositionResult {
  const families = new Map<string, ExpositionFamily>();
  const family = (name: string): ExpositionFamily => {
    let found = families.get(name);
    if (found === undefined) families.set(name, (found = { name, type: 'untyped', help: '', samples: [] }));
    return found;
  };
  let sampleCount = 0;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return { ok: false, error: 'the body is empty' };
  for (const [index, line] of lines.entries()) {
    const fail = (what: string): ExpositionResult => ({
      ok: false,
      error: `line ${index + 1}: ${what}: ${JSON.stringify(line.slice(0, 80))}`,
    });
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (meta === null) {
        if (line === '# EOF' || !/^# (HELP|TYPE|UNIT)\b/.test(line)) continue;
        return fail('malformed metadata line');
      }
      const [, kind, name = '', rest = ''] = meta;
      if (kind === 'TYPE') {
        if (!/^(counter|gauge|histogram|gaugehistogram|summary|untyped|unknown|info|stateset)$/.test(rest))
          return fail(`unknown metric type ${JSON.stringify(rest)}`);
        family(name).type = rest;
      } else if (kind === 'HELP') family(name).help = rest;
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (name === undefined) return fail('expected a metric name');
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest);
      if (typeof parsed === 'string') return fail(parsed);
      ({ labels, rest } = parsed);
    }
    const fields = (rest.split(' # ')[0] ?? '').trim().split(/\s+/); // ' # ' starts an OpenMetrics exemplar
    const value = parseValue(fields[0] ?? '');
    if (!rest.startsWith(' ') || value === undefined || fields.length > 3) return fail('expected a sample value');
    family(familyOf(name, families)).samples.push({ name, labels, value });
    sampleCount++;
  }
  // OpenMetrics (which ends with `# EOF`) names a counter family without `_total`; key it as
  // the text format does, so both formats give the same family names.
  const openMetrics = lines.at(-1) === '# EOF';
  for (const [name, found] of [...families]) {
    if (openMetrics && found.type === 'counter' && !name.endsWith('_total')) {
      families.delete(name);
      families.set(`${name}_total`, { ...found, name: `${name}_total` });
    }
  }
  return { ok: true, families, sampleCount };
}
