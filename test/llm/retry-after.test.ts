import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryAfterMs } from '../../src/llm/retry-after.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('delta-seconds, an HTTP date, and retry-after-ms first', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '12' }), now), 12_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '0.5' }), now), 500);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now), 30_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now), 0, 'a past date means now');
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '20', 'retry-after-ms': '1500' }), now), 1500);
  });
  test('an HTTP-date in each of the three forms RFC 9110 requires (IMF-fixdate, RFC 850, asctime) is read as UTC', () => {
    const at = Date.parse('2026-12-04T00:58:18Z');
    const before = at - 90_000;
    for (const form of ['Fri, 04 Dec 2026 00:58:18 GMT', 'Friday, 04-Dec-26 00:58:18 GMT', 'Fri Dec  4 00:58:18 2026']) {
      assert.equal(retryAfterMs(new Headers({ 'retry-after': form }), before), 90_000, form);
    }
    // A two-digit year more than 50 years ahead is the past one with those digits: 1999, so now.
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Friday, 31-Dec-99 23:59:59 GMT' }), now), 0);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thursday, 01-Jan-26 00:01:00 GMT' }), now), 60_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu Jan 1 00:00:05 2026' }), now), 5_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 30 Feb 2026 00:00:05 GMT' }), now), undefined, 'no such day');
  });
  test('absent or unreadable: undefined (the router backs off instead)', () => {
    assert.equal(retryAfterMs(new Headers(), now), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '-3' }), now), undefined);
  });
});
