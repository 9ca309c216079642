// The import graph of src/: no circle between files, parts never import config/ (it only
// assembles their settings), and every import between folders runs from a higher layer to a
// lower one (docs/architecture.md draws the same layers).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Top to bottom; a module may import from its own layer's part and from any part below it.
 * A top-level file (src/errors.ts) is a part of its own, named without `.ts`.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['service'],
  ['config'],
  ['http', 'doctor', 'console'],
  ['auth'],
  ['cameras'],
  ['kafka'],
  ['scene'],
  ['llm'],
  ['detect'],
  ['camera-id'],
  ['metrics'],
  ['log', 'logger', 'redact', 'version', 'errors', 'secret-lists'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** src-relative path of each file → the src-relative files it imports (relative imports only). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)].map((match) =>
      relative(SRC, normalize(join(dirname(file), `${match[1]}.ts`))),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const partOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));
const layerOf = (part: string): number => LAYERS.findIndex((layer) => layer.includes(part));

describe('import graph of src/', () => {
  const graph = importGraph();

  test('every import resolves to a file in src/', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} → ${t}`));
    assert.deepEqual(missing, []);
  });

  test('every part of src/ has a layer', () => {
    const unplaced = [...new Set([...graph.keys()].map(partOf))].filter((part) => layerOf(part) < 0);
    assert.deepEqual(unplaced, [], 'add new folders to LAYERS here and to docs/architecture.md');
  });

  test('no import circle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(circles, []);
  });

  test('no part imports config/: each part owns its settings type and config/ only assembles them', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      ['config', 'cli', 'service'].includes(partOf(file)) ? [] : targets.filter((t) => partOf(t) === 'config').map((t) => `${file} → ${t}`),
    );
    assert.deepEqual(upward, []);
  });

  test('imports between parts run from a higher layer to a lower one, never back up', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => partOf(target) !== partOf(file) && layerOf(partOf(target)) <= layerOf(partOf(file)))
        .map((target) => `${file} → ${target}`),
    );
    assert.deepEqual(upward, []);
  });
});

describe('docs/architecture.md', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/architecture.md', import.meta.url)), 'utf8');

  test('names every part of src/ that LAYERS places', () => {
    const parts = LAYERS.flat().filter((part) => existsSync(join(SRC, part)) || existsSync(join(SRC, `${part}.ts`)));
    const unnamed = parts.filter((part) => !doc.includes(`src/${part}/`) && !doc.includes(`src/${part}.ts`));
    assert.deepEqual(unnamed, []);
  });

  test('stays a one-screen map: at most 60 lines', () => {
    assert.ok(doc.trimEnd().split('\n').length <= 60, `${doc.trimEnd().split('\n').length} lines`);
  });
});
