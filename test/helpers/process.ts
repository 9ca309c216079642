// Runs algo's real entry points as separate processes: the service (spawnAlgo) and the `algo`
// command (runAlgoCommand), and any other command to completion (runProcess).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface AlgoProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

export function spawnAlgo(env: Record<string, string>): AlgoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    // No readiness-drain delay at SIGTERM, and one detector worker (a model loaded once, not
    // once per CPU as `auto` does), unless a test asks otherwise: the suite starts many algos.
    env: { ...process.env, HOST: '127.0.0.1', ALGO_SHUTDOWN_DELAY_MS: '0', ALGO_DETECT_CONCURRENCY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exit };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its exit, collecting its output. */
export async function runProcess(command: string, args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** `algo <args>` (src/cli/algo.ts, e.g. the doctor) to its exit. */
export const runAlgoCommand = (args: string[]): Promise<ProcessResult> =>
  runProcess(process.execPath, ['--import', 'tsx', 'src/cli/algo.ts', ...args]);
