// `algo doctor` as users run it: a separate process, its exit codes and its --json report.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { DOCTOR_OPTIONS } from '../../src/doctor/options.js';
import { freePort } from '../helpers/ports.js';
import { runAlgoCommand } from '../helpers/process.js';

const algo = runAlgoCommand;

describe('algo doctor command', () => {
  test('bad flags exit 2 with the usage', async () => {
    for (const args of [
      ['doctor', '--bogus'],
      ['doctor', '--url', 'localhost:5000'],
      ['doctor', '--timeout', '-1'],
      ['doctor', '--url', 'http://user:pw@localhost:5000'],
      ['doctor', '--url', 'http://127.0.0.1:5000/metrics'],
      ['doctor', '--url', 'http://127.0.0.1:5000?x=1'],
      ['doctor', '--rules', '/nonexistent/alerts.yml'],
      ['doctor', '--token-file', '/nonexistent/token'],
      ['frobnicate'],
    ]) {
      const run = await algo(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /Usage: npx algo/);
      assert.doesNotMatch(run.stderr, /pw@/);
    }
  });

  test('doctor --help exits 0 and lists every flag the doctor accepts', async () => {
    const run = await algo(['doctor', '--help']);
    assert.equal(run.code, 0);
    for (const flag of Object.keys(DOCTOR_OPTIONS)) assert.ok(run.stdout.includes(`--${flag}`), flag);
  });

  test('--help lists every subcommand, in the form that works in a clone', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await algo(args);
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /^Usage: npx algo <command>/);
      for (const command of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${command.name}\\b`, 'm'), command.name);
    }
  });

  test('serve refuses flags it does not take, exit 2', async () => {
    const run = await algo(['serve', '--port', '5000']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Usage: npx algo serve/);
  });

  test('nothing running: exit 1, and --json reports each failed check with cause and fix', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const run = await algo(['doctor', '--url', base, '--prometheus', base, '--grafana', base, '--json', '--timeout', '1000']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; cause?: string; fix?: string }> };
    assert.equal(report.ok, false);
    const healthz = report.checks.find((c) => c.id === 'algo.healthz');
    assert.equal(healthz?.status, 'fail');
    assert.match(healthz?.cause ?? '', /connection refused/);
    assert.match(healthz?.fix ?? '', /npm start/);
    assert.equal(report.checks.find((c) => c.id === 'grafana.health')?.status, 'skip');
  });

  test('the text report prints one line per check and the cause and fix under failures', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const run = await algo(['doctor', '--url', base, '--prometheus', base, '--grafana', base, '--timeout', '1000']);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^ {2}FAIL {2}\/healthz answers: .*\n {8}cause: nothing listens on 127\.0\.0\.1:\d+ \(connection refused\)\n {8}fix: {3}start algo/m,
    );
    assert.match(run.stdout, /\d+ passed, \d+ failed, \d+ warnings, \d+ skipped/);
  });
});
