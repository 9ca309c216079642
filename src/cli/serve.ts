// Entry point: `npm start`. Reads the environment once, builds every part, serves, and
// shuts down gracefully on SIGTERM/SIGINT.
import { maskUrl } from '../redact.js';
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
  // SIGHUP re-reads ALGO_LLM_API_KEYS_FILE, ALGO_API_TOKENS_FILE and the TLS pair; a bad one
  // keeps what is in use (logged).
  process.on('SIGHUP', () => void service.reload());
}

main().catch((error: unknown) => {
  // A bad setting, whether found while parsing the environment or reading a file it names.
  if (error instanceof ConfigError) {
    process.stderr.write(`algo: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`algo: failed to start: ${maskUrl(messageOf(error))}\n`);
  process.exit(1);
});
