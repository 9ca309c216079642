// algo's subcommands and the flags each accepts, as one table: `npx algo --help` is written
// from it, main() dispatches on it, and scripts/docs-check.ts checks the docs' commands
// against it with the same parseArgs tables the commands use.
import type { ParseArgsConfig } from 'node:util';
import { DOCTOR_OPTIONS } from '../doctor/options.js';
import { SCENE_REPLAY_OPTIONS } from './scene-replay.js';

export type CommandName = 'serve' | 'doctor' | 'scene' | 'help';

export interface AlgoCommand {
  name: CommandName;
  /** What follows the name in the usage line. */
  args: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Words that may follow the name before the flags (`scene replay`). */
  subcommands?: readonly string[];
}

const HELP_ONLY = { help: { type: 'boolean', short: 'h', default: false } } as const;

export const COMMANDS: readonly AlgoCommand[] = [
  {
    name: 'serve',
    args: '',
    summary: 'start the service (what `npm start` runs; configuration from ALGO_* variables, docs/configuration.md)',
    options: HELP_ONLY,
  },
  {
    name: 'doctor',
    args: '[flags]',
    summary: 'check algo, Prometheus and Grafana (`npx algo doctor --help` lists its flags)',
    options: DOCTOR_OPTIONS,
  },
  {
    name: 'scene',
    args: 'replay [flags]',
    summary: "replay recorded detections through a camera's tracker, zones and lines (`npx algo scene replay --help`)",
    options: SCENE_REPLAY_OPTIONS,
    subcommands: ['replay'],
  },
  { name: 'help', args: '', summary: 'this text (also -h, --help)', options: {} },
];

export const commandNamed = (name: string | undefined): AlgoCommand | undefined => COMMANDS.find((command) => command.name === name);

const width = Math.max(...COMMANDS.map((command) => `${command.name} ${command.args}`.length)) + 3;

export const USAGE = `Usage: npx algo <command>   (in a clone; \`algo <command>\` where the package is installed)

${COMMANDS.map((command) => `  ${`${command.name} ${command.args}`.padEnd(width)}${command.summary}`).join('\n')}
`;
