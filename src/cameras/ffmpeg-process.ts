// One ffmpeg child for one camera: spawned under `setpriv --pdeathsig KILL` so it dies with
// algo even when algo is SIGKILLed (ffmpeg itself only notices a broken stdout pipe while
// writing, so a stalled one would otherwise live on); the signal is tied to the spawning
// thread, which is why this runs on the main thread. Stdout is cut into frames; stderr is
// kept as a short, credential-free tail for the reason a stream ended, and read for the
// source's frame size (needed to map boxes back to camera pixels): at start, and again each
// time the camera changes resolution mid-stream (ffmpeg reconfigures its filters for it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { FrameOutput } from './ffmpeg-args.js';
import type { FramePool } from './frame-pool.js';
import { jpegFrameReader, rawFrameReader, type FrameReader } from './frame-reader.js';

/** Why a camera is down: a stable code for the API and logs. */
export type DownReason = 'ended' | 'stalled' | 'auth_failed' | 'unreachable' | 'not_found' | 'error';

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The most telling stderr line, credentials masked. */
  detail: string | undefined;
}

export interface FfmpegHandlers {
  onFrame(frame: Buffer): void;
  /** A JPEG of the view output (output.view), when there is one. */
  onViewFrame?(jpeg: Buffer): void;
  /** The source's frame size: first when the stream opens, then on every change (`midStream`). */
  onSourceSize(width: number, height: number, midStream: boolean): void;
  onExit(exit: FfmpegExit): void;
}

export interface FfmpegOptions {
  ffmpegPath: string;
  args: string[];
  output: FrameOutput;
  /** Largest JPEG frame accepted (ingest role). */
  maxJpegBytes: number;
  redact: (text: string) => string;
  /** Where raw frames are taken from (the camera's, so it outlives one ffmpeg). */
  pool?: FramePool;
}

export interface FfmpegChild {
  readonly pid: number | undefined;
  /** SIGKILL: nothing ffmpeg could still say matters once algo gave up on it. */
  kill(): void;
  readonly exited: Promise<void>;
}

const NOISE = /deprecated pixel format|EOI missing|^\s*(Metadata|Duration|encoder|Stream mapping|Press \[q\])|^\s+\w+\s*:/;
// What -loglevel verbose adds besides the size lines: filter set-up, connection progress.
const VERBOSE_CHATTER =
  /^\[[^\]]+ @ 0x[0-9a-f]+\] (w:\d|fps=|Set first pts|\d+ frames in|Starting connection attempt|Successfully connected)/;
const TELLING =
  /error|unauthori[sz]ed|forbidden|refused|not found|timed out|timeout|invalid|failed|unreachable|no route|could not|cannot|unable|end of file/i;
// The first video stream listed is the input's (ffmpeg prints Input #0 before Output #0).
const STREAM_SIZE = /Stream #0:\d+.*?: Video: .*?[ ,](\d{2,5})x(\d{2,5})(?=[ ,[]|$)/;
// The decoded frames' size, printed (at verbose) each time the filter graph is configured for
// them: when the stream starts and whenever the camera switches resolution.
const GRAPH_INPUT_SIZE = /\[graph \d+ input from stream 0:\d+ @ 0x[0-9a-f]+\] w:(\d+) h:(\d+) /;
const TAIL_LINES = 20;

export function classifyExit(detail: string | undefined): DownReason {
  if (detail === undefined) return 'ended';
  if (/\b40[13]\b|unauthori[sz]ed|authori[sz]ation failed|forbidden/i.test(detail)) return 'auth_failed';
  if (/refused|no route|unreachable|timed out|timeout|name or service not known|failed to resolve|resolving|connection reset/i.test(detail))
    return 'unreachable';
  if (/\b404\b|no such file|not found/i.test(detail)) return 'not_found';
  if (/end of file/i.test(detail)) return 'ended';
  return 'error';
}

export function startFfmpeg(options: FfmpegOptions, handlers: FfmpegHandlers): FfmpegChild {
  const view = options.output.format === 'rgb' && options.output.view !== undefined;
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', options.ffmpegPath, ...options.args], {
    stdio: view ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  const onOversize = (): void => {
    tail.push(`frame larger than ${options.maxJpegBytes} bytes`);
    child.kill('SIGKILL');
  };
  const reader: FrameReader =
    options.output.format === 'rgb'
      ? rawFrameReader(options.output.width * options.output.height * 3, handlers.onFrame, options.pool)
      : jpegFrameReader(options.maxJpegBytes, handlers.onFrame, onOversize);
  child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
  const viewPipe = view ? child.stdio[3] : undefined;
  if (viewPipe !== undefined && viewPipe !== null && 'on' in viewPipe) {
    // A view frame too large is dropped, not a reason to stop the camera.
    const viewReader = jpegFrameReader(
      options.maxJpegBytes,
      (jpeg) => handlers.onViewFrame?.(jpeg),
      () => undefined,
    );
    viewPipe.on('data', (chunk: Buffer) => viewReader.push(chunk));
    viewPipe.on('error', () => undefined);
  }

  const tail: string[] = [];
  // The stream line gives a first size; the filter graph's input is the decoded frames' own,
  // and only its reconfiguration means the camera changed resolution mid-stream.
  let reported: string | undefined;
  let configured = false;
  const report = (width: number, height: number, midStream: boolean): void => {
    if (`${width}x${height}` === reported) return;
    reported = `${width}x${height}`;
    handlers.onSourceSize(width, height, midStream);
  };
  const lines = createInterface({ input: child.stderr!, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const graph = GRAPH_INPUT_SIZE.exec(line);
    if (graph !== null) {
      report(Number(graph[1]), Number(graph[2]), configured);
      configured = true;
    } else if (reported === undefined) {
      const stream = STREAM_SIZE.exec(line);
      if (stream !== null) report(Number(stream[1]), Number(stream[2]), false);
    }
    if (line.trim() === '' || NOISE.test(line) || VERBOSE_CHATTER.test(line)) return;
    tail.push(options.redact(line.trim()).slice(0, 300));
    if (tail.length > TAIL_LINES) tail.shift();
  });

  let spawnError: string | undefined;
  child.once('error', (error) => (spawnError = error.message));
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      // ffmpeg often ends with a generic line ("Input/output error") after the specific one.
      const telling = tail.filter((line) => TELLING.test(line)).reverse();
      const specific = telling.find((line) => !['error', 'ended'].includes(classifyExit(line)));
      const detail = spawnError ?? specific ?? telling[0] ?? (code === 0 ? undefined : tail[tail.length - 1]);
      handlers.onExit({ code, signal, detail: detail === undefined ? undefined : options.redact(detail) });
      resolve();
    });
  });
  return {
    pid: child.pid,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    exited,
  };
}

/** Resolves to ffmpeg's version line, or rejects with a message saying it is missing. */
export async function checkFfmpeg(ffmpegPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) =>
      reject(new Error(`${ffmpegPath} cannot be run (${(error as NodeJS.ErrnoException).code ?? error.message})`)),
    );
    child.once('close', (code) =>
      code === 0 ? resolve(output.split('\n')[0] ?? 'ffmpeg') : reject(new Error(`${ffmpegPath} -version exited with code ${code}`)),
    );
  });
}
