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
  test('absent or unreadable: undefined (the router backs off instead)', () => {
    assert.equal(retryAfterMs(new Headers(), now), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '-3' }), now), undefined);
  });
});
