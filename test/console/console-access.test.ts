// The console over plain HTTP in token mode: what is refused without a session, login and
// logout, the session cookie, CSRF and bad input on every new entry point, the security
// headers, cached assets, and the scopes a session carries. Browser-driven tests are in
// console-browser.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestService, type TestService } from '../helpers/service.js';
import { writeCamerasFile } from '../helpers/cameras.js';
import { buildConsoleUi } from './console-fixtures.js';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { makeTestCa } from '../helpers/certificates.js';

const READER = 'viewer-token-0123456789abcdef';
const DETECTOR = 'detect-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const FORM = 'application/x-www-form-urlencoded';

describe('console access in token mode', () => {
  let service: TestService;
  let origin: string;

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': FORM, origin, ...headers }, body });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { redirect: 'manual', headers });
  async function login(token = READER): Promise<string> {
    const response = await post('/login', `token=${encodeURIComponent(token)}`);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/');
    const cookie = response.headers.get('set-cookie') ?? '';
    return cookie.split(';')[0]!;
  }

  before(async () => {
    await buildConsoleUi();
    service = await startTestService({
      ALGO_API_TOKENS: `viewer:read=${READER},frontdoor:detect=${DETECTOR},ops:read+admin=${ADMIN}`,
      ALGO_CAMERAS_FILE: await writeCamerasFile([
        { id: 'lobby', track: { labels: ['person'] } },
        { id: 'gate', url: 'rtsp://bob:s3cret-pass@camera.invalid/stream?token=q5ecret', enabled: false },
      ]),
      ALGO_AUTH_MAX_FAILURES: '50',
      ALGO_LOG_LEVEL: 'warn',
    });
    origin = service.url;
  });
  after(async () => {
    await service?.stop('test');
  });

  test('without a session every page and asset is refused (pages redirect to the login form); the form and its stylesheet are not', async () => {
    for (const path of ['/', '/cameras/lobby', '/events', '/system']) {
      const response = await get(path);
      assert.equal(response.status, 303, path);
      assert.equal(response.headers.get('location'), '/login', path);
    }
    for (const path of [
      '/console/grid.js',
      '/console/camera.js',
      '/console/common.js',
      '/api/v1/scenes',
      '/api/v1/cameras/lobby/history',
    ]) {
      assert.equal((await get(path)).status, 401, path);
    }
    assert.equal((await get('/login')).status, 200);
    const css = await get('/console/console.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });

  test("the zone helper on a camera's page offers only the labels that camera tracks", async () => {
    const cookie = await login();
    const page = await (await get('/cameras/lobby', { cookie })).text();
    const options = [...page.matchAll(/<option value="([^"]+)">/g)].map((match) => match[1]);
    assert.deepEqual(options, ['person']);
  });

  test('a login with a read token sets an HttpOnly, SameSite=Strict session cookie that opens pages and the read API; logout ends it', async () => {
    const response = await post('/login', `token=${READER}`);
    assert.equal(response.status, 303);
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^algo_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    assert.ok(!setCookie.includes(READER));
    const cookie = setCookie.split(';')[0]!;
    for (const path of ['/', '/cameras/lobby', '/events', '/system', '/console/grid.js', '/api/v1/scenes', '/api/v1/events']) {
      assert.equal((await get(path, { cookie })).status, 200, path);
    }
    const controller = new AbortController();
    const stream = await fetch(`${service.url}/api/v1/events/stream`, { headers: { cookie }, signal: controller.signal });
    assert.equal(stream.status, 200, 'the event stream takes the session too');
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    controller.abort();
    const page = await (await get('/', { cookie })).text();
    assert.ok(!page.includes(READER), 'the token is never on a page');
    assert.ok(page.includes('action="/logout"'));
    const logout = await post('/logout', '', { cookie });
    assert.equal(logout.status, 303);
    assert.equal(logout.headers.get('location'), '/login');
    assert.match(logout.headers.get('set-cookie') ?? '', /^algo_session=; .*Max-Age=0/);
    assert.equal((await get('/', { cookie })).status, 303, 'the session is gone on the server');
  });

  test('a wrong token is refused with the form again (401) and no cookie; a token without read scope gets no session', async () => {
    const wrong = await post('/login', 'token=not-a-token');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    assert.match(await wrong.text(), /That token is not valid/);
    const detectOnly = await post('/login', `token=${DETECTOR}`);
    assert.equal(detectOnly.status, 403);
    assert.equal(detectOnly.headers.get('set-cookie'), null);
  });

  test('a session carries only read: no admin POST, no scrape, even with an admin token behind it', async () => {
    const cookie = await login(ADMIN);
    const reconnect = await fetch(`${service.url}/api/v1/cameras/lobby/reconnect`, { method: 'POST', headers: { cookie, origin } });
    assert.equal(reconnect.status, 401);
    assert.equal((await get('/metrics', { cookie })).status, 401);
  });

  test('a form from the console itself, as Chromium sends it under no-referrer (Origin null, Sec-Fetch-Site same-origin), logs in and out', async () => {
    const browser = { origin: 'null', 'sec-fetch-site': 'same-origin' };
    const response = await post('/login', `token=${READER}`, browser);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await get('/', { cookie })).status, 200);
    const out = await post('/logout', '', { ...browser, cookie });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login');
    assert.equal((await get('/', { cookie })).status, 303, 'the session is over');
    // A client that is no browser sends neither header.
    const plain = await fetch(`${service.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': FORM },
      body: `token=${READER}`,
    });
    assert.equal(plain.status, 303);
  });

  test('bad input: cross-site posts, other content types, oversized and repeated fields, garbage cookies', async () => {
    assert.equal((await post('/login', `token=${READER}`, { origin: 'http://evil.example' })).status, 403);
    const crossSite = await post('/login', `token=${READER}`, { 'sec-fetch-site': 'cross-site', origin: 'null' });
    assert.equal(crossSite.status, 403);
    assert.match(crossSite.headers.get('content-type') ?? '', /^text\/html/, 'a refused form gets the form again, not JSON');
    const refusedPage = await crossSite.text();
    assert.match(refusedPage, /<form method="post" action="\/login"/);
    assert.match(refusedPage, /role="alert"/);
    assert.equal(crossSite.headers.get('set-cookie'), null);
    assert.equal((await post('/logout', '', { origin: 'null', 'sec-fetch-site': 'same-site' })).status, 403);
    const json = await fetch(`${service.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: '{"token":"x"}',
    });
    assert.equal(json.status, 400);
    const bigJson = await fetch(`${service.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ token: 'x'.repeat(100_000) }),
    });
    assert.equal(bigJson.status, 413, 'no large body of any type is read on a public route');
    assert.equal((await post('/login', `token=${'a'.repeat(20_000)}`)).status, 413);
    assert.equal((await post('/login', `token=a&token=b`)).status, 400);
    assert.equal((await post('/login', '%%%garbage&&==')).status, 400);
    assert.equal((await post('/login', 'token=')).status, 400);
    for (const cookie of [
      'algo_session=',
      'algo_session=../../etc',
      `algo_session=${'x'.repeat(43)}`,
      'a=b; algo_session',
      '=;=;;',
      'x'.repeat(9000),
    ]) {
      const response = await get('/', { cookie });
      assert.equal(response.status, 303, cookie.slice(0, 40));
    }
  });

  test('every console answer carries a strict CSP, nosniff and no-referrer; assets are cached by ETag', async () => {
    const cookie = await login();
    for (const path of ['/', '/login', '/console/console.css', '/console/grid.js', '/cameras/nope', '/events']) {
      const response = await get(path, { cookie });
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
    }
    const first = await get('/console/grid.js', { cookie });
    const etag = first.headers.get('etag');
    assert.ok(etag !== null);
    assert.equal((await get('/console/grid.js', { cookie, 'if-none-match': etag })).status, 304);
  });

  test('an unknown camera is a 404 page; a hostile id in the URL comes back escaped', async () => {
    const cookie = await login();
    const response = await get(`/cameras/${encodeURIComponent('<img src=x onerror=alert(1)>')}`, { cookie });
    assert.equal(response.status, 404);
    const text = await response.text();
    assert.ok(!text.includes('<img src=x'), text);
    assert.ok(text.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal((await get('/console/nothing.js', { cookie })).status, 404);
  });

  test('camera URLs are shown masked: no password or URL token on any page', async () => {
    const cookie = await login();
    for (const path of ['/', '/cameras/gate', '/events', '/system']) {
      const text = await (await get(path, { cookie })).text();
      assert.ok(!text.includes('s3cret') && !text.includes('q5ecret'), path);
    }
    assert.match(await (await get('/cameras/gate', { cookie })).text(), /rtsp:\/\/[^<]*camera\.invalid/);
  });

  test('the failure throttle applies to the login form', async () => {
    const throttled = await startTestService({
      ALGO_API_TOKENS: `viewer:read=${READER}`,
      ALGO_AUTH_MAX_FAILURES: '2',
      ALGO_LOG_LEVEL: 'silent',
    });
    try {
      const attempt = () =>
        fetch(`${throttled.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': FORM }, body: 'token=wrong' });
      assert.equal((await attempt()).status, 401);
      assert.equal((await attempt()).status, 401);
      const refused = await attempt();
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      const right = await fetch(`${throttled.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': FORM },
        body: `token=${READER}`,
      });
      assert.equal(right.status, 429, 'even a right token waits while the address is throttled');
    } finally {
      await throttled.stop('test');
    }
  });

  test('under TLS the session cookie is Secure', async () => {
    const ca = await makeTestCa();
    const pair = await ca.issue('server');
    const tls = await startTestService({
      ALGO_API_TOKENS: `viewer:read=${READER}`,
      ALGO_TLS_CERT_FILE: pair.certFile,
      ALGO_TLS_KEY_FILE: pair.keyFile,
      ALGO_LOG_LEVEL: 'silent',
    });
    try {
      const base = tls.url.replace('http:', 'https:');
      const caPem = await readFile(ca.caFile);
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = httpsRequest(
          `${base}/login`,
          { method: 'POST', ca: caPem, headers: { 'content-type': FORM, origin: base } },
          (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, cookie: String(response.headers['set-cookie'] ?? '') });
          },
        );
        req.on('error', reject);
        req.end(`token=${READER}`);
      });
      assert.equal(answer.status, 303);
      assert.match(answer.cookie, /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    } finally {
      await tls.stop('test');
    }
  });
});
