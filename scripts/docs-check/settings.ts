// Settings (environment variables) in the docs against the code that reads them. What the
// configuration reads is recorded by running loadConfig on an environment that notes every
// name asked for; what other code reads (the doctor, scripts, benchmarks) is found where it
// is read: `process.env.X`, `env.X`, `env['X']` in TypeScript, `$X`/`${X}` in shell scripts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { allCommands, assignments, simpleCommands, type Doc, type Problem } from './markdown.js';

/** Every name loadConfig asks the environment for (the defaults apply: nothing is set). */
export function configSettings(): Set<string> {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  loadConfig(env);
  return read;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Names other code reads from its environment. */
export function otherSettings(root: string): Set<string> {
  const names = new Set<string>();
  for (const dir of ['src', 'scripts', 'bench']) {
    for (const file of filesUnder(join(root, dir), /\.(ts|sh)$/)) {
      const text = readFileSync(file, 'utf8');
      const pattern = file.endsWith('.sh') ? /\$\{?([A-Z][A-Z0-9_]*)/g : /\benv(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g;
      for (const match of text.matchAll(pattern)) names.add(match[1]!);
    }
  }
  return names;
}

const prefixOf = (name: string): string => name.split('_')[0]!;

/** `whole`: the docs are the whole set, so a setting none of them names is undocumented. */
export function checkSettings(docs: Doc[], root: string, whole: boolean, config = configSettings()): Problem[] {
  const known = new Set([...config, ...otherSettings(root)]);
  // A backticked NAME_LIKE_THIS is a setting when its first word is one settings use (ALGO, BENCH, SOAK…).
  const prefixes = new Set([...known].filter((name) => name.includes('_')).map(prefixOf));
  const problems: Problem[] = [];
  const mentioned = new Set<string>();
  const unknown = (doc: Doc, line: number, name: string, how: string): void =>
    void problems.push({ path: doc.path, line, message: `${name}${how}: no code reads this setting` });
  for (const doc of docs) {
    doc.lines.forEach((text, i) => {
      for (const match of text.matchAll(/\bALGO_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*\*)(?!_\*)/g)) {
        mentioned.add(match[0]);
        if (!known.has(match[0])) unknown(doc, i + 1, match[0], '');
      }
      for (const match of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) mentioned.add(match[0]);
    });
    for (const span of doc.spans) {
      const name = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(=.*)?$/.exec(span.text)?.[1];
      if (name !== undefined && !name.startsWith('ALGO_') && prefixes.has(prefixOf(name)) && !known.has(name))
        unknown(doc, span.line, name, '');
    }
    for (const { line, text } of allCommands(doc)) {
      for (const command of simpleCommands(text)) {
        for (const name of assignments(command).names) {
          mentioned.add(name);
          if (!known.has(name) && !name.startsWith('ALGO_')) unknown(doc, line, name, '=… in a command');
        }
      }
    }
  }
  if (!whole) return problems;
  const home = docs.find((doc) => doc.path.endsWith('configuration.md')) ?? docs[0];
  for (const name of [...config].sort()) {
    if (!mentioned.has(name) && !docs.some((doc) => doc.lines.some((text) => new RegExp(`\\b${name}\\b`).test(text))))
      problems.push({
        path: home?.path ?? 'docs',
        line: 1,
        message: `${name}: read by the configuration, named in no doc (add it to docs/configuration.md)`,
      });
  }
  return problems;
}
