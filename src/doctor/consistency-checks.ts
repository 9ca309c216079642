// The doctor's consistency group: every metric the shipped alert rules and dashboard query
// must exist on the live /metrics, so a renamed metric cannot leave a panel silently empty
// or an alert silently unable to fire.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { checksFor, type CheckResult } from './check.js';
import type { ExpositionFamily } from './exposition.js';
import { firstEventOf } from './first-event.js';
import { PROMETHEUS_SERIES, familyOfSeries, metricNamesIn, substituteGrafanaVariables } from './prometheus/promql-names.js';
import { messageOf } from '../errors.js';

interface RulesFile {
  groups?: Array<{ rules?: Array<{ alert?: string; record?: string; expr?: string }> }>;
}

interface DashboardFile {
  panels?: Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: DashboardFile['panels'] }>;
}

/** `where` → expressions, from the alert rules file. */
export function ruleExpressions(text: string): Array<{ where: string; expr: string }> {
  const rules = (parseYaml(text) as RulesFile | null)?.groups?.flatMap((g) => g.rules ?? []) ?? [];
  return rules
    .filter((r) => typeof r.expr === 'string')
    .map((r) => ({ where: `alert ${r.alert ?? r.record ?? '?'}`, expr: String(r.expr) }));
}

/** `where` → expressions, from a Grafana dashboard JSON (nested rows included). */
export function dashboardExpressions(text: string): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (panels: DashboardFile['panels']): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? [])
        if (typeof target.expr === 'string')
          out.push({ where: `panel "${panel.title ?? '?'}"`, expr: substituteGrafanaVariables(target.expr) });
      walk(panel.panels);
    }
  };
  walk((JSON.parse(text) as DashboardFile).panels);
  return out;
}

function compare(
  add: ReturnType<typeof checksFor>['add'],
  id: string,
  title: string,
  expressions: Array<{ where: string; expr: string }>,
  families: Map<string, ExpositionFamily>,
): void {
  const missing: string[] = [];
  const waiting = new Map<string, string>();
  let names = 0;
  for (const { where, expr } of expressions) {
    for (const name of metricNamesIn(expr)) {
      if (PROMETHEUS_SERIES.includes(name)) continue;
      names++;
      const family = familyOfSeries(name, families);
      if (family === undefined) missing.push(`${name} (${where})`);
      else if (families.get(family)?.samples.length === 0) waiting.set(family, firstEventOf(family) ?? 'no samples yet');
    }
  }
  if (missing.length > 0) {
    add(id, title, 'fail', `not on the live /metrics: ${[...new Set(missing)].join(', ')}`, {
      cause: 'these queries name metrics algo does not export (renamed or removed), so they stay empty for ever',
      fix: 'update the queries to the names on /metrics (docs/metrics.md), or run the algo version these files came with',
    });
    return;
  }
  const pending = [...waiting].map(([family, event]) => `${family}: ${event}`);
  const awaiting = pending.length === 0 ? '' : `; ${pending.length} of them await their first event (--verbose lists them)`;
  add(id, title, 'pass', `${expressions.length} queries, ${names} metric references, all exported${awaiting}`, undefined, {
    ...(pending.length > 0 && { items: pending }),
  });
}

export async function checkConsistency(
  files: { rulesFile: string; dashboardFile: string },
  families: Map<string, ExpositionFamily> | undefined,
): Promise<CheckResult[]> {
  const { results, add } = checksFor('consistency');
  const sources: Array<{ id: string; title: string; file: string; read: (text: string) => Array<{ where: string; expr: string }> }> = [
    { id: 'alert_rules', title: 'alert rules query exported metrics', file: files.rulesFile, read: ruleExpressions },
    { id: 'dashboard', title: 'dashboard queries exported metrics', file: files.dashboardFile, read: dashboardExpressions },
  ];
  for (const source of sources) {
    let expressions;
    try {
      expressions = source.read(await readFile(source.file, 'utf8'));
    } catch (error) {
      const absent = (error as { code?: string }).code === 'ENOENT';
      add(
        source.id,
        source.title,
        absent ? 'skip' : 'fail',
        absent ? `${source.file} not found` : `${source.file}: ${messageOf(error)}`,
        absent ? undefined : { cause: 'the file does not parse', fix: 'fix its syntax (promtool check rules / a JSON linter)' },
      );
      continue;
    }
    if (families === undefined) add(source.id, source.title, 'skip', 'live /metrics unavailable (see above)');
    else compare(add, source.id, source.title, expressions, families);
  }
  return results;
}
