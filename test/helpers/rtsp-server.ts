// Starts the GStreamer RTSP test camera (rtsp-server.py) with the system python3.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));

export interface RtspServer {
  child: ChildProcess;
  port: number;
  url: string;
  kill(): Promise<void>;
}

export async function startRtspServer(
  port: number,
  size: { width: number; height: number; fps: number } = { width: 320, height: 240, fps: 10 },
): Promise<RtspServer> {
  const child = spawn('/usr/bin/python3', [SCRIPT, String(port), String(size.width), String(size.height), String(size.fps)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`RTSP server exited with ${code}: ${errors}`)));
  });
  return {
    child,
    port,
    url: `rtsp://127.0.0.1:${port}/stream`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
