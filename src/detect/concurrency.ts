// How many detector workers run, and with how many threads each. `auto` runs one
// single-threaded worker per CPU algo may use: on small CPUs more onnxruntime sessions pay and
// more threads per session do not (2 cores: two 1-thread workers gave 1.41–1.49× the frames of
// one; one 2-thread worker 0.89–0.94×). Threads are always set explicitly, so behaviour does
// not change with the host's core count.
import { readFileSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';

export type ConcurrencySetting = number | 'auto';

/** Share of the memory available at start-up that auto's workers may take. */
const MEMORY_SHARE = 0.5;

export interface CpuBudget {
  /** Whole CPUs algo may use (at least 1). */
  cpus: number;
  /** Where the number comes from, for the start-up log. */
  source: string;
}

/** A cgroup v2 `cpu.max` ("200000 100000", or "max 100000" for no quota) as whole CPUs, at least 1. */
export function cpusOfCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.floor(cpus)) : undefined;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The cgroup v2 directories that limit this process, its own first, then each parent up to the
 * root (`/proc/self/cgroup`'s `0::/path`; a container with its own cgroup namespace sees `/`).
 * A limit set on a parent (a systemd slice's CPUQuota=) binds the process as much as its own.
 */
export function cgroupDirs(read: (path: string) => string | undefined = readText): string[] {
  const own = /^0::(\/.*)$/m.exec(read('/proc/self/cgroup') ?? '')?.[1] ?? '/';
  const parts = own.split('/').filter((part) => part !== '' && part !== '..' && part !== '.');
  const dirs: string[] = [];
  for (let depth = parts.length; depth >= 0; depth--) dirs.push(['/sys/fs/cgroup', ...parts.slice(0, depth)].join('/'));
  return dirs;
}

/** The smallest of the values `of` finds in these directories; undefined when none has one. */
function tightest(dirs: readonly string[], of: (dir: string) => number | undefined): number | undefined {
  let least: number | undefined;
  for (const dir of dirs) {
    const value = of(dir);
    if (value !== undefined && (least === undefined || value < least)) least = value;
  }
  return least;
}

/**
 * The CPUs algo may use: `os.availableParallelism()` (the process' CPU affinity) capped by the
 * cgroup CPU quota (v2 `cpu.max` of its cgroup and every parent, else v1 `cpu.cfs_quota_us` /
 * `cpu.cfs_period_us`), so a container limited to 2 CPUs on a 64-core host counts 2.
 */
export function cpuBudget(read: (path: string) => string | undefined = readText, parallelism = availableParallelism()): CpuBudget {
  const v2 = tightest(cgroupDirs(read), (dir) => {
    const text = read(`${dir}/cpu.max`);
    return text === undefined ? undefined : cpusOfCpuMax(text);
  });
  const v1Quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
  const v1Period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us');
  const quota =
    v2 ?? (v1Quota === undefined || v1Period === undefined || Number(v1Quota) <= 0 ? undefined : cpusOfCpuMax(`${v1Quota} ${v1Period}`));
  if (quota !== undefined && quota < parallelism) return { cpus: quota, source: `cgroup CPU quota of ${quota}` };
  return { cpus: Math.max(1, parallelism), source: `${parallelism} CPUs available` };
}

/** Bytes of memory free for new workers: the host's free memory, capped by the cgroup v2 memory limits of its cgroup and every parent. */
export function availableMemory(read: (path: string) => string | undefined = readText, free = freemem()): number {
  const room = tightest(cgroupDirs(read), (dir) => {
    const max = read(`${dir}/memory.max`)?.trim();
    const current = Number(read(`${dir}/memory.current`)?.trim());
    if (max === undefined || max === 'max' || !Number.isFinite(Number(max)) || !Number.isFinite(current)) return undefined;
    return Math.max(0, Number(max) - current);
  });
  return room === undefined ? free : Math.min(free, room);
}

export interface WorkerCount {
  workers: number;
  /** Why this many, for the start-up log. */
  reason: string;
  /** A fixed setting beyond what the machine gives algo (CPUs or memory), for a start-up warning. */
  warning?: string;
}

/**
 * The number of detector workers. A fixed setting is taken as is; `auto` is
 * floor(cpus / threads), at least 1, and no more than half the available memory holds at
 * `workerBytes` each (the first worker's measured resident size).
 */
export function workerCount(
  setting: ConcurrencySetting,
  threads: number,
  cpu: CpuBudget,
  memory: { availableBytes: number; workerBytes: number },
): WorkerCount {
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
  if (setting !== 'auto') {
    const fixed: WorkerCount = { workers: setting, reason: 'ALGO_DETECT_CONCURRENCY' };
    const needBytes = setting * memory.workerBytes;
    if (setting * threads > cpu.cpus)
      fixed.warning = `ALGO_DETECT_CONCURRENCY=${setting} × ALGO_DETECT_THREADS=${threads} is more than the ${cpu.cpus} CPU(s) algo may use (${cpu.source}): the extra workers only take turns and memory; auto would run ${Math.max(1, Math.floor(cpu.cpus / threads))}`;
    else if (memory.workerBytes > 0 && needBytes > memory.availableBytes)
      fixed.warning = `ALGO_DETECT_CONCURRENCY=${setting} workers need about ${mib(needBytes)} MiB at ${mib(memory.workerBytes)} MiB each; ${mib(memory.availableBytes)} MiB was free`;
    return fixed;
  }
  const byCpu = Math.max(1, Math.floor(cpu.cpus / threads));
  const byMemory =
    memory.workerBytes > 0
      ? Math.max(1, Math.floor((memory.availableBytes * MEMORY_SHARE) / memory.workerBytes))
      : Number.POSITIVE_INFINITY;
  if (byMemory < byCpu) {
    return {
      workers: byMemory,
      reason: `auto: ${cpu.source}, capped by memory (${mib(memory.availableBytes)} MiB free, ${mib(memory.workerBytes)} MiB per worker)`,
    };
  }
  return { workers: byCpu, reason: `auto: ${cpu.source}, ${threads} thread(s) per worker` };
}
