// How many detector workers `auto` runs: CPUs algo may use (affinity, cgroup quota), capped by
// memory; threads always explicit. The cgroup files are given as text, as the kernel writes them.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { availableMemory, cgroupDirs, cpuBudget, cpusOfCpuMax, workerCount } from '../../src/detect/concurrency.js';
import { partitionConcurrency } from '../../src/kafka/kafka-config.js';
import { loadConfig } from '../../src/config/config.js';
import { testConfig } from '../helpers/service.js';
import { createPipeline } from '../../src/detect/pipeline.js';
import { createMetrics } from '../../src/metrics/metrics.js';

const files = (entries: Record<string, string>) => (path: string) => entries[path];
const GiB = 2 ** 30;

describe('detector concurrency', () => {
  test('cgroup v2 cpu.max: a quota is whole CPUs (at least 1), "max" is no quota', () => {
    assert.equal(cpusOfCpuMax('200000 100000\n'), 2);
    assert.equal(cpusOfCpuMax('150000 100000'), 1);
    assert.equal(cpusOfCpuMax('50000 100000'), 1);
    assert.equal(cpusOfCpuMax('max 100000'), undefined);
    assert.equal(cpusOfCpuMax('garbage'), undefined);
  });

  test('a container limited to 2 CPUs on a 64-core host counts 2, not 64', () => {
    assert.deepEqual(cpuBudget(files({ '/sys/fs/cgroup/cpu.max': '200000 100000' }), 64), {
      cpus: 2,
      source: 'cgroup CPU quota of 2',
    });
    assert.equal(
      cpuBudget(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }), 64).cpus,
      4,
    );
    assert.equal(
      cpuBudget(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }), 8).cpus,
      8,
    );
    assert.equal(cpuBudget(files({ '/sys/fs/cgroup/cpu.max': 'max 100000' }), 8).cpus, 8);
    assert.equal(
      cpuBudget(files({ '/sys/fs/cgroup/cpu.max': '1600000 100000' }), 8).cpus,
      8,
      'a quota above the affinity does not add CPUs',
    );
  });

  test('available memory is capped by a cgroup memory limit', () => {
    assert.equal(availableMemory(files({}), 8 * GiB), 8 * GiB);
    assert.equal(availableMemory(files({ '/sys/fs/cgroup/memory.max': 'max', '/sys/fs/cgroup/memory.current': '1' }), 8 * GiB), 8 * GiB);
    assert.equal(
      availableMemory(files({ '/sys/fs/cgroup/memory.max': String(2 * GiB), '/sys/fs/cgroup/memory.current': String(GiB / 2) }), 8 * GiB),
      1.5 * GiB,
    );
  });

  test('auto runs one single-threaded worker per CPU; more threads per worker mean fewer workers', () => {
    const memory = { availableBytes: 16 * GiB, workerBytes: 100 * 2 ** 20 };
    assert.equal(workerCount('auto', 1, { cpus: 2, source: '' }, memory).workers, 2);
    assert.equal(workerCount('auto', 2, { cpus: 8, source: '' }, memory).workers, 4);
    assert.equal(workerCount('auto', 4, { cpus: 2, source: '' }, memory).workers, 1);
  });

  test('auto is capped by memory: no more workers than half the free memory holds', () => {
    const count = workerCount(
      'auto',
      1,
      { cpus: 64, source: '64 CPUs available' },
      { availableBytes: 2 * GiB, workerBytes: 256 * 2 ** 20 },
    );
    assert.equal(count.workers, 4);
    assert.match(count.reason, /capped by memory \(2048 MiB free, 256 MiB per worker\)/);
    assert.equal(workerCount('auto', 1, { cpus: 64, source: '' }, { availableBytes: 1, workerBytes: GiB }).workers, 1);
  });

  test('a configured count is taken as it is, with a warning when it is more than the CPUs or the memory algo has', () => {
    const beyondCpus = workerCount(3, 1, { cpus: 1, source: '1 CPUs available' }, { availableBytes: 1, workerBytes: GiB });
    assert.equal(beyondCpus.workers, 3);
    assert.equal(beyondCpus.reason, 'ALGO_DETECT_CONCURRENCY');
    assert.match(beyondCpus.warning ?? '', /ALGO_DETECT_CONCURRENCY=3 × ALGO_DETECT_THREADS=1 is more than the 1 CPU\(s\) algo may use/);
    const beyondMemory = workerCount(4, 1, { cpus: 8, source: '' }, { availableBytes: GiB, workerBytes: 512 * 2 ** 20 });
    assert.match(beyondMemory.warning ?? '', /ALGO_DETECT_CONCURRENCY=4 workers need about 2048 MiB at 512 MiB each; 1024 MiB was free/);
    assert.equal(workerCount(2, 1, { cpus: 2, source: '' }, { availableBytes: 8 * GiB, workerBytes: GiB }).warning, undefined);
  });

  test("a quota on a parent cgroup (a systemd slice's CPUQuota=) binds as much as the process' own", () => {
    const host = files({
      '/proc/self/cgroup': '0::/system.slice/algo.service\n',
      '/sys/fs/cgroup/cpu.max': 'max 100000',
      '/sys/fs/cgroup/system.slice/cpu.max': '300000 100000',
      '/sys/fs/cgroup/system.slice/algo.service/cpu.max': 'max 100000',
      '/sys/fs/cgroup/system.slice/memory.max': String(2 * GiB),
      '/sys/fs/cgroup/system.slice/memory.current': String(GiB),
      '/sys/fs/cgroup/system.slice/algo.service/memory.max': 'max',
      '/sys/fs/cgroup/system.slice/algo.service/memory.current': '0',
    });
    assert.deepEqual(cgroupDirs(host), ['/sys/fs/cgroup/system.slice/algo.service', '/sys/fs/cgroup/system.slice', '/sys/fs/cgroup']);
    assert.equal(cpuBudget(host, 16).cpus, 3);
    assert.equal(availableMemory(host, 8 * GiB), GiB);
    // A container with its own cgroup namespace sees "/": the root files are its own.
    assert.deepEqual(cgroupDirs(files({ '/proc/self/cgroup': '0::/\n' })), ['/sys/fs/cgroup']);
  });

  test('auto is the default, threads default to 1, and Kafka partition concurrency follows the workers unless set', () => {
    const config = loadConfig({});
    assert.equal(config.detect.concurrency, 'auto');
    assert.equal(config.detect.threads, 1);
    assert.equal(loadConfig({ ALGO_DETECT_CONCURRENCY: 'AUTO' }).detect.concurrency, 'auto');
    assert.equal(loadConfig({ ALGO_DETECT_CONCURRENCY: '3' }).detect.concurrency, 3);
    assert.equal(partitionConcurrency(config.kafka.partitionsConsumedConcurrently, 1), 4);
    assert.equal(partitionConcurrency(config.kafka.partitionsConsumedConcurrently, 8), 16);
    assert.equal(partitionConcurrency(loadConfig({ ALGO_KAFKA_PARTITIONS_CONCURRENCY: '2' }).kafka.partitionsConsumedConcurrently, 8), 2);
  });

  test('the built-in model under auto starts one worker per CPU here, each with its measured size', async () => {
    const config = testConfig({ ALGO_DETECT_CONCURRENCY: 'auto' }).detect;
    const pipeline = await createPipeline(config, createMetrics({ maxCameras: 10, apiKeyWindowSeconds: 60 }).detection);
    try {
      const expected = workerCount('auto', 1, cpuBudget(), {
        availableBytes: availableMemory(),
        workerBytes: pipeline.sizing!.workerBytes,
      });
      assert.equal(pipeline.concurrency, expected.workers);
      assert.ok(pipeline.concurrency <= availableParallelism());
      assert.equal(pipeline.sizing?.threads, 1);
      assert.ok(
        pipeline.sizing!.workerBytes > 1024 * 1024,
        `a worker with a model is over 1 MiB resident, got ${pipeline.sizing?.workerBytes}`,
      );
    } finally {
      await pipeline.close();
    }
  });
});
