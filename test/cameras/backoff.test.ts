// Reconnect delays: doubling from 1 s, capped at 30 s, jittered within the upper half.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectDelayMs } from '../../src/cameras/backoff.js';

test('delays double from 1 s, stop growing at 30 s, and jitter between half and all of the step', () => {
  const low = (failures: number) => reconnectDelayMs(failures, () => 0);
  const high = (failures: number) => reconnectDelayMs(failures, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(high), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  assert.deepEqual([1, 2, 6, 20].map(low), [500, 1000, 15_000, 15_000]);
});
