// `npm run docs:check` as the test suite runs it: the tree's docs agree with the code, and
// drift planted in a copy of a doc fails the check with that copy's file and line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

async function docsCheck(files: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/docs-check.ts', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout };
}

const DRIFTS = [
  { text: '```sh\nnpm run frobnicate\n```', problem: 'npm run frobnicate: package.json has no script "frobnicate"' },
  { text: '```sh\nALGO_FROBNICATE=1 npm start\n```', problem: 'ALGO_FROBNICATE: no code reads this setting' },
  { text: 'Set `BENCH_ROUNDS` for longer runs.', problem: 'BENCH_ROUNDS: no code reads this setting' },
  { text: '```sh\nnpx algo doctor --frobnicate\n```', problem: "npx algo doctor --frobnicate: Unknown option '--frobnicate'" },
  { text: '```sh\nnpm run doctor -- --jsn\n```', problem: "npm run doctor -- doctor --jsn: Unknown option '--jsn'" },
  { text: '```sh\nnpx algo lint\n```', problem: 'npx algo lint: algo has no command "lint"' },
  {
    text: 'Give the doctor `--tokenfile FILE`.',
    problem: '--tokenfile: no algo command (npx algo <command> --help) or repository script takes this flag',
  },
  { text: 'Run `algo doctor`.', problem: '"algo doctor": write npx algo doctor' },
  {
    text: '```sh\nbash scripts/prometheus-local.sh --port 9100\n```',
    problem: 'scripts/prometheus-local.sh --port: the script takes no such flag',
  },
  { text: 'Graph `rate(detections_total[5m])`.', problem: 'detections_total (in a query): algo registers no such metric' },
  {
    text: '| Metric | Meaning |\n|---|---|\n| `camera_frame_total` | frames |',
    problem: 'camera_frame_total: algo registers no such metric',
  },
  { text: 'Alert on `camera_up_total`.', problem: 'camera_up_total: camera_up is a gauge, written camera_up' },
  {
    text: 'Graph `rate(http_requests_total_total[5m])`.',
    problem: 'http_requests_total_total (in a query): http_requests_total is a counter, written http_requests_total',
  },
  {
    text: '| Metric | Meaning |\n|---|---|\n| `detection_total_count` | detections |',
    problem: 'detection_total_count: detection_total is a counter, written detection_total',
  },
  { text: '```sh\nnpx algo scene --help\n```', problem: 'npx algo scene --help: "scene" needs a subcommand (replay)' },
  {
    text: '<!-- answer: GET /healthz -->\n```json\n{"status": "ok", "uptime_s": 12}\n```',
    problem: 'GET /healthz never answers the key "uptime_s" shown here',
  },
];

describe('npm run docs:check', () => {
  let dir: string;
  let docs: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'algo-docs-check-test-'));
    docs = (await readdir('docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the README and docs/ agree with the code: exit 0', async () => {
    const run = await docsCheck([]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /docs:check: \d+ files agree with the code/);
  });

  test('each drift planted in a copy of the README fails the check, naming the copy and the line', async () => {
    const readme = await readFile('README.md', 'utf8');
    const copy = join(dir, 'README.md');
    let text = readme;
    const expected: string[] = [];
    for (const drift of DRIFTS) {
      text += '\n\n';
      const line =
        text.split('\n').length +
        drift.text
          .split('\n')
          .findIndex(
            (l) =>
              /[A-Za-z`|{]/.test(l) && !l.startsWith('```') && !l.startsWith('<!--') && !l.startsWith('|---') && !l.startsWith('| Metric'),
          );
      expected.push(`${copy}:${line}: ${drift.problem}`);
      text += drift.text;
    }
    await writeFile(copy, `${text}\n`);
    const run = await docsCheck([copy, ...docs]);
    assert.equal(run.code, 1, run.stdout);
    for (const problem of expected) assert.ok(run.stdout.includes(problem), `missing ${JSON.stringify(problem)} in:\n${run.stdout}`);
  });

  test('a setting the configuration reads, or a metric algo registers, that no doc of the whole set names fails the check', async () => {
    // The whole set (README.md and every docs/*.md), copied, with configuration.md and metrics.md emptied.
    await mkdir(join(dir, 'whole', 'docs'), { recursive: true });
    await copyFile('README.md', join(dir, 'whole', 'README.md'));
    for (const doc of docs) {
      const copy = join(dir, 'whole', doc);
      if (/(configuration|metrics)\.md$/.test(doc)) await writeFile(copy, '# Emptied\n');
      else await copyFile(doc, copy);
    }
    const run = await docsCheck([join(dir, 'whole', 'README.md'), ...docs.map((doc) => join(dir, 'whole', doc))]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /: ALGO_LLM_MAX_TOKENS: read by the configuration, named in no doc/);
    assert.match(run.stdout, /: detection_groups: registered by algo, documented nowhere/);
  });

  test('one doc checked alone is not blamed for settings and metrics it does not name', async () => {
    const run = await docsCheck(['docs/scene.md']);
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /named in no doc|documented nowhere/);
  });
});
