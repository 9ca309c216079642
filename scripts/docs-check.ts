// npm run docs:check — the docs checked against the code, so they cannot drift:
//   node --import tsx scripts/docs-check.ts [files…]   (default: README.md and docs/*.md)
// Prints `file:line: problem` for every `npm run`, `npx algo` command or flag, setting,
// metric name and JSON answer the code does not back, and every setting the configuration
// reads or metric algo registers that no doc names (when every doc is checked); exits 1 if there is any, else 0.
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAnswers } from './docs-check/answers.js';
import { checkCommands } from './docs-check/commands.js';
import { readDoc, type Problem } from './docs-check/markdown.js';
import { checkMetrics, registeredMetrics } from './docs-check/metrics.js';
import { checkSettings } from './docs-check/settings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const given = process.argv.slice(2);
const files =
  given.length > 0
    ? given
    : [
        'README.md',
        ...readdirSync(join(root, 'docs'))
          .filter((name) => name.endsWith('.md'))
          .sort()
          .map((name) => relative(process.cwd(), join(root, 'docs', name))),
      ];
// The reverse checks (every setting and metric named in some doc) need every doc: README.md and docs/*.md.
const docNames = new Set(readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')));
const givenNames = new Set(files.map((file) => (basename(dirname(file)) === 'docs' ? `docs/${basename(file)}` : basename(file))));
const whole = ['README.md', ...[...docNames].map((name) => `docs/${name}`)].every((name) => givenNames.has(name));
const docs = files.map((file) => readDoc(file === 'README.md' && given.length === 0 ? relative(process.cwd(), join(root, file)) : file));

const problems: Problem[] = [
  ...checkCommands(docs, root),
  ...checkSettings(docs, root, whole),
  ...checkMetrics(docs, root, await registeredMetrics(), whole),
  ...(await checkAnswers(docs, root)),
].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);

for (const { path, line, message } of problems) console.log(`${path}:${line}: ${message}`);
console.log(
  problems.length === 0
    ? `docs:check: ${docs.length} files agree with the code`
    : `docs:check: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${docs.length} files`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
