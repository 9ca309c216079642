// algo_build_info{version,node_version} 1: lets dashboards show what runs where.
import { Gauge, type Registry } from 'prom-client';
import { VERSION } from '../version.js';

export function registerBuildInfo(registry: Registry): void {
  const info = new Gauge({
    name: 'algo_build_info',
    help: 'Always 1; labels carry the algo version and the Node.js version running it.',
    labelNames: ['version', 'node_version'] as const,
    registers: [registry],
  });
  info.set({ version: VERSION, node_version: process.version }, 1);
}
