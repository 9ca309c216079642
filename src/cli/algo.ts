#!/usr/bin/env node
// The package's `algo` command: `algo doctor [flags]` walks the monitoring checklist;
// `algo serve` starts the service (what `npm start` runs); `algo scene replay` replays recorded
// detections through a camera's scene.
import { isAlgoError, messageOf } from '../errors.js';
import { maskUrl } from '../redact.js';
import { runDoctor, SHIPPED_FILES } from '../doctor/doctor.js';
import { DOCTOR_USAGE, parseDoctorArgs, UsageError } from '../doctor/options.js';
import { renderJson, renderText } from '../doctor/report.js';
import { SCENE_USAGE, SceneUsageError, sceneCommand } from './scene-replay.js';

const USAGE = `Usage: algo <command>

  serve            start the service (configuration from ALGO_* variables; docs/configuration.md)
  doctor [flags]   check algo, Prometheus and Grafana; \`algo doctor --help\` for its flags
  scene replay     replay recorded detections through a camera's tracker, zones and lines; \`algo scene replay --help\`
`;

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
  process.stdout.write(options.json ? renderJson(report) : renderText(report));
  return report.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'doctor':
      process.exitCode = await doctor(rest);
      return;
    case 'scene':
      process.exitCode = await scene(rest);
      return;
    case 'serve':
      await import('./serve.js');
      return;
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(
        `algo: ${command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`,
      );
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`algo: ${maskUrl(messageOf(error))}\n`);
  process.exitCode = 1;
});
