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
 * The CPUs algo may use: `os.availableParallelism()` (the process' CPU affinity) capped by the
 * cgroup CPU quota (v2 `cpu.max`, else v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), so a
 * container limited to 2 CPUs on a 64-core host counts 2.
 */
export function cpuBudget(read: (path: string) => string | undefined = readText, parallelism = availableParallelism()): CpuBudget {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  const v1Quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
  const v1Period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us');
  const quota =
    (v2 === undefined ? undefined : cpusOfCpuMax(v2)) ??
    (v1Quota === undefined || v1Period === undefined || Number(v1Quota) <= 0 ? undefined : cpusOfCpuMax(`${v1Quota} ${v1Period}`));
  if (quota !== undefined && quota < parallelism) return { cpus: quota, source: `cgroup CPU quota of ${quota}` };
  return { cpus: Math.max(1, parallelism), source: `${parallelism} CPUs available` };
}

/** Bytes of memory free for new workers: the host's free memory, capped by a cgroup v2 memory limit. */
export function availableMemory(read: (path: string) => string | undefined = readText, free = freemem()): number {
  const max = read('/sys/fs/cgroup/memory.max')?.trim();
  const current = Number(read('/sys/fs/cgroup/memory.current')?.trim());
  if (max === undefined || max === 'max' || !Number.isFinite(Number(max)) || !Number.isFinite(current)) return free;
  return Math.min(free, Math.max(0, Number(max) - current));
}

export interface WorkerCount {
  workers: number;
  /** Why this many, for the start-up log. */
  reason: string;
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
  if (setting !== 'auto') return { workers: setting, reason: 'ALGO_DETECT_CONCURRENCY' };
  const byCpu = Math.max(1, Math.floor(cpu.cpus / threads));
  const byMemory =
    memory.workerBytes > 0
      ? Math.max(1, Math.floor((memory.availableBytes * MEMORY_SHARE) / memory.workerBytes))
      : Number.POSITIVE_INFINITY;
  if (byMemory < byCpu) {
    const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
    return {
      workers: byMemory,
      reason: `auto: ${cpu.source}, capped by memory (${mib(memory.availableBytes)} MiB free, ${mib(memory.workerBytes)} MiB per worker)`,
    };
  }
  return { workers: byCpu, reason: `auto: ${cpu.source}, ${threads} thread(s) per worker` };
}
