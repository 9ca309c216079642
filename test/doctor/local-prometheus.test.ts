// Prometheus without Docker, as docs/monitoring.md tells users to run it: Debian's package
// with the repository's own prometheus.yml, alert rules and the local target file. The
// doctor must find algo's job in it and pass, also when algo requires a metrics token and
// the script is given it (--token-file, or ALGO_METRICS_TOKEN in its environment).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDoctor, SHIPPED_FILES } from '../../src/doctor/doctor.js';
import { parseDoctorArgs } from '../../src/doctor/options.js';
import { MAX_LINE, renderJson, renderText, type DoctorReport } from '../../src/doctor/report.js';
import { freePort } from '../helpers/ports.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'Zq7vK2mX9wR4tB8n';

interface Setup {
  /** algo's environment. */
  algoEnv: Record<string, string>;
  /** Give scripts/prometheus-local.sh the token with --token-file. */
  tokenFile: boolean;
  /** The script's environment on top of this one's (ALGO_METRICS_TOKEN not inherited). */
  scriptEnv: Record<string, string>;
}

function localPrometheus(name: string, setup: Setup, body: (ctx: { doctor: (args?: string[]) => Promise<DoctorReport> }) => void): void {
  describe(name, () => {
    let service: TestService;
    let prometheus: ChildProcess;
    let prometheusUrl: string;
    let dir: string;
    let scriptOutput = '';

    before(async () => {
      service = await startTestService(setup.algoEnv);
      dir = await mkdtemp(join(tmpdir(), 'algo-local-prom-'));
      const port = await freePort();
      prometheusUrl = `http://127.0.0.1:${port}`;
      const { ALGO_METRICS_TOKEN: _inherited, ...env } = process.env;
      const tokenArgs = setup.tokenFile ? ['--token-file', join(dir, 'token')] : [];
      if (setup.tokenFile) await writeFile(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
      prometheus = spawn(
        'bash',
        [
          'scripts/prometheus-local.sh',
          '--listen',
          `127.0.0.1:${port}`,
          '--target',
          new URL(service.url).host,
          '--dir',
          join(dir, 'prometheus'),
          ...tokenArgs,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...setup.scriptEnv } },
      );
      prometheus.stdout?.on('data', (chunk: Buffer) => (scriptOutput += chunk.toString()));
      prometheus.stderr?.on('data', (chunk: Buffer) => (scriptOutput += chunk.toString()));
      // The repository's config scrapes every 15 s; the first scrape comes within one interval.
      await waitFor(
        'algo target up',
        async () => {
          const answer = (await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json()) as {
            data: { activeTargets: Array<{ labels: { job: string }; health: string }> };
          };
          return answer.data.activeTargets.some((t) => t.labels.job === 'algo' && t.health === 'up') ? true : undefined;
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
      assertNoKeyText(scriptOutput, [TOKEN], 'prometheus-local.sh output');
    });

    body({
      doctor: async (args = []) => {
        const options = parseDoctorArgs(
          ['--url', service.url, '--prometheus', prometheusUrl, '--grafana', 'http://127.0.0.1:1', '--rescrape', '200', ...args],
          SHIPPED_FILES,
          setup.algoEnv,
        );
        assert.ok(options);
        return runDoctor(options);
      },
    });
  });
}

function assertNothingFailed(report: DoctorReport): void {
  const failed = report.checks.filter((c) => c.status === 'fail');
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
  assert.equal(report.targets.job, 'algo');
}

localPrometheus(
  'Prometheus without Docker (scripts/prometheus-local.sh)',
  { algoEnv: {}, tokenFile: false, scriptEnv: {} },
  ({ doctor }) => {
    // The job always reads its token from a credentials file (empty without a token: algo asks none on loopback).
    test('the repository config loads its alert rules and the doctor passes against it', async () => {
      const report = await doctor();
      assertNothingFailed(report);
      assert.match(
        report.checks.find((c) => c.id === 'prometheus.scrape_config')?.detail ?? '',
        /scrape_interval 15 s, scrape_timeout 10 s, metrics_path \/metrics, with authorization/,
      );
    });

    test('no line of the plain report is longer than 160 characters; --verbose lists the families awaiting their first event', async () => {
      const report = await doctor();
      const consistency = report.checks.find((c) => c.id === 'consistency.dashboard');
      assert.ok((consistency?.items ?? []).length > 0, 'a fresh algo has families awaiting their first event');
      assert.match(consistency?.detail ?? '', /\d+ of them await their first event \(--verbose lists them\)/);
      for (const verbose of [false, true]) {
        const lines = renderText(report, verbose).split('\n');
        const longest = Math.max(...lines.map((line) => line.length));
        assert.ok(longest <= MAX_LINE && MAX_LINE === 160, `longest line ${longest}: ${lines.find((l) => l.length === longest)}`);
        const listed = lines.filter((line) => line.startsWith('        - detection_'));
        assert.equal(listed.length > 0, verbose);
      }
      assert.deepEqual(
        (JSON.parse(renderJson(report)) as DoctorReport).checks.find((c) => c.id === 'consistency.dashboard')?.items,
        consistency?.items,
      );
    });
  },
);

localPrometheus(
  'Prometheus without Docker, algo requiring a token given with --token-file',
  { algoEnv: { ALGO_METRICS_TOKEN: TOKEN }, tokenFile: true, scriptEnv: {} },
  ({ doctor }) => {
    test('the scratch config sends the token and the doctor passes with it', async () => {
      const report = await doctor();
      assertNothingFailed(report);
      assert.match(report.checks.find((c) => c.id === 'prometheus.scrape_config')?.detail ?? '', /with authorization/);
      assertNoKeyText(renderText(report, true) + renderJson(report), [TOKEN], 'the doctor report');
    });
  },
);

localPrometheus(
  'Prometheus without Docker, algo requiring a token given as ALGO_METRICS_TOKEN',
  { algoEnv: { ALGO_METRICS_TOKEN: TOKEN }, tokenFile: false, scriptEnv: { ALGO_METRICS_TOKEN: TOKEN } },
  ({ doctor }) => {
    test('the scratch config sends the token and the doctor passes with it', async () => {
      const report = await doctor();
      assertNothingFailed(report);
      assert.match(report.checks.find((c) => c.id === 'prometheus.scrape_config')?.detail ?? '', /with authorization/);
    });
  },
);
