// A Markdown file as docs-check reads it: fenced blocks (with the line each line is on),
// inline code spans, tables, and the commands shown in shell blocks and inline code.
import { readFileSync } from 'node:fs';

export interface Doc {
  /** As given on the command line: problems are reported as `path:line`. */
  path: string;
  lines: string[];
  blocks: Block[];
  spans: Span[];
}

export interface Block {
  lang: string;
  /** Line number of the opening fence (1-based). */
  line: number;
  /** The block's lines, indentation of the fence removed, each with its line number. */
  body: Array<{ line: number; text: string }>;
  /** The HTML comment on the line before the fence, e.g. `answer: GET /healthz`. */
  note: string | undefined;
}

export interface Span {
  line: number;
  text: string;
}

/** A command as shown: in a shell block (continuations joined) or an inline code span. */
export interface Command {
  line: number;
  text: string;
}

export interface Problem {
  path: string;
  line: number;
  message: string;
}

export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'zsh']);

export function readDoc(path: string): Doc {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: Block[] = [];
  const prose: string[] = [];
  let open: { fence: string; indent: number; block: Block } | undefined;
  lines.forEach((text, i) => {
    const line = i + 1;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (open !== undefined) {
      if (fence !== null && fence[2]!.startsWith(open.fence) && text.trim() === fence[2]) open = undefined;
      else open.block.body.push({ line, text: text.slice(Math.min(open.indent, text.length - text.trimStart().length)) });
      prose.push('');
      return;
    }
    if (fence !== null) {
      const note = /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[i - 1] ?? '')?.[1];
      open = { fence: fence[2]!, indent: fence[1]!.length, block: { lang: fence[3]!.toLowerCase(), line, body: [], note } };
      blocks.push(open.block);
      prose.push('');
      return;
    }
    prose.push(text);
  });
  // Inline code may run over a line break; fenced lines are blanked so offsets keep their lines.
  const text = prose.join('\n');
  const spans: Span[] = [];
  // A span opens with a run of backticks and closes with a run of the same length (CommonMark).
  for (const match of text.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
    spans.push({ line: lineAt(text, match.index), text: match[2]!.replace(/\s*\n\s*/g, ' ').trim() });
  }
  return { path, lines, blocks, spans };
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Every command line of the shell blocks (comments cut, `\` and trailing `|` continuations joined). */
export function shellCommands(doc: Doc): Command[] {
  const commands: Command[] = [];
  for (const block of doc.blocks.filter((b) => SHELL_LANGS.has(b.lang))) {
    let pending: Command | undefined;
    for (const { line, text } of block.body) {
      const code = withoutComment(text).trim();
      const joined: Command = pending === undefined ? { line, text: code } : { line: pending.line, text: `${pending.text} ${code}` };
      if (/(\\|\||&&)$/.test(code)) pending = { line: joined.line, text: joined.text.replace(/\\$/, '') };
      else {
        pending = undefined;
        if (joined.text !== '') commands.push(joined);
      }
    }
  }
  return commands;
}

/** Commands in both shell blocks and inline code spans. */
export const allCommands = (doc: Doc): Command[] => [...shellCommands(doc), ...doc.spans];

/** A shell line without its `# comment` (a `#` after whitespace, outside quotes). */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  }
  return text;
}

/** Splits a command line into simple commands at `&&`, `||`, `;`, `|`, `&` and `$(`, outside quotes. */
export function simpleCommands(text: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim().replace(/^\$/, '').trim()).filter((p) => p !== '');
}

/** Shell words of a simple command (quotes removed; no expansion). */
export function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The command after any leading `NAME=value` assignments, and those names. */
export function assignments(command: string): { names: string[]; rest: string[] } {
  const all = words(command);
  const names: string[] = [];
  while (all.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(all[0]!)) names.push(all.shift()!.split('=')[0]!);
  return { names, rest: all };
}

/** Markdown table rows under a header whose first cell matches `header`, with their line numbers. */
export function tableRows(doc: Doc, header: RegExp): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let inTable = false;
  doc.lines.forEach((text, i) => {
    if (!text.startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = text
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (/^\|[\s|:-]+\|$/.test(text)) return;
    if (!inTable && doc.lines[i + 1]?.startsWith('|---') === true) {
      inTable = header.test(cells[0] ?? '');
      return;
    }
    if (inTable) rows.push({ line: i + 1, cells });
  });
  return rows;
}
