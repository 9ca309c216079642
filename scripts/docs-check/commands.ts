// The commands the docs show, checked against what answers them: `npm run X` against
// package.json's scripts, `npx algo …` (and npm scripts that run algo's bin) against the
// CLI's own command table and parseArgs options, `bash scripts/…sh` against the script's
// usage line. A bare `algo …` is flagged: in a clone only `npx algo …` works. A flag shown
// alone (`--token-file FILE`) must be one that an algo command or a repository script takes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { COMMANDS, commandNamed } from '../../src/cli/commands.js';
import { messageOf } from '../../src/errors.js';
import { allCommands, assignments, simpleCommands, type Doc, type Problem } from './markdown.js';

interface PackageJson {
  scripts: Record<string, string>;
  bin: Record<string, string>;
}

export function checkCommands(docs: Doc[], root: string): Problem[] {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as PackageJson;
  const problems: Problem[] = [];
  const flags = new Set([
    ...COMMANDS.flatMap((command) => Object.keys(command.options).map((name) => `--${name}`)),
    ...readdirSync(`${root}/scripts`)
      .filter((name) => name.endsWith('.sh'))
      .flatMap((name) => [...scriptFlags(`${root}/scripts/${name}`)]),
  ]);
  for (const doc of docs) {
    for (const { line, text } of doc.spans) {
      const flag = /^(--[a-z][a-z0-9-]*)(?:[ =]\S+)?$/.exec(text)?.[1];
      if (flag !== undefined && !flags.has(flag))
        problems.push({
          path: doc.path,
          line,
          message: `${flag}: no algo command (npx algo <command> --help) or repository script takes this flag`,
        });
    }
    for (const { line, text } of allCommands(doc)) {
      const report = (message: string): void => void problems.push({ path: doc.path, line, message });
      for (const command of simpleCommands(text)) checkCommand(assignments(command).rest, pkg, root, report);
    }
  }
  return problems;
}

function checkCommand(words: string[], pkg: PackageJson, root: string, report: (message: string) => void): void {
  // A redirection (`< detections.jsonl`, `> out.txt`, `2>&1`) ends the command's own arguments.
  const redirect = words.findIndex((word) => /^\d*[<>]/.test(word));
  const argv = redirect < 0 ? words : words.slice(0, redirect);
  const [head, ...rest] = argv;
  if (head === 'npm' && (rest[0] === 'run' || rest[0] === 'run-script')) {
    const dashes = rest.indexOf('--');
    const [script] = (dashes < 0 ? rest.slice(1) : rest.slice(1, dashes)).filter((word) => !word.startsWith('-'));
    const after = dashes < 0 ? [] : rest.slice(dashes + 1);
    if (script === undefined) return;
    const body = pkg.scripts[script];
    if (body === undefined) return report(`npm run ${script}: package.json has no script "${script}"`);
    // A script that runs algo's own bin: the flags after `--` are that algo command's.
    const bin = new RegExp(`^(?:exec )?node (?:${Object.values(pkg.bin).map(escape).join('|')})\\s+(\\S+)`).exec(body);
    if (bin !== null) checkAlgo([bin[1]!, ...after], `npm run ${script} --`, report);
    return;
  }
  if (head === 'npx' && rest[0] !== undefined && pkg.bin[rest[0]] !== undefined) return checkAlgo(rest.slice(1), `npx ${rest[0]}`, report);
  if (head !== undefined && pkg.bin[head] !== undefined && rest.length > 0 && commandNamed(rest[0]) !== undefined)
    return report(`"${argv.join(' ')}": write npx ${head} ${rest.join(' ')} (${head} is on the PATH only where the package is installed)`);
  if ((head === 'bash' || head === 'sh') && rest[0]?.startsWith('scripts/') === true) checkScript(rest[0], rest.slice(1), root, report);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asks the CLI's table: is there such a command, and does its parseArgs accept these flags? */
function checkAlgo(argv: string[], shown: string, report: (message: string) => void): void {
  const [name, ...args] = argv;
  if (name === '…' || name === '...' || name?.startsWith('<') === true) return; // a placeholder, as in `npx algo …`
  if (name === undefined || name.startsWith('-')) {
    if (name !== undefined && name !== '--help' && name !== '-h') report(`${shown} ${name}: algo takes no such flag`);
    return;
  }
  const command = commandNamed(name);
  if (command === undefined) return report(`${shown} ${name}: algo has no command "${name}"`);
  // A command with subcommands runs only with one named (`npx algo scene --help` exits 2).
  if (command.subcommands !== undefined && !command.subcommands.includes(args[0] ?? ''))
    return report(`${shown} ${[name, ...args].join(' ')}: "${name}" needs a subcommand (${command.subcommands.join(', ')})`);
  const flags = command.subcommands === undefined ? args : args.slice(1);
  try {
    parseArgs({ args: flags, options: command.options, strict: true, allowPositionals: false });
  } catch (error) {
    report(`${shown} ${[name, ...args].join(' ')}: ${messageOf(error)}`);
  }
}

/** A repository shell script must exist, and take the --flags shown (from its `usage` line). */
function checkScript(path: string, args: string[], root: string, report: (message: string) => void): void {
  if (!existsSync(`${root}/${path}`)) return report(`${path}: no such script`);
  const flags = scriptFlags(`${root}/${path}`);
  for (const arg of args.filter((a) => a.startsWith('--')))
    if (!flags.has(arg)) report(`${path} ${arg}: the script takes no such flag (its usage: ${[...flags].join(' ') || 'none'})`);
}

/** The --flags a shell script's `usage` line lists. */
function scriptFlags(file: string): Set<string> {
  const usage = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /usage/i.test(line))
    .join(' ');
  return new Set(usage.match(/--[a-z][a-z0-9-]*/g) ?? []);
}
