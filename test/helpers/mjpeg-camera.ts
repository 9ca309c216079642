// A small MJPEG-over-HTTP camera for tests: multipart/x-mixed-replace, any number of clients,
// optional Basic auth. Run as its own process (spawnMjpegCamera) so a test can kill it or
// SIGSTOP it to simulate a lost or frozen camera, or switch its frame size mid-stream
// (switchSize(): SIGUSR2 to the process) as cameras do between day and night profiles.
//   node --import tsx test/helpers/mjpeg-camera.ts '{"port":0,"fps":10,"width":320,"height":240}'
// prints `listening <port>` once it accepts connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export interface MjpegCameraOptions {
  port: number;
  fps: number;
  width: number;
  height: number;
  /** user:password required (Basic auth) when set. */
  credentials?: string;
  /** JPEG source frames are made from (default: solid colours). */
  photo?: string;
  /** Solid colours the frames cycle through (default red, green, blue). */
  colours?: Array<[number, number, number]>;
  /** The size switched to by switchSize() (SIGUSR2 to the process), the same picture at it. */
  switchTo?: { width: number; height: number };
}

const BOUNDARY = 'algoframe';

/** The frames a camera with these options sends, in order (exported: a test can POST the same picture). */
export async function makeFrames(options: Pick<MjpegCameraOptions, 'width' | 'height' | 'photo' | 'colours'>): Promise<Buffer[]> {
  if (options.photo !== undefined) {
    return [await sharp(options.photo).resize(options.width, options.height, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer()];
  }
  const colours = options.colours ?? [
    [200, 40, 40],
    [40, 200, 40],
    [40, 40, 200],
  ];
  return Promise.all(
    colours.map((rgb) =>
      sharp({ create: { width: options.width, height: options.height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
}

export async function serveMjpeg(
  options: MjpegCameraOptions,
): Promise<{ port: number; resize(size: { width: number; height: number }): Promise<void>; close(): void }> {
  let frames = await makeFrames(options);
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const clients = new Set<ServerResponse>();
  let sequence = 0;
  const timer = setInterval(() => {
    const frame = frames[sequence++ % frames.length]!;
    const head = `--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`;
    for (const client of clients) {
      client.write(head);
      client.write(frame);
      client.write('\r\n');
    }
  }, 1000 / options.fps);
  const server = createServer((request, response) => {
    if (expected !== undefined && request.headers.authorization !== expected) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="camera"', 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    response.writeHead(200, {
      'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      'cache-control': 'no-cache',
      connection: 'close',
    });
    clients.add(response);
    response.on('close', () => clients.delete(response));
  });
  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    async resize(size) {
      frames = await makeFrames({ ...options, ...size });
    },
    close() {
      clearInterval(timer);
      server.closeAllConnections();
      server.close();
    },
  };
}

export interface MjpegCameraProcess {
  child: ChildProcess;
  port: number;
  /** Switches to options.switchTo from the next frame on (SIGUSR2). */
  switchSize(): void;
  /** SIGKILLs the camera and waits until it is gone. */
  kill(): Promise<void>;
}

/** Starts the camera in a child process; resolves once it listens. */
export async function spawnMjpegCamera(options: Partial<MjpegCameraOptions> = {}): Promise<MjpegCameraProcess> {
  const full: MjpegCameraOptions = { port: 0, fps: 10, width: 320, height: 240, ...options };
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(full)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`mjpeg camera exited with ${code} before listening`)));
  });
  return {
    child,
    port,
    switchSize: () => child.kill('SIGUSR2'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2] ?? '{}') as MjpegCameraOptions;
  const camera = await serveMjpeg(options);
  const switchTo = options.switchTo;
  if (switchTo !== undefined) process.on('SIGUSR2', () => void camera.resize(switchTo));
  process.stdout.write(`listening ${camera.port}\n`);
}
