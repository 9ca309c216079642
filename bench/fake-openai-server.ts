// The loopback OpenAI-speaking server of bench:llm, in its own process so it can be pinned
// to its own core. Keys: bench-ok answers, bench-limited answers 429 every other request,
// bench-revoked answers 401. Prints its base URL on stdout.
import { startFakeOpenAi } from '../test/helpers/fake-openai.js';

export const BENCH_KEYS = {
  ok: 'sk-bench-ok-00000000000000000000',
  limited: 'sk-bench-limited-000000000000000',
  revoked: 'sk-bench-revoked-000000000000000',
} as const;

if (process.argv[1]?.endsWith('fake-openai-server.ts') === true) {
  const fake = await startFakeOpenAi();
  fake.script(BENCH_KEYS.limited, (n) => (n % 2 === 0 ? { kind: 'rate_limited' } : { kind: 'ok' }));
  fake.script(BENCH_KEYS.revoked, { kind: 'unauthorized' });
  // Keep memory flat over long runs: the bench reads only the answers.
  setInterval(() => fake.requests.splice(0), 1000).unref();
  process.stdout.write(`${fake.baseUrl}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}
