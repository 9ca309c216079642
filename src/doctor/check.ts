// One line of the doctor's report: what was checked, how it went, and for anything short of
// a pass, the cause and the fix in plain words.

export type CheckGroup = 'algo' | 'consistency' | 'prometheus' | 'grafana' | 'llm';

/** `skip`: not applicable here (e.g. Grafana not running); never fails the run. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  group: CheckGroup;
  /** Stable identifier for scripts reading `--json` (`algo.metrics.content_type`). */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was observed. */
  detail: string;
  cause?: string;
  fix?: string;
  /** What the check is about when one check runs per thing (a target: `job/host:port`). */
  subject?: string;
  /** A stable class of the fault, for scripts (e.g. a scrape error: `not_found`, `deadline`). */
  kind?: string;
  /** The things `detail` counts, one per line under the check with `--verbose` (always in `--json`). */
  items?: string[];
}

export interface Diagnosis {
  cause: string;
  fix: string;
}

/** Builds the results of one group with its id prefix and group filled in. */
export function checksFor(group: CheckGroup): {
  results: CheckResult[];
  add(
    id: string,
    title: string,
    status: CheckStatus,
    detail: string,
    diagnosis?: Diagnosis,
    extra?: { subject?: string; kind?: string; items?: string[] },
  ): CheckResult;
} {
  const results: CheckResult[] = [];
  return {
    results,
    add(id, title, status, detail, diagnosis, extra) {
      const result: CheckResult = { group, id: `${group}.${id}`, title, status, detail, ...extra, ...diagnosis };
      results.push(result);
      return result;
    },
  };
}
