// Runs Debian's promtool and returns its exit code and output.
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number;
  output: string;
}

export async function runTool(command: string, args: string[], stdin?: string, env?: Record<string, string>): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(stdin ?? '');
  });
}

export const promtool = (args: string[], stdin?: string): Promise<ToolResult> => runTool('promtool', args, stdin);
