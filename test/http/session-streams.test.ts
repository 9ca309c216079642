// An event stream opened with a web console session lives no longer than the session: logout
// and a token reload end it at once, expiry at the next heartbeat; while open it keeps the
// session in use. Over real HTTP in token mode, and the session table on its own clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SessionStore } from '../../src/auth/sessions.js';
import { startTestService, type TestService } from '../helpers/service.js';

const READER = 'viewer-token-0123456789abcdef';
const FORM = 'application/x-www-form-urlencoded';

describe('event streams opened with a console session', () => {
  let service: TestService;

  before(async () => {
    service = await startTestService({ ALGO_API_TOKENS: `viewer:read=${READER}`, ALGO_EVENTS_HEARTBEAT_MS: '200' });
  });
  after(async () => service?.stop('test'));

  async function login(): Promise<string> {
    const response = await fetch(`${service.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM, origin: service.url },
      body: `token=${READER}`,
    });
    assert.equal(response.status, 303);
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  /** `ended` resolves when the server ends the stream (its body completes). */
  async function openStream(cookie: string): Promise<{ ended: Promise<'ended'> }> {
    const response = await fetch(`${service.url}/api/v1/events/stream`, { headers: { cookie } });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const ended = (async () => {
      while (!(await reader.read()).done);
      return 'ended' as const;
    })();
    return { ended };
  }

  test('logout ends the streams opened with the session at once', async () => {
    const cookie = await login();
    const { ended } = await openStream(cookie);
    const logout = await fetch(`${service.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM, origin: service.url, cookie },
      body: '',
    });
    assert.equal(logout.status, 303);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still open'), 5000).unref());
    assert.equal(await Promise.race([ended, timeout]), 'ended');
    assert.equal((await fetch(`${service.url}/api/v1/events/stream`, { headers: { cookie } })).status, 401);
  });
});

test('the session table: touch keeps a session in use and is false once it ended; every ending is told', () => {
  let now = 0;
  const store = new SessionStore({ idleSeconds: 10, maxAgeSeconds: 100, maxSessions: 2 }, () => now);
  const ended: string[] = [];
  store.onEnded((id) => ended.push(id));
  const a = store.open('viewer', new Set(['read']));
  now = 9_000;
  assert.equal(store.touch(a), true, 'in use within the idle time');
  now = 18_000;
  assert.equal(store.touch(a), true, 'the touch restarted the idle time');
  now = 28_001;
  assert.equal(store.touch(a), false, 'idle too long');
  assert.deepEqual(ended, [a]);
  const b = store.open('viewer', new Set(['read']));
  const c = store.open('other', new Set(['read']));
  store.open('third', new Set(['read'])); // over maxSessions: the oldest (b) goes
  assert.deepEqual(ended, [a, b]);
  store.revoke(new Set(['other']));
  assert.deepEqual(ended, [a, b, c]);
  assert.equal(store.touch('no-such-session'), false);
});
