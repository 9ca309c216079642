import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SESSION_COOKIE, SessionStore, sessionIdOf } from '../../src/auth/sessions.js';
import type { Scope } from '../../src/auth/scopes.js';

const READ: ReadonlySet<Scope> = new Set<Scope>(['read']);

function store(settings: Partial<ConstructorParameters<typeof SessionStore>[0]> = {}) {
  let now = 1_000_000;
  const sessions = new SessionStore({ idleSeconds: 60, maxAgeSeconds: 600, maxSessions: 3, ...settings }, () => now);
  return { sessions, advance: (seconds: number) => (now += seconds * 1000), cookie: (id: string) => `${SESSION_COOKIE}=${id}` };
}

describe('console sessions', () => {
  test('a session is found by its cookie and keeps only the token name and scopes', () => {
    const { sessions, cookie } = store();
    const id = sessions.open('viewer', READ);
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    const session = sessions.find(`other=1; ${cookie(id)}; x=y`);
    assert.equal(session?.tokenName, 'viewer');
    assert.deepEqual([...session!.scopes], ['read']);
    assert.notEqual(sessions.open('viewer', READ), id, 'every login gets its own random id');
  });

  test('a session unused for the idle time ends; use restarts the idle time', () => {
    const { sessions, advance, cookie } = store();
    const id = sessions.open('viewer', READ);
    advance(59);
    assert.ok(sessions.find(cookie(id)));
    advance(59);
    assert.ok(sessions.find(cookie(id)), 'the last use restarted the idle time');
    advance(60);
    assert.equal(sessions.find(cookie(id)), undefined);
    assert.equal(sessions.size, 0);
  });

  test('a session ends at its absolute age however much it is used', () => {
    const { sessions, advance, cookie } = store({ idleSeconds: 600, maxAgeSeconds: 120 });
    const id = sessions.open('viewer', READ);
    advance(100);
    assert.ok(sessions.find(cookie(id)));
    advance(20);
    assert.equal(sessions.find(cookie(id)), undefined);
  });

  test('the table is bounded: a login past the bound ends the oldest session', () => {
    const { sessions, cookie } = store();
    const ids = [0, 1, 2, 3].map(() => sessions.open('viewer', READ));
    assert.equal(sessions.size, 3);
    assert.equal(sessions.find(cookie(ids[0]!)), undefined);
    assert.ok(sessions.find(cookie(ids[3]!)));
  });

  test('logout and token revocation end sessions', () => {
    const { sessions, cookie } = store();
    const a = sessions.open('viewer', READ);
    const b = sessions.open('ops', READ);
    sessions.close(cookie(a));
    assert.equal(sessions.find(cookie(a)), undefined);
    sessions.revoke(new Set(['ops']));
    assert.equal(sessions.find(cookie(b)), undefined);
  });

  test('garbage cookies name no session', () => {
    for (const header of [
      undefined,
      '',
      '=',
      ';;;',
      `${SESSION_COOKIE}`,
      `${SESSION_COOKIE}=`,
      `${SESSION_COOKIE}=abc`,
      `${SESSION_COOKIE}=${'a'.repeat(44)}`,
      `${SESSION_COOKIE}=${'<'.repeat(43)}`,
      `x${SESSION_COOKIE}=${'a'.repeat(43)}`,
      'a'.repeat(10_000),
    ]) {
      assert.equal(sessionIdOf(header), undefined, String(header).slice(0, 40));
    }
    assert.equal(sessionIdOf(` ${SESSION_COOKIE}=${'a'.repeat(43)} `), 'a'.repeat(43));
  });
});
