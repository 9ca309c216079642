import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimitedLog } from '../../src/log/rate-limited-log.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('rate-limited log', () => {
  test('the first occurrence is logged in full, repeats become one summary line with their count', async () => {
    const logs = new LogCapture();
    const throttledLog = new RateLimitedLog(createLogger('info', logs), { intervalMs: 100 });
    for (let i = 0; i < 500; i++) throttledLog.log('warn', 'broker down', { broker: 'k1:9092', attempt: i }, 'broker unreachable');
    assert.deepEqual(
      logs.lines.map((line) => [line.level, line.msg, line.attempt]),
      [[40, 'broker unreachable', 0]],
    );
    const summary = await waitFor('the summary', async () => logs.lines.find((line) => line.repeated !== undefined), 5000, 10);
    assert.deepEqual(
      { msg: summary.msg, repeated: summary.repeated, attempt: summary.attempt, intervalMs: summary.intervalMs },
      { msg: 'broker unreachable (repeated)', repeated: 499, attempt: 499, intervalMs: 100 },
    );
    assert.equal(logs.lines.length, 2);
  });

  test('keys are limited separately, and a key quiet for an interval is logged in full again', async () => {
    const logs = new LogCapture();
    const throttledLog = new RateLimitedLog(createLogger('info', logs), { intervalMs: 50 });
    throttledLog.log('warn', 'camera a', { camera: 'a' }, 'bad frame');
    throttledLog.log('warn', 'camera b', { camera: 'b' }, 'bad frame');
    assert.equal(logs.lines.length, 2);
    await waitFor(
      'the keys to expire',
      async () => {
        throttledLog.log('warn', 'camera a', { camera: 'a' }, 'bad frame');
        return logs.lines.filter((line) => line.camera === 'a' && line.repeated === undefined).length === 2 ? true : undefined;
      },
      5000,
      120,
    );
  });

  test('past maxKeys new keys share one overflow key, so hostile keys cannot grow it', () => {
    const logs = new LogCapture();
    const throttledLog = new RateLimitedLog(createLogger('info', logs), { intervalMs: 60_000, maxKeys: 3 });
    for (let i = 0; i < 1000; i++) throttledLog.log('warn', `camera ${i}`, { camera: i }, 'bad frame');
    assert.equal(logs.lines.length, 4);
    throttledLog.flush();
    assert.equal(logs.lines.at(-1)?.repeated, 996);
  });
});
