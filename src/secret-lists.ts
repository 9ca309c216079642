// Lists of secrets given in one variable (comma-separated) or a file (one per line, `#`
// comments): the LLM keys and the API tokens. Each entry keeps where it came from (`entry 2`,
// `line 7`) so a problem can be named by position, never by content.
import { readFile } from 'node:fs/promises';

export interface ListEntry {
  text: string;
  /** `entry N` of a variable or `line N` of a file, for error messages. */
  where: string;
}

/** `a,b,c` as in an environment variable; empty items are skipped. */
export function entriesOfList(value: string): ListEntry[] {
  const items = value.split(',').map((text) => text.trim());
  return items.filter((text) => text !== '').map((text, index) => ({ text, where: `entry ${index + 1}` }));
}

/** One entry per line; blank lines and lines starting with # are skipped. */
export function entriesOfFile(content: string): ListEntry[] {
  const entries: ListEntry[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const text = line.trim();
    if (text !== '' && !text.startsWith('#')) entries.push({ text, where: `line ${index + 1}` });
  });
  return entries;
}

/** The file's entries, or why it cannot be read (the error code only: no content). */
export async function readListFile(path: string): Promise<{ ok: true; entries: ListEntry[] } | { ok: false; problem: string }> {
  try {
    return { ok: true, entries: entriesOfFile(await readFile(path, 'utf8')) };
  } catch (error) {
    return { ok: false, problem: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
  }
}
