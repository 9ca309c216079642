// Runs algo's real entry point as a separate Node process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface AlgoProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

export function spawnAlgo(env: Record<string, string>): AlgoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts'], {
    // No readiness-drain delay at SIGTERM unless a test asks for one.
    env: { ...process.env, HOST: '127.0.0.1', ALGO_SHUTDOWN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exit };
}
