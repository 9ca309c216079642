// The README's first command on a fresh machine: what `npm ci` installs runs on Node 20, no
// dependency's install script downloads anything, and `npm start` stops cleanly on SIGTERM.
// (.ci/run also runs `npm ci && npm start` verbatim with an empty environment.)
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import semver from 'semver';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

async function packageJsons(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) await packageJsons(path, out);
    else {
      if (existsSync(join(path, 'package.json'))) out.push(join(path, 'package.json'));
      if (existsSync(join(path, 'node_modules'))) await packageJsons(join(path, 'node_modules'), out);
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('install and start from the README', () => {
  before(() => {
    if (!existsSync('dist/cli/serve.js')) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  });

  test('every installed package supports this Node.js (none needs Node 22)', async () => {
    const unsupported: string[] = [];
    for (const file of await packageJsons('node_modules')) {
      const pkg = JSON.parse(await readFile(file, 'utf8')) as { name?: string; version?: string; engines?: { node?: string } };
      const range = pkg.engines?.node;
      if (range !== undefined && semver.validRange(range) !== null && !semver.satisfies(process.versions.node, range))
        unsupported.push(`${pkg.name}@${pkg.version} needs node ${range}`);
    }
    assert.deepEqual(unsupported, []);
  });

  test('install scripts that download are denied in package.json, not by an environment variable', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
    assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
    const ci = await readFile('.ci/run', 'utf8');
    assert.doesNotMatch(ci, /^\s*(export\s+)?[A-Z_]+=/m, '.ci/run sets nothing the README lacks');
  });

  test('SIGTERM to the `npm start` process stops the service and leaves no node behind', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    await waitFor(
      'npm start to serve /metrics',
      async () => ((await fetch(`http://127.0.0.1:${port}/metrics`)).status === 200 ? true : undefined),
      60_000,
    );
    const children = execFileSync('pgrep', ['-P', String(npm.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
    assert.ok(children.length > 0);
    npm.kill('SIGTERM');
    const [code] = (await once(npm, 'exit')) as [number | null];
    assert.equal(code, 0);
    await waitFor('children to exit', async () => (children.every((pid) => !alive(pid)) ? true : undefined), 30_000);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });
});
