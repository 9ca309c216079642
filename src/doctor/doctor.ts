// `algo doctor`: walks the monitoring checklist (algo → consistency → Prometheus → Grafana → LLM)
// and reports every check with its cause and fix.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAlgo } from './algo-checks.js';
import { checkConsistency } from './consistency-checks.js';
import { checkGrafana } from './grafana-checks.js';
import { checkLlm } from './llm-checks.js';
import type { DoctorOptions } from './options.js';
import { checkPrometheus } from './prometheus/prometheus-checks.js';
import { buildReport, type DoctorReport } from './report.js';

/** The package root (src/doctor and dist/doctor both sit two levels below it). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the shipped alert rules and dashboard are, for `--rules`/`--dashboard` defaults. */
export const SHIPPED_FILES = {
  rulesFile: join(ROOT, 'deploy', 'prometheus', 'alerts.yml'),
  dashboardFile: join(ROOT, 'deploy', 'grafana', 'dashboards', 'algo-overview.json'),
};

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const algo = await checkAlgo(options);
  const consistency = await checkConsistency(options, algo.families);
  const prometheus = await checkPrometheus(options, algo);
  const grafana = await checkGrafana(options);
  const llm = await checkLlm(options.llm, options.timeoutMs);
  return buildReport([...algo.results, ...consistency, ...prometheus.results, ...grafana, ...llm], {
    algo: options.url,
    metrics: options.metricsUrl,
    prometheus: options.prometheus,
    grafana: options.grafana,
    job: prometheus.job,
  });
}
