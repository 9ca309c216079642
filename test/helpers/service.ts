// Builds algo in-process for tests: configuration from an env map, logs captured as parsed
// JSON lines, and the real HTTP servers listening on free ports.
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, portOf, type RunningService, type ServiceOptions } from '../../src/service.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  write(line: string): void {
    this.raw.push(line);
    this.lines.push(JSON.parse(line) as LogLine);
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  // No readiness-drain delay at shutdown, and one detector worker (not one per CPU as `auto`
  // does: the suite starts many services), unless a test asks otherwise.
  return loadConfig({ PORT: '0', HOST: '127.0.0.1', ALGO_SHUTDOWN_DELAY_MS: '0', ALGO_DETECT_CONCURRENCY: '1', ...env });
}

export interface TestService extends RunningService {
  url: string;
  metricsUrl: string | undefined;
  logs: LogCapture;
  config: Config;
}

export async function startTestService(env: Record<string, string> = {}, routes?: ServiceOptions['routes']): Promise<TestService> {
  const config = testConfig(env);
  const logs = new LogCapture();
  const service = await startService(config, { logger: createLogger(config.logLevel, logs), routes });
  const url = `http://127.0.0.1:${portOf(service.app)}`;
  const metricsUrl = service.metricsApp === undefined ? undefined : `http://127.0.0.1:${portOf(service.metricsApp)}`;
  return Object.assign(service, { url, metricsUrl, logs, config });
}
