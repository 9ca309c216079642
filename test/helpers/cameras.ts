// Camera test helpers: a cameras YAML file, reading one sample from the exposition, and the
// ffmpeg processes reading a given URL (found through /proc, so a test can tell whether any
// is left behind).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RunningService } from '../../src/service.js';
import { renderMetrics } from '../../src/metrics/render.js';

export async function writeCamerasFile(cameras: Array<Record<string, unknown>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-cameras-'));
  const file = join(dir, 'cameras.yml');
  await writeFile(file, stringify({ cameras }));
  return file;
}

/** The value of the sample `name{labels}` (labels in exposition order), or 0 when absent. */
export function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function cameraSample(service: RunningService, name: string, labels: string): Promise<number> {
  return sample(await renderMetrics(service.metrics.registry, 'prometheus'), name, labels);
}

/** Pids of running ffmpeg processes whose command line contains `needle`. */
export async function ffmpegPids(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (!/(^|\/)ffmpeg$/.test(args[0] ?? '')) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (/^State:\s+Z/m.test(status)) continue;
    if (args.some((arg) => arg.includes(needle))) pids.push(Number(entry));
  }
  return pids;
}
