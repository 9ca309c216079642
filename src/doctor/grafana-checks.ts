// The doctor's Grafana group (optional): health, the provisioned Prometheus data source and
// its health check, and the provisioned algo dashboard.
import { readFile } from 'node:fs/promises';
import { maskUrl } from '../redact.js';
import { checksFor, type CheckResult } from './check.js';
import { jsonOf, probe } from './http-probe.js';
import type { DoctorOptions } from './options.js';

/** The data source uid the shipped provisioning and dashboard use. */
export const DATASOURCE_UID = 'algo-prometheus';

interface Datasource {
  uid: string;
  name: string;
  type: string;
  url?: string;
}

async function dashboardUid(file: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { uid?: string }).uid ?? 'algo-overview';
  } catch {
    return 'algo-overview';
  }
}

export async function checkGrafana(options: DoctorOptions): Promise<CheckResult[]> {
  const { results, add } = checksFor('grafana');
  const base = options.grafana;
  const timeoutMs = options.timeoutMs;
  const { user, password, token } = options.grafanaAuth;
  const headers = {
    authorization: token !== undefined ? `Bearer ${token}` : `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };

  const health = await probe(`${base}/api/health`, { timeoutMs });
  if (!health.ok) {
    add('health', 'Grafana reachable', 'skip', `not reachable at ${base} (${health.code}); Grafana is optional, its checks are skipped`);
    return results;
  }
  const body = jsonOf<{ database?: string; version?: string }>(health);
  if (body?.database === undefined) {
    add('health', 'Grafana reachable', 'fail', `/api/health answered ${health.status} without Grafana's fields`, {
      cause: `${base} is not Grafana`,
      fix: "pass --grafana with Grafana's URL (the compose stack maps it to 3100)",
    });
    return results;
  }
  add(
    'health',
    'Grafana reachable',
    body.database === 'ok' ? 'pass' : 'fail',
    `version ${body.version ?? '?'}, database ${body.database ?? '?'}`,
    body.database === 'ok' ? undefined : { cause: "Grafana's database is not ok", fix: "check Grafana's volume and log" },
  );

  const list = await probe(`${base}/api/datasources`, { timeoutMs, headers });
  if (list.ok && (list.status === 401 || list.status === 403)) {
    add('datasource', 'Prometheus data source', 'fail', `login refused (${list.status})`, {
      cause: 'wrong Grafana credentials',
      fix: 'pass --grafana-user/--grafana-password (default admin/admin) or --grafana-token',
    });
    return results;
  }
  const datasources = list.ok && list.status === 200 ? (jsonOf<Datasource[]>(list) ?? []) : [];
  const prometheus = datasources.find((d) => d.uid === DATASOURCE_UID) ?? datasources.find((d) => d.type === 'prometheus');
  if (prometheus === undefined) {
    add('datasource', 'Prometheus data source', 'fail', 'none', {
      cause: 'the provisioned data source is missing: deploy/grafana/provisioning is not mounted',
      fix: 'mount deploy/grafana/provisioning at /etc/grafana/provisioning (deploy/docker-compose.infra.yml does)',
    });
  } else {
    const check = await probe(`${base}/api/datasources/uid/${encodeURIComponent(prometheus.uid)}/health`, { timeoutMs, headers });
    const answer = check.ok ? jsonOf<{ status?: string; message?: string }>(check) : undefined;
    const healthy = check.ok && check.status === 200 && answer?.status === 'OK';
    add(
      'datasource',
      'Prometheus data source',
      healthy ? 'pass' : 'fail',
      `${prometheus.name} (uid ${prometheus.uid}) → ${maskUrl(prometheus.url ?? '?')}: ${answer?.message ?? (check.ok ? `HTTP ${check.status}` : check.message)}`,
      healthy
        ? undefined
        : {
            cause: 'Grafana cannot query Prometheus through this data source',
            fix: 'its URL must be reachable from Grafana (http://prometheus:9090 inside compose)',
          },
    );
    if (prometheus.uid !== DATASOURCE_UID)
      add('datasource_uid', 'data source uid', 'warn', `uid ${prometheus.uid}`, {
        cause: `the dashboard's panels use uid ${DATASOURCE_UID}`,
        fix: 'use the provisioned data source file (deploy/grafana/provisioning/datasources/prometheus.yml)',
      });
  }

  const uid = await dashboardUid(options.dashboardFile);
  const dashboard = await probe(`${base}/api/dashboards/uid/${encodeURIComponent(uid)}`, { timeoutMs, headers });
  if (dashboard.ok && dashboard.status === 200) add('dashboard', 'algo dashboard provisioned', 'pass', `uid ${uid}`);
  else
    add('dashboard', 'algo dashboard provisioned', 'fail', dashboard.ok ? `uid ${uid}: HTTP ${dashboard.status}` : dashboard.message, {
      cause: 'the dashboard is not provisioned',
      fix: 'mount deploy/grafana/dashboards at /var/lib/grafana/dashboards and the dashboards provider file (deploy/docker-compose.infra.yml does)',
    });
  return results;
}
