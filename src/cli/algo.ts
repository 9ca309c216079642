#!/usr/bin/env node
// The package's `algo` command (`npx algo …` in a clone): `algo doctor [flags]` walks the
// monitoring checklist; `algo serve` starts the service (what `npm start` runs); `algo scene
// replay` replays recorded detections through a camera's scene. The commands and their flags
// are the table in commands.ts.
import { parseArgs } from 'node:util';
import { runDoctor, SHIPPED_FILES } from '../doctor/doctor.js';
import { DOCTOR_USAGE, parseDoctorArgs, UsageError } from '../doctor/options.js';
import { renderJson, renderText } from '../doctor/report.js';
import { isAlgoError, messageOf } from '../errors.js';
import { maskUrl } from '../redact.js';
import { commandNamed, USAGE, type AlgoCommand } from './commands.js';
import { SCENE_USAGE, SceneUsageError, sceneCommand } from './scene-replay.js';

const SERVE_USAGE = 'Usage: npx algo serve   (configuration from ALGO_* variables: docs/configuration.md)';

async function scene(argv: string[]): Promise<number> {
  try {
    return await sceneCommand(argv, process.stdin, process.stdout);
  } catch (error) {
    if (error instanceof SceneUsageError) {
      process.stderr.write(`algo scene: ${error.message}\n\n${SCENE_USAGE}`);
      return 2;
    }
    if (isAlgoError(error)) {
      process.stderr.write(`algo scene: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function doctor(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseDoctorArgs(argv, SHIPPED_FILES, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`algo doctor: ${error.message}\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const report = await runDoctor(options);
  process.stdout.write(options.json ? renderJson(report) : renderText(report, options.verbose));
  return report.ok ? 0 : 1;
}

async function serve(command: AlgoCommand, argv: string[]): Promise<number> {
  let help: boolean;
  try {
    help = parseArgs({ args: argv, strict: true, allowPositionals: false, options: command.options }).values.help === true;
  } catch (error) {
    process.stderr.write(`algo serve: ${messageOf(error)}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (help) process.stdout.write(`${SERVE_USAGE}\n`);
  else await import('./serve.js');
  return 0;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const command = commandNamed(name === '-h' || name === '--help' ? 'help' : name);
  switch (command?.name) {
    case 'doctor':
      process.exitCode = await doctor(rest);
      return;
    case 'scene':
      process.exitCode = await scene(rest);
      return;
    case 'serve':
      process.exitCode = await serve(command, rest);
      return;
    case 'help':
      process.stdout.write(USAGE);
      return;
    case undefined:
      process.stderr.write(`algo: ${name === undefined ? 'no command given' : `unknown command ${JSON.stringify(name)}`}\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`algo: ${maskUrl(messageOf(error))}\n`);
  process.exitCode = 1;
});
