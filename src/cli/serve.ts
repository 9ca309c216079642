// Entry point: `npm start`. Reads the environment once, builds every part, serves, and
// shuts down gracefully on SIGTERM/SIGINT.
import { loadConfig } from '../config/config.js';
import { ConfigError, messageOf } from '../errors.js';
import { startService } from '../service.js';

async function main(): Promise<void> {
  const service = await startService(loadConfig(process.env));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    void service.stop(signal).then(
      (code) => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`algo: shutdown failed: ${messageOf(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // SIGHUP re-reads ALGO_LLM_API_KEYS_FILE; a bad file keeps the current keys (logged).
  process.on('SIGHUP', () => void service.reloadKeys());
}

main().catch((error: unknown) => {
  // A bad setting, whether found while parsing the environment or reading a file it names.
  if (error instanceof ConfigError) {
    process.stderr.write(`algo: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`algo: failed to start: ${messageOf(error)}\n`);
  process.exit(1);
});
