// A second host for tests: a network namespace joined to this one by a veth pair with two
// addresses of a private /30 (10.203.x.y, used on that pair only), so a client run inside it
// reaches algo from a non-loopback address. Traffic goes nowhere but over that pair. Needs
// root and iproute2; `netnsUnavailable()` says why not, for a test's skip message.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runProcess, type ProcessResult } from './process.js';

const run = promisify(execFile);

export interface TestHost {
  /** The namespace's name (unique per test run). */
  name: string;
  /** algo's address as the test host sees it (this namespace's end of the pair). */
  serverAddress: string;
  /** The test host's address, which algo sees as the client. */
  clientAddress: string;
  /** Runs a command inside the namespace. */
  exec(command: string, args: string[], env?: Record<string, string>): Promise<ProcessResult>;
  /** Deletes the namespace and the pair (safe to call twice). */
  remove(): Promise<void>;
}

export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  try {
    await run('ip', ['-V']);
  } catch {
    return 'needs iproute2 (`ip`)';
  }
  return undefined;
}

let made = 0;

export async function createTestHost(): Promise<TestHost> {
  // Unique per process and call: the namespace, both link names (≤ 15 characters) and the /30.
  const id = `${process.pid.toString(36)}${(made++).toString(36)}`;
  const block = (process.pid * 8 + made) % 16_384;
  const prefix = `10.203.${block >> 6}.`;
  const base = (block & 63) * 4;
  const name = `algo-t-${id}`;
  const outer = `ah${id}`.slice(0, 15);
  const inner = `ac${id}`.slice(0, 15);
  const serverAddress = `${prefix}${base + 1}`;
  const clientAddress = `${prefix}${base + 2}`;
  const remove = async (): Promise<void> => {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    await run('ip', ['link', 'del', outer]).catch(() => undefined);
  };
  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    await run('ip', ['link', 'set', inner, 'netns', name]);
    await run('ip', ['addr', 'add', `${serverAddress}/30`, 'dev', outer]);
    await run('ip', ['link', 'set', outer, 'up']);
    await run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${clientAddress}/30`, 'dev', inner]);
    await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', inner, 'up']);
    await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    name,
    serverAddress,
    clientAddress,
    exec: (command, args, env = {}) => runProcess('ip', ['netns', 'exec', name, command, ...args], env),
    remove,
  };
}

export interface RemoteRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A file whose bytes are the body. */
  bodyFile?: string;
}

export interface RemoteResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The client run inside the namespace: requests in order, one JSON line per answer. */
const CLIENT = `
import { readFileSync } from 'node:fs';
const requests = JSON.parse(process.env.ALGO_TEST_REQUESTS);
for (const r of requests) {
  try {
    const response = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers, body: r.bodyFile ? readFileSync(r.bodyFile) : undefined });
    const body = await response.text();
    console.log(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body }));
  } catch (error) {
    console.log(JSON.stringify({ status: 0, headers: {}, body: String(error?.cause ?? error) }));
  }
}
`;

/** Sends `requests` from the test host, in order, with Node's fetch; status 0 when one could not be sent. */
export async function requestsFrom(host: TestHost, requests: RemoteRequest[]): Promise<RemoteResponse[]> {
  const result = await host.exec(process.execPath, ['--input-type=module', '-e', CLIENT], { ALGO_TEST_REQUESTS: JSON.stringify(requests) });
  if (result.code !== 0) throw new Error(`client in ${host.name} failed (${result.code}): ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RemoteResponse);
}
