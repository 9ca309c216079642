// `algo doctor` against a real Prometheus (Debian's) scraping real algo processes: one
// healthy job and one job per broken setup the doctor must name.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/doctor/doctor.js';
import { SHIPPED_FILES } from '../../src/doctor/doctor.js';
import { parseDoctorArgs } from '../../src/doctor/options.js';
import type { DoctorReport } from '../../src/doctor/report.js';
import { startFakeGrafana, type FakeGrafana } from '../helpers/fake-grafana.js';
import { freePort } from '../helpers/ports.js';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'doctor-test-token-9f2c';

let healthy: TestService;
let spare: TestService;
let disabled: TestService;
let tokened: TestService;
let silent: Server;
const silentSockets = new Set<Socket>();
let prometheus: RunningPrometheus;
let grafana: FakeGrafana;
let closedPort: number;

const host = (url: string): string => new URL(url).host;

function doctor(flags: string[]): Promise<DoctorReport> {
  const options = parseDoctorArgs(
    ['--prometheus', prometheus.url, '--grafana', grafana.url, '--rescrape', '200', '--timeout', '3000', ...flags],
    SHIPPED_FILES,
  );
  assert.ok(options);
  return runDoctor(options);
}

const check = (report: DoctorReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};
const targetCheck = (report: DoctorReport, job = report.targets.job) => {
  const found = report.checks.find((c) => c.id === 'prometheus.target' && c.subject?.startsWith(`${job}/`));
  assert.ok(found, `a target health check for job ${job}`);
  return found;
};

describe('algo doctor with a real Prometheus', () => {
  before(async () => {
    healthy = await startTestService();
    spare = await startTestService();
    disabled = await startTestService({ ALGO_ENABLE_PROMETHEUS: 'false' });
    tokened = await startTestService({ ALGO_METRICS_TOKEN: TOKEN });
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    }); // accepts TCP, never answers
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentAddress = silent.address();
    const silentPort = typeof silentAddress === 'object' && silentAddress !== null ? silentAddress.port : 0;
    closedPort = await freePort();
    grafana = await startFakeGrafana();
    prometheus = await startPrometheus([
      { job: 'algo', address: host(healthy.url) },
      { job: 'wrong-path', address: `localhost:${new URL(spare.url).port}`, metricsPath: '/metricz' },
      { job: 'algo-copy', address: host(spare.url) },
      { job: 'refused', address: `127.0.0.1:${closedPort}` },
      { job: 'deadline', address: `127.0.0.1:${silentPort}` },
      { job: 'disabled', address: host(disabled.url) },
      { job: 'no-token', address: host(tokened.url) },
    ]);
    await waitFor(
      'every target scraped and algo scraped three times',
      async () => {
        const targets = await prometheus.targets();
        if (targets.length < 7 || targets.some((t) => t.health === 'unknown')) return undefined;
        const samples = await prometheus.query('count_over_time(up{job="algo"}[1m])');
        return Number(samples[0]?.value[1] ?? 0) >= 3 ? true : undefined;
      },
      40_000,
    );
  });

  after(async () => {
    await prometheus?.stop();
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
    await grafana?.close();
    await Promise.all([healthy, spare, disabled, tokened].map((s) => s?.stop('test')));
  });

  test('a healthy setup passes every check, finding the job by the target address', async () => {
    const report = await doctor(['--url', healthy.url]);
    const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
    assert.equal(report.ok, true);
    assert.equal(report.targets.job, 'algo');
    assert.equal(targetCheck(report).status, 'pass');
    assert.match(check(report, 'prometheus.query.detection_total').detail, /no data yet: no frame detected/);
    assert.equal(check(report, 'prometheus.query.process_resident_memory_bytes').status, 'pass');
    assert.equal(check(report, 'grafana.datasource').status, 'pass');
    assert.equal(check(report, 'grafana.dashboard').status, 'pass');
    assert.equal(check(report, 'consistency.alert_rules').status, 'pass');
    assert.equal(check(report, 'consistency.dashboard').status, 'pass');
  });

  test('a wrong metrics_path is named: 404 on that path', async () => {
    const report = await doctor(['--url', spare.url, '--job', 'wrong-path']);
    assert.equal(report.ok, false);
    const target = targetCheck(report);
    assert.equal(target.status, 'fail');
    assert.equal(target.kind, 'not_found');
    assert.match(target.cause ?? '', /404 for \/metricz: a wrong metrics_path/);
    assert.match(check(report, 'prometheus.scrape_config').cause ?? '', /scrapes \/metricz but algo serves metrics at \/metrics/);
  });

  test('a target port nobody listens on is named: connection refused', async () => {
    const report = await doctor(['--url', healthy.url, '--job', 'refused']);
    const target = targetCheck(report);
    assert.equal(target.status, 'fail');
    assert.equal(target.kind, 'refused');
    assert.match(
      target.cause ?? '',
      /nothing listens on 127\.0\.0\.1:\d+ for Prometheus \(connection refused\): algo answers on port \d+, the target says \d+/,
    );
    assert.equal(check(report, 'prometheus.up').status, 'fail');
  });

  test('a target that accepts TCP and never answers is named: deadline exceeded, not a slow algo', async () => {
    const report = await doctor(['--url', healthy.url, '--job', 'deadline']);
    const target = targetCheck(report);
    assert.equal(target.status, 'fail');
    assert.equal(target.kind, 'deadline');
    assert.match(
      target.cause ?? '',
      /no answer from 127\.0\.0\.1:\d+ within scrape_timeout \(1 s\): packets are dropped \(a firewall\) or whatever listens there accepts connections and never answers \(algo itself answers at 127\.0\.0\.1:\d+/,
    );
  });

  test("every job scraping algo's address is checked: a broken second job fails the run", async () => {
    const report = await doctor(['--url', spare.url]);
    assert.equal(report.targets.job, 'algo', 'job "algo" is what the shipped dashboard selects');
    assert.equal(report.ok, false);
    assert.equal(targetCheck(report, 'wrong-path').status, 'fail');
    assert.equal(targetCheck(report, 'algo-copy').status, 'pass');
  });

  test('a job not named algo is a warning: the shipped dashboard and alerts select job="algo"', async () => {
    const report = await doctor(['--url', spare.url, '--job', 'algo-copy']);
    const name = check(report, 'prometheus.job_name');
    assert.equal(name.status, 'warn');
    assert.match(name.cause ?? '', /select job="algo"/);
  });

  test('metrics disabled on algo: algo answers 404 on /metrics and so does the scrape', async () => {
    const report = await doctor(['--url', disabled.url, '--job', 'disabled']);
    const status = check(report, 'algo.metrics.status');
    assert.equal(status.status, 'fail');
    assert.match(
      status.cause ?? '',
      /404 on \/metrics: algo runs here \(its \/healthz answers\) but serves no metrics on this path: metrics are disabled \(ALGO_ENABLE_PROMETHEUS=false\)/,
    );
    assert.match(targetCheck(report).cause ?? '', /metrics disabled on algo/);
    assert.equal(check(report, 'consistency.dashboard').status, 'skip');
  });

  test('a token required by algo but missing from the scrape job: 401 named, and the token never printed', async () => {
    const tokenFile = join(await mkdtemp(join(tmpdir(), 'algo-token-')), 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    const report = await doctor(['--url', tokened.url, '--job', 'no-token', '--token-file', tokenFile]);
    assert.equal(check(report, 'algo.metrics.auth').status, 'pass');
    assert.equal(check(report, 'algo.metrics.status').status, 'pass');
    const target = targetCheck(report);
    assert.equal(target.status, 'fail');
    assert.equal(target.kind, 'unauthorized');
    assert.match(
      check(report, 'prometheus.scrape_config').cause ?? '',
      /algo requires a bearer token \(ALGO_METRICS_TOKEN\) and the job sends none/,
    );
    assert.match(target.cause ?? '', /requires a bearer token \(ALGO_METRICS_TOKEN\) and the scrape job sends none/);
    assert.doesNotMatch(JSON.stringify(report), new RegExp(TOKEN));
  });

  test('without --token, a protected algo fails the auth check with the fix', async () => {
    const report = await doctor(['--url', tokened.url, '--job', 'no-token']);
    const auth = check(report, 'algo.metrics.auth');
    assert.equal(auth.status, 'fail');
    assert.match(auth.fix ?? '', /ALGO_METRICS_TOKEN in its environment, or --token-file/);
  });

  test('Grafana: wrong credentials and a data source that cannot reach Prometheus are failures; no Grafana is a skip', async () => {
    let report = await doctor(['--url', healthy.url, '--grafana-password', 'wrong']);
    assert.match(check(report, 'grafana.datasource').cause ?? '', /wrong Grafana credentials/);
    grafana.datasourceHealthy = false;
    grafana.dashboardProvisioned = false;
    try {
      report = await doctor(['--url', healthy.url]);
      assert.match(check(report, 'grafana.datasource').detail, /no such host/);
      assert.equal(check(report, 'grafana.dashboard').status, 'fail');
    } finally {
      grafana.datasourceHealthy = true;
      grafana.dashboardProvisioned = true;
    }
    report = await doctor(['--url', healthy.url, '--grafana', `http://127.0.0.1:${closedPort}`]);
    assert.equal(check(report, 'grafana.health').status, 'skip');
    assert.equal(report.ok, true);
  });

  test('no Prometheus at the given URL is a failure that says how to start one', async () => {
    const options = parseDoctorArgs(
      ['--url', healthy.url, '--prometheus', `http://127.0.0.1:${closedPort}`, '--grafana', grafana.url, '--rescrape', '100'],
      SHIPPED_FILES,
    );
    assert.ok(options);
    const report = await runDoctor(options);
    const reachable = check(report, 'prometheus.reachable');
    assert.equal(reachable.status, 'fail');
    assert.match(reachable.fix ?? '', /start Prometheus/);
  });
});
