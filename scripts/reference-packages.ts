// Installs packages that only a maintainer's script needs (the original tfjs model and
// TensorFlow.js for the parity golden file, OpenCV.js for the benchmark's HOG baseline) into
// a scratch folder under .reference/, on demand, so `npm ci` never pulls them. Loaded with
// createRequire from that folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../.reference/', import.meta.url));

function installedVersion(dir: string, name: string): string | undefined {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}

/**
 * Makes sure `packages` (name → exact version) are installed in .reference/<folder>, running
 * `npm install` there when one is missing or at another version. Returns a require rooted in
 * that folder.
 */
export function referencePackages(folder: string, packages: Record<string, string>): NodeJS.Require {
  const dir = join(ROOT, folder);
  const missing = Object.entries(packages).filter(([name, version]) => installedVersion(dir, name) !== version);
  if (missing.length > 0) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, dependencies: packages }, null, 2)}\n`);
    console.error(`installing ${missing.map(([name, version]) => `${name}@${version}`).join(', ')} into ${dir} (once)`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return createRequire(join(dir, 'package.json'));
}
