// A camera's frames per second over its last whole seconds: steady on a steady camera whenever
// it is read, and falling to 0 once frames stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FRAME_RATE_WINDOW_S, FrameRate } from '../../src/cameras/frame-rate.js';

test('a steady camera reads the same rate whenever in the second it is read', () => {
  const rate = new FrameRate();
  const start = 1_700_000_000_000;
  for (let ms = 0; ms < 20_000; ms += 500) rate.frame(start + ms + 37);
  for (const offset of [0, 1, 250, 999]) assert.equal(rate.perSecond(start + 20_000 + offset), 2, `read at +${offset} ms`);
});

test('a faster camera is counted in full, past any fixed number of frames', () => {
  const rate = new FrameRate();
  const start = 5_000;
  for (let ms = 0; ms < 10_000; ms += 4) rate.frame(start + ms);
  assert.equal(rate.perSecond(start + 10_000), 250);
});

test('frames that stop fall out of the window second by second, to 0', () => {
  const rate = new FrameRate();
  assert.equal(rate.perSecond(1_000), 0, 'no frame yet');
  for (let ms = 0; ms < 10_000; ms += 100) rate.frame(ms);
  assert.equal(rate.perSecond(10_000), 10);
  assert.equal(rate.perSecond(12_000), (10 * (FRAME_RATE_WINDOW_S - 2)) / FRAME_RATE_WINDOW_S);
  assert.equal(rate.perSecond(10_000 + FRAME_RATE_WINDOW_S * 1000), 0);
  // After a long silence the old buckets are not read again.
  rate.frame(100_000);
  assert.equal(rate.perSecond(101_000), 1 / FRAME_RATE_WINDOW_S);
});
