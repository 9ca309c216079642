// The doctor's report: one line per check (with cause and fix under anything short of a
// pass) for people, or one JSON document for scripts.
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

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export function renderText(report: DoctorReport): string {
  const lines = [`algo doctor: algo ${report.targets.algo} · Prometheus ${report.targets.prometheus} · Grafana ${report.targets.grafana}`];
  let group = '';
  for (const check of report.checks) {
    if (check.group !== group) {
      group = check.group;
      lines.push('', group);
    }
    lines.push(`  ${LABEL[check.status]}  ${check.title}: ${check.detail}`);
    if (check.cause !== undefined) lines.push(`        cause: ${check.cause}`);
    if (check.fix !== undefined) lines.push(`        fix:   ${check.fix}`);
  }
  const { pass, warn, fail, skip } = report.summary;
  lines.push(
    '',
    `${pass} passed, ${fail} failed, ${warn} warnings, ${skip} skipped: ${report.ok ? 'nothing failed' : 'see the causes and fixes above'}`,
  );
  return `${lines.join('\n')}\n`;
}

export const renderJson = (report: DoctorReport): string => `${JSON.stringify(report, null, 2)}\n`;
