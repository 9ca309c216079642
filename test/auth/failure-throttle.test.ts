import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureThrottle } from '../../src/auth/failure-throttle.js';

function throttle(maxClients = 100): { throttle: FailureThrottle; advance(ms: number): void } {
  let now = 1_000_000;
  return { throttle: new FailureThrottle({ maxFailures: 3, windowMs: 60_000, maxClients }, () => now), advance: (ms) => (now += ms) };
}

describe('failure throttle', () => {
  test('an address is refused after maxFailures in its window, with the seconds left, and admitted again after it', () => {
    const { throttle: t, advance } = throttle();
    for (let i = 0; i < 2; i++) t.recordFailure('10.0.0.9');
    assert.equal(t.retryAfterSeconds('10.0.0.9'), 0);
    t.recordFailure('10.0.0.9');
    assert.equal(t.retryAfterSeconds('10.0.0.9'), 60);
    advance(30_500);
    assert.equal(t.retryAfterSeconds('10.0.0.9'), 30);
    advance(29_500);
    assert.equal(t.retryAfterSeconds('10.0.0.9'), 0);
    assert.equal(t.size, 0);
  });

  test("one address's failures never touch another address", () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < 50; i++) t.recordFailure('10.0.0.9');
    assert.ok(t.retryAfterSeconds('10.0.0.9') > 0);
    assert.equal(t.retryAfterSeconds('10.0.0.10'), 0);
    assert.equal(t.retryAfterSeconds('127.0.0.1'), 0);
  });

  test('IPv6 clients are counted by their /64, IPv4-mapped IPv6 as its IPv4 address', () => {
    const { throttle: t } = throttle();
    t.recordFailure('2001:db8:1:2::1');
    t.recordFailure('2001:db8:1:2:ffff:ffff:ffff:fffe');
    assert.equal(t.retryAfterSeconds('2001:db8:1:2::1'), 0);
    t.recordFailure('2001:0DB8:0001:0002:1:2:3:4');
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::77', '2001:db8:1:2:9::9'])
      assert.equal(t.retryAfterSeconds(address), 60, address);
    assert.equal(t.retryAfterSeconds('2001:db8:1:3::1'), 0, 'the next /64 is another client');
    assert.equal(t.size, 1);

    for (let i = 0; i < 2; i++) t.recordFailure('10.0.0.9');
    t.recordFailure('::ffff:10.0.0.9');
    assert.equal(t.retryAfterSeconds('10.0.0.9'), 60);
    assert.equal(t.retryAfterSeconds('10.0.0.10'), 0);
  });

  test('100 000 distinct addresses: the table stays at its bound, the oldest forgotten first', () => {
    const { throttle: t } = throttle(10_000);
    for (let i = 0; i < 3; i++) t.recordFailure('192.0.2.1');
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) t.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(t.size, 10_000);
    // The first address is the oldest: forgotten, so it may try again; the newest are remembered.
    assert.equal(t.retryAfterSeconds('192.0.2.1'), 0);
    for (let i = 0; i < 2; i++) t.recordFailure('10.1.134.159');
    assert.ok(t.retryAfterSeconds('10.1.134.159') > 0, 'the 99 999th address is still counted');
    // 10 000 short entries, not 100 000: far below what the 100 000 would hold.
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 2 ** 20);
  });
});
