// npm run soak — a bounded soak and abuse run against the real service process, loopback only.
// For SOAK_SECONDS (default 60, 10 with --quick; the first fifth is warm-up) it runs, against the default (built-in) detector, a mix at once: normal
// detections, bursts past the queue, uploads the client aborts, bodies that stall, garbage
// multipart, and a /metrics scrape every second. It then prints requests by outcome, the
// largest in-flight count seen, open sockets at the end against the baseline, RSS growth after
// warm-up, log lines per second, and the scrape p99, each beside its target.
// The server is pinned to core 0 and this load generator to core 1 when taskset is available.
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFixture } from '../test/helpers/images.js';
import { freePort } from '../test/helpers/ports.js';
import { openSocket, readAnswers } from '../test/helpers/raw-http.js';
import { waitFor } from '../test/helpers/wait.js';
import { announce, scaled } from './quick.js';
import { fmt, percentile, type Verdict } from './stats.js';

/** SOAK_SECONDS: whole seconds, bounded so a typo cannot start an endless or meaningless run. */
function soakSeconds(raw: string | undefined): number {
  const value = raw === undefined || raw === '' ? scaled(60, 10) : Number(raw);
  if (!Number.isInteger(value) || value < 10 || value > 3600) {
    console.error(`soak: SOAK_SECONDS=${JSON.stringify(raw)} is not allowed: give whole seconds from 10 to 3600 (default 60)`);
    process.exit(2);
  }
  return value;
}

const SECONDS = soakSeconds(process.env.SOAK_SECONDS);
// Start-up, warm-up detections and the final scrapes add about 20 s to the soak itself.
announce('soak', { full: SECONDS + 20, quick: 10 + 15 });
const SCRAPE_P99_TARGET_MS = 1000;
const WARM_UP_MS = (SECONDS * 1000) / 5;
const REQUEST_TIMEOUT_MS = 2000;
const PIN = availableParallelism() >= 2 && spawnSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;

interface Server {
  pid: number;
  port: number;
  logTimes: number[];
  logLevels: Map<number, number>;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const command = [process.execPath, '--import', 'tsx', 'src/cli/serve.ts'];
  const child = spawn(PIN ? 'taskset' : command[0]!, PIN ? ['-c', '0', ...command] : command.slice(1), {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ALGO_DETECT_CONCURRENCY: '1',
      ALGO_DETECT_QUEUE_SIZE: '4',
      ALGO_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      ALGO_HEADERS_TIMEOUT_MS: '1000',
      ALGO_SHUTDOWN_DELAY_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logTimes: number[] = [];
  const logLevels = new Map<number, number>();
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      logTimes.push(Date.now());
      const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
      logLevels.set(level, (logLevels.get(level) ?? 0) + 1);
    }
  });
  await waitFor('the server', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 60_000, 200);
  // The real server is the child of taskset (exec), so its pid is the child's.
  return {
    pid: child.pid!,
    port,
    logTimes,
    logLevels,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function openSockets(pid: number): Promise<number> {
  let count = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')).startsWith('socket:')) count++;
  }
  return count;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const outcomes = new Map<string, number>();
const count = (kind: string, outcome: string | number): void => {
  const key = `${kind} ${outcome}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
};

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One request over a kept-alive agent; resolves to the status, or 'aborted' when `abortAfterMs` cut it. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  abortAfterMs?: number,
): Promise<number | 'aborted' | 'error'> {
  return new Promise((resolve) => {
    const signal = abortAfterMs === undefined ? undefined : AbortSignal.timeout(abortAfterMs);
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent, signal }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve('error'));
    });
    req.once('error', () => resolve(signal?.aborted === true ? 'aborted' : 'error'));
    req.end(body);
  });
}

/** Runs `step` every `periodMs` on a fixed schedule (not `periodMs` after each one ends), until `until`. */
async function every(until: number, periodMs: number, step: () => Promise<void>): Promise<void> {
  for (let next = Date.now(); next < until; next += periodMs) {
    await sleep(Math.max(0, next - Date.now()));
    await step();
  }
}

async function loop(until: number, pauseMs: number, step: () => Promise<void>): Promise<void> {
  while (Date.now() < until) {
    await step();
    if (pauseMs > 0) await sleep(pauseMs);
  }
}

function garbageForms(photo: Buffer): Array<{ type: string; body: Buffer }> {
  const boundary = 'soak-boundary';
  const form = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return [
    { type: 'multipart/form-data', body: photo },
    { type: `multipart/form-data; boundary=${boundary}`, body: form.subarray(0, 4000) },
    { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from('garbage without any boundary line at all') },
  ];
}

async function main(): Promise<void> {
  const photo = await readFixture('person');
  const server = await startServer();
  const { port } = server;
  const detectHeaders = { 'content-type': 'image/jpeg' };
  count('warm-up', await send(port, 'POST', '/api/v1/detect', detectHeaders, photo)); // warm the detector
  const baselineSockets = await openSockets(server.pid);
  const started = Date.now();
  const until = started + SECONDS * 1000;
  let rssAfterWarmUp = 0;
  let maxInFlight = 0;
  const scrapeMs: number[] = [];
  let scrapes = 0;
  const overloadWindows: Array<[number, number]> = [];

  console.log(
    `soak: ${SECONDS}s (${WARM_UP_MS / 1000}s warm-up), default detector, concurrency 1, queue 4, ALGO_REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS}${PIN ? ', server on core 0, load on core 1' : ''}`,
  );
  const forms = garbageForms(photo);
  let form = 0;
  await Promise.all([
    // Normal detections: two clients back to back.
    ...[0, 1].map(() => loop(until, 0, async () => count('detect', await send(port, 'POST', '/api/v1/detect', detectHeaders, photo)))),
    // Bursts past the queue every 5 s: 24 at once.
    loop(until, 5000, async () => {
      const from = Date.now();
      const results = await Promise.all(
        Array.from({ length: 24 }, () => send(port, 'POST', '/api/v1/detect?camera_id=burst', detectHeaders, photo)),
      );
      overloadWindows.push([from, Date.now() + 1000]);
      for (const result of results) count('burst', result);
    }),
    // Uploads the client aborts: whole frames abandoned while queued, and uploads cut mid-body.
    loop(until, 500, async () =>
      count('aborted-queued', await send(port, 'POST', '/api/v1/detect', detectHeaders, photo, 20 + Math.floor(Math.random() * 200))),
    ),
    loop(until, 700, async () => {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      socket.write(`POST /api/v1/detect HTTP/1.1\r\nHost: soak\r\nContent-Type: image/jpeg\r\nContent-Length: ${photo.length}\r\n\r\n`);
      socket.write(photo.subarray(0, 5000));
      await sleep(20);
      socket.destroy();
      count('aborted-upload', 'cut by client');
    }),
    // Bodies that stall: the server must cut them with 408.
    loop(until, 1500, async () => {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      const answer = readAnswers(socket);
      socket.write(`POST /api/v1/detect HTTP/1.1\r\nHost: soak\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n`);
      socket.write(photo.subarray(0, 1000));
      const { answers } = await answer;
      socket.destroy();
      count('stalled', answers[0]?.status ?? 'closed without answer');
    }),
    // Two detections pipelined on one connection: both answered, in order.
    loop(until, 1000, async () => {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      const reading = readAnswers(socket, 2);
      const one = Buffer.concat([
        Buffer.from(
          `POST /api/v1/detect?camera_id=pipelined HTTP/1.1\r\nHost: soak\r\nContent-Type: image/jpeg\r\nContent-Length: ${photo.length}\r\n\r\n`,
        ),
        photo,
      ]);
      socket.write(Buffer.concat([one, one]));
      const { answers } = await reading;
      socket.destroy();
      for (const answer of answers) count('pipelined', answer.status);
      for (let missing = answers.length; missing < 2; missing++) count('pipelined', 'no answer');
    }),
    // A malformed chunked body after valid headers: 400 from the route.
    loop(until, 1000, async () => {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      const reading = readAnswers(socket);
      socket.write(
        'POST /api/v1/detect HTTP/1.1\r\nHost: soak\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n',
      );
      const { answers } = await reading;
      socket.destroy();
      count('malformed-chunked', answers[0]?.status ?? 'closed without answer');
    }),
    // Garbage multipart.
    loop(until, 1000, async () => {
      const { type, body } = forms[form++ % forms.length]!;
      count('garbage-multipart', await send(port, 'POST', '/api/v1/detect', { 'content-type': type }, body));
    }),
    // A scrape every second, timed; in-flight sampled from it.
    every(until, 1000, async () => {
      const from = performance.now();
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text());
      scrapes++;
      if (Date.now() - started > WARM_UP_MS) scrapeMs.push(performance.now() - from);
      maxInFlight = Math.max(maxInFlight, Number(/^http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0) - 1);
      if (rssAfterWarmUp === 0 && Date.now() - started > WARM_UP_MS) rssAfterWarmUp = await rssBytes(server.pid);
    }),
  ]);
  const loadEnded = Date.now();
  agent.destroy();
  // Let the last answers and closes land.
  await sleep(REQUEST_TIMEOUT_MS + 500);
  const rssAtEnd = await rssBytes(server.pid);
  const socketsAtEnd = await openSockets(server.pid);
  const text = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { connection: 'close' } }).then((response) => response.text());
  const inFlightAtEnd = Number(/^http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? -1) - 1;
  const byStatus = [...text.matchAll(/^http_requests_total\{method="[A-Z]+",route="([^"]+)",status_code="(\d+)"\} (\d+)/gm)].filter(
    ([, route]) => route !== '/metrics' && route !== '/readyz',
  );
  const detectionErrors = [...text.matchAll(/^detection_errors_total\{reason="([a-z_]+)"\} (\d+)/gm)].map(
    ([, reason, n]) => `${reason}=${n}`,
  );
  await server.stop();

  const loadLines = server.logTimes.filter((t) => t >= started && t <= loadEnded);
  const perSecond = new Map<number, number>();
  for (const t of loadLines) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const overloadSeconds = [...perSecond].filter(([second]) =>
    overloadWindows.some(([from, to]) => second * 1000 + 999 >= from && second * 1000 <= to),
  );
  const maxOverloadRate = Math.max(0, ...overloadSeconds.map(([, n]) => n));
  const meanRate = loadLines.length / ((loadEnded - started) / 1000);
  const fiveHundreds = byStatus.filter(([, , status]) => Number(status) >= 500 && status !== '503');
  const growth = rssAfterWarmUp === 0 ? Number.NaN : (rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp;
  const p99 = scrapeMs.length === 0 ? Number.NaN : percentile(scrapeMs, 99);
  // Every client attempt is one request on the server (scrapes and readiness probes left out on both sides).
  const clientTotal = [...outcomes.values()].reduce((sum, n) => sum + n, 0);
  const serverTotal = byStatus.reduce((sum, [, , , n]) => sum + Number(n), 0);
  const expectedScrapes = Math.floor((loadEnded - started) / 1000);

  console.log('\nclient side, requests by outcome:');
  for (const [key, n] of [...outcomes].sort()) console.log(`  ${key.padEnd(40)} ${n}`);
  console.log('server side, http_requests_total (route, status):');
  for (const [, route, status, n] of byStatus) console.log(`  ${`${route} ${status}`.padEnd(40)} ${n}`);
  console.log(`  detection_errors_total: ${detectionErrors.join(', ')}`);
  const verdict = (ok: boolean): Verdict => (ok ? 'MET' : 'NOT MET');
  console.log('\nfigures (target):');
  console.log(
    `  5xx other than 503 overload        ${fiveHundreds.reduce((sum, [, , , n]) => sum + Number(n), 0)} (0) ${verdict(fiveHundreds.length === 0)}`,
  );
  console.log(`  max in-flight seen                 ${maxInFlight}`);
  console.log(`  in-flight at the end               ${inFlightAtEnd} (0) ${verdict(inFlightAtEnd === 0)}`);
  console.log(
    `  open sockets at the end            ${socketsAtEnd} (baseline ${baselineSockets}) ${verdict(socketsAtEnd <= baselineSockets)}`,
  );
  console.log(
    `  RSS after warm-up → end            ${fmt(rssAfterWarmUp / 2 ** 20, 1)} → ${fmt(rssAtEnd / 2 ** 20, 1)} MiB, growth ${fmt(growth * 100, 1)} % (< 10 %) ${verdict(growth < 0.1)}`,
  );
  console.log(
    `  log lines/s, whole run             ${fmt(meanRate, 1)} (levels: ${[...server.logLevels]
      .sort()
      .map(([level, n]) => `${level}:${n}`)
      .join(' ')})`,
  );
  console.log(`  log lines/s, worst overload second ${maxOverloadRate} (< 10) ${verdict(maxOverloadRate < 10)}`);
  console.log(
    `  /metrics p99 over ${scrapeMs.length} scrapes      ${fmt(p99, 1)} ms (< ${SCRAPE_P99_TARGET_MS}) ${verdict(p99 < SCRAPE_P99_TARGET_MS)}; ${scrapes} scrapes in ${expectedScrapes} s (target one a second)`,
  );
  console.log(
    `  requests, client vs server         ${clientTotal} sent, ${serverTotal} in http_requests_total: difference ${serverTotal - clientTotal} (0) ${verdict(serverTotal === clientTotal)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
