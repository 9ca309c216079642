// The doctor's report: one line per check (with cause and fix under anything short of a
// pass) for people, or one JSON document for scripts. Plain lines fit a terminal: none is
// longer than MAX_LINE; a check's list of items is a count, item by item with --verbose.
import type { CheckResult, CheckStatus } from './check.js';

export interface DoctorReport {
  ok: boolean;
  summary: Record<CheckStatus, number>;
  targets: { algo: string; metrics: string; prometheus: string; grafana: string; job: string | undefined };
  checks: CheckResult[];
}

export function buildReport(checks: CheckResult[], targets: DoctorReport['targets']): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status]++;
  return { ok: summary.fail === 0, summary, targets, checks };
}

/** The longest line of the plain report. */
export const MAX_LINE = 160;

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** `text` after `first`, cut at spaces into lines of at most MAX_LINE, continued under `indent`. */
function wrapped(first: string, indent: string, text: string): string[] {
  const lines: string[] = [];
  let prefix = first;
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > MAX_LINE) {
      lines.push(prefix + line);
      prefix = indent;
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(prefix + line);
  // A single word longer than a line (a long URL) is cut where it must be.
  return lines.flatMap((l) => l.match(new RegExp(`.{1,${MAX_LINE}}`, 'g')) ?? ['']);
}

export function renderText(report: DoctorReport, verbose = false): string {
  const lines = wrapped(
    'algo doctor: ',
    '  ',
    `algo ${report.targets.algo} · Prometheus ${report.targets.prometheus} · Grafana ${report.targets.grafana}`,
  );
  let group = '';
  for (const check of report.checks) {
    if (check.group !== group) {
      group = check.group;
      lines.push('', group);
    }
    lines.push(...wrapped(`  ${LABEL[check.status]}  `, '        ', `${check.title}: ${check.detail}`));
    if (check.cause !== undefined) lines.push(...wrapped('        cause: ', '               ', check.cause));
    if (check.fix !== undefined) lines.push(...wrapped('        fix:   ', '               ', check.fix));
    if (verbose) for (const item of check.items ?? []) lines.push(...wrapped('        - ', '          ', item));
  }
  const { pass, warn, fail, skip } = report.summary;
  lines.push(
    '',
    `${pass} passed, ${fail} failed, ${warn} warnings, ${skip} skipped: ${report.ok ? 'nothing failed' : 'see the causes and fixes above'}`,
  );
  return `${lines.join('\n')}\n`;
}

export const renderJson = (report: DoctorReport): string => `${JSON.stringify(report, null, 2)}\n`;
