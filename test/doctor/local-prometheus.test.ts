// Prometheus without Docker, as docs/monitoring.md tells users to run it: Debian's package
// with the repository's own prometheus.yml, alert rules and the local target file. The
// doctor must find algo's job in it and pass.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDoctor, SHIPPED_FILES } from '../../src/doctor/doctor.js';
import { parseDoctorArgs } from '../../src/doctor/options.js';
import { freePort } from '../helpers/ports.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

let service: TestService;
let prometheus: ChildProcess;
let prometheusUrl: string;
let dir: string;

describe('Prometheus without Docker (scripts/prometheus-local.sh)', () => {
  before(async () => {
    service = await startTestService();
    dir = await mkdtemp(join(tmpdir(), 'algo-local-prom-'));
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'bash',
      ['scripts/prometheus-local.sh', '--listen', `127.0.0.1:${port}`, '--target', new URL(service.url).host, '--dir', dir],
      { stdio: 'ignore' },
    );
    // The repository's config scrapes every 15 s; the first scrape comes within one interval.
    await waitFor(
      'algo target up',
      async () => {
        const body = (await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: Array<{ labels: { job: string }; health: string }> };
        };
        return body.data.activeTargets.some((t) => t.labels.job === 'algo' && t.health === 'up') ? true : undefined;
      },
      40_000,
      500,
    );
  });

  after(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus?.exitCode === null) await once(prometheus, 'exit');
    await service?.stop('test');
    await rm(dir, { recursive: true, force: true });
  });

  test('the repository config loads its alert rules and the doctor passes against it', async () => {
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: unknown[] }> } };
    assert.ok(rules.data.groups.flatMap((g) => g.rules).length >= 10);
    const options = parseDoctorArgs(
      ['--url', service.url, '--prometheus', prometheusUrl, '--grafana', 'http://127.0.0.1:1', '--rescrape', '200'],
      SHIPPED_FILES,
    );
    assert.ok(options);
    const report = await runDoctor(options);
    const failed = report.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
    assert.equal(report.targets.job, 'algo');
    assert.match(
      report.checks.find((c) => c.id === 'prometheus.scrape_config')?.detail ?? '',
      /scrape_interval 15 s, scrape_timeout 10 s, metrics_path \/metrics/,
    );
  });
});
