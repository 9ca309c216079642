// CPU seconds used so far by this process (all its threads: the event loop, detector workers,
// libuv and V8 helpers) and by its child processes (ffmpeg readers, test cameras), by name, from
// /proc (Linux). Wall-clock figures swing with whatever else the machine runs; CPU per frame much less.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function parse(stat: string): { name: string; ppid: number; seconds: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ppid: Number(fields[1]),
    seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
  };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
}

/** CPU seconds process `pid` has used (all its threads), or NaN when it is gone or unreadable. */
export function cpuSecondsOfPid(pid: number | undefined): number {
  const stat = pid === undefined ? undefined : read(`/proc/${pid}/stat`);
  return stat === undefined ? NaN : parse(stat).seconds;
}

/** CPU seconds by owner: `algo` (this process) and `child <name>` per child command name. */
export function cpuSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string, seconds: number): void => void out.set(key, (out.get(key) ?? 0) + seconds);
  const self = read('/proc/self/stat');
  if (self !== undefined) add('algo', parse(self).seconds);
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined) continue;
    const { name, ppid, seconds } = parse(stat);
    if (ppid === process.pid) add(`child ${name}`, seconds);
  }
  return out;
}

/** What each owner used between two cpuSeconds() readings. */
export function cpuUsedBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([key, seconds]) => [key, Math.max(0, seconds - (before.get(key) ?? 0))]));
}
