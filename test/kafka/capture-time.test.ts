// capture-ts read in any of the units producers use, and refused when it cannot be a capture time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureTime } from '../../src/kafka/capture-time.js';

const now = Date.parse('2026-12-04T00:58:18.250Z');

test('milliseconds, seconds (with fraction) and ISO 8601 are told apart by magnitude and form', () => {
  for (const value of ['1796345898250', '1796345898.25', '2026-12-04T00:58:18.250Z', '2026-12-04T01:58:18.250+01:00']) {
    assert.deepEqual(captureTime(value, now), { ok: true, ms: now }, value);
  }
  assert.deepEqual(captureTime('1796345898', now), { ok: true, ms: now - 250 });
});

test('a time before 2000, more than a day ahead, or not a time at all is refused with its reason', () => {
  assert.deepEqual(captureTime('946684799', now), { ok: false, reason: 'before_2000' });
  assert.deepEqual(captureTime('946684799999', now), { ok: false, reason: 'before_2000' });
  assert.deepEqual(captureTime('1999-12-31T23:59:59Z', now), { ok: false, reason: 'before_2000' });
  assert.deepEqual(captureTime(String(now + 86_400_001), now), { ok: false, reason: 'future' });
  assert.deepEqual(captureTime('1796345898250000', now), { ok: false, reason: 'future' }, 'microseconds are not guessed');
  assert.deepEqual(captureTime(String(now + 86_400_000), now), { ok: true, ms: now + 86_400_000 });
  for (const value of ['yesterday', '', '-1796345898', 'Fri Dec 4 2026', '1e12']) {
    assert.deepEqual(captureTime(value, now), { ok: false, reason: 'unreadable' }, value);
  }
});
