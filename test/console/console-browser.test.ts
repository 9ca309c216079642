// The console in a real browser (Debian's chromium, headless, through puppeteer-core) against
// a real algo with two real cameras — the moving-person video of the scene tests (a zone and a
// counting line across the walk, read as a looping file) and the MJPEG test camera — plus a push
// camera. Checks the grid (states, frames, live counts), a killed camera going down and coming
// back, the live event feed, the zone helper's YAML accepted by a new algo, axe-core on every
// page, the layout at 375 and 1920 px, keyboard reach, and the served weight of each page.
// Screenshots of every page at 375 and 1440 px go to .bench/console/ (docs/console/ with
// ALGO_DOC_SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { parse } from 'yaml';
import { launchBrowser, newPage, screenshot, seriousViolations } from '../helpers/browser.js';
import { writeCamerasFile } from '../helpers/cameras.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { makeWalk, SCENE } from '../helpers/walk.js';
import { buildConsoleUi } from './console-fixtures.js';

const WAIT = { timeout: 90_000, polling: 250 } as const;
const PAGES = ['/', '/cameras/walk', '/events', '/system', '/login'];

/** Text of a card's field on the grid. */
const cardText = (page: Page, camera: string, field: string): Promise<string> =>
  page.$eval(`li.card[data-camera="${camera}"] [data-field="${field}"]`, (node) => node.textContent ?? '');

/** The page and everything it loads (stylesheet, module and its imports), as served. */
async function servedBytes(base: string, path: string): Promise<number> {
  const html = await (await fetch(`${base}${path}`)).text();
  let total = Buffer.byteLength(html);
  const queue = [...html.matchAll(/(?:href|src)="(\/console\/[^"]+)"/g)].map((match) => match[1]!);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const body = await (await fetch(`${base}${url}`)).text();
    total += Buffer.byteLength(body);
    for (const match of body.matchAll(/from '\.\/([^']+)'/g)) queue.push(`/console/${match[1]}`);
  }
  return total;
}

/** A TCP proxy to algo whose connections can be cut (and new ones refused) to drop the browser's event stream. */
async function cuttableProxy(target: number): Promise<{ port: number; cut(on: boolean): void; close(): void }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    cut(on) {
      refusing = on;
      if (on) for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('the web console in chromium', () => {
  let service: TestService;
  let door: MjpegCameraProcess;
  let browser: Browser;
  let page: Page;
  let walk: { video: string; frames: string[] };

  before(async () => {
    await buildConsoleUi();
    walk = await makeWalk();
    door = await spawnMjpegCamera({ fps: 5, width: 320, height: 240 });
    service = await startTestService({
      ALGO_CAMERAS_FILE: await writeCamerasFile([
        { id: 'walk', url: walk.video, detect_fps: 2, ...SCENE },
        { id: 'door', url: `http://127.0.0.1:${door.port}/video`, detect_fps: 2, stall_timeout_s: 3 },
        { id: 'lobby', ...SCENE },
      ]),
      ALGO_GRAFANA_URL: 'http://grafana.example:3000/d/algo',
      ALGO_LOG_LEVEL: 'warn',
    });
    browser = await launchBrowser();
    page = await newPage(browser);
  });
  after(async () => {
    await browser?.close();
    await door?.kill();
    await service?.stop('test');
  });

  test('the grid shows every camera, read and push, with its state and its latest annotated frame', async () => {
    await page.goto(`${service.url}/`);
    await page.waitForFunction(
      () =>
        ['walk', 'door'].every((id) => {
          const card = document.querySelector(`li.card[data-camera="${id}"]`);
          return card?.querySelector('[data-field="state"]')?.textContent === 'up' && card.querySelector('img')?.dataset.loaded === 'true';
        }),
      WAIT,
    );
    assert.equal(await cardText(page, 'lobby', 'state'), 'push camera');
    // A push camera's frame is the last one it sent.
    const posted = await fetch(`${service.url}/api/v1/detect?camera_id=lobby`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: await readFile(walk.frames[6]!),
    });
    assert.equal(posted.status, 200);
    await page.waitForFunction(
      () => document.querySelector<HTMLImageElement>('li.card[data-camera="lobby"] img')?.dataset.loaded === 'true',
      WAIT,
    );
    const alts = await page.$$eval('li.card img', (images) => images.map((image) => image.alt));
    assert.ok(alts.every((alt) => alt.startsWith('Latest frame of camera')));
    assert.match(await cardText(page, 'walk', 'counts'), /zone middle: .*line door: \d+ in, \d+ out/);
  });

  test('the counts go up live when the person crosses the line', async () => {
    const crossings = async (): Promise<number> => Number(/line door: (\d+) in/.exec(await cardText(page, 'walk', 'counts'))?.[1] ?? -1);
    const before = await crossings();
    assert.ok(before >= 0);
    await page.waitForFunction(
      (seen: number) => {
        const text = document.querySelector('li.card[data-camera="walk"] [data-field="counts"]')?.textContent ?? '';
        return Number(/line door: (\d+) in/.exec(text)?.[1] ?? -1) > seen;
      },
      WAIT,
      before,
    );
  });

  test('the grid stops refreshing while the tab is hidden and starts again when it is shown', async () => {
    const refreshed = (): Promise<number> => page.evaluate(() => Number(document.body.dataset.refreshed ?? '0'));
    const detected = async (): Promise<number> =>
      ((await (await fetch(`${service.url}/api/v1/cameras/walk`)).json()) as { detected: number }).detected;
    // A string: tsx would wrap a function's inner functions in a helper the page does not have.
    const setHidden = (hidden: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'hidden', { configurable: true, get() { return ${hidden}; } }); document.dispatchEvent(new Event('visibilitychange'));`,
      );
    await setHidden(true);
    const before = await refreshed();
    // While several new frames are detected (the grid would refresh once a second), none is fetched.
    const start = await detected();
    while ((await detected()) < start + 6) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok((await refreshed()) <= before + 1, 'at most the refresh under way when the tab was hidden');
    const hidden = await refreshed();
    await setHidden(false);
    await page.waitForFunction((seen: number) => Number(document.body.dataset.refreshed ?? '0') > seen, WAIT, hidden);
  });

  test('a killed camera turns down with its reason and its fps to 0, then up again when it returns', async () => {
    // Received at detect_fps 2: what algo measured over its last seconds, not the browser.
    await page.waitForFunction(
      () => Number(document.querySelector('li.card[data-camera="door"] [data-field="fps"]')?.textContent ?? 'NaN') > 0,
      WAIT,
    );
    const port = door.port;
    await door.kill();
    await page.waitForFunction(
      () => /^down: \S+/.test(document.querySelector('li.card[data-camera="door"] [data-field="state"]')?.textContent ?? ''),
      WAIT,
    );
    await page.waitForFunction(() => document.querySelector('li.card[data-camera="door"] [data-field="fps"]')?.textContent === '0.0', WAIT);
    const down = await cardText(page, 'door', 'state');
    assert.match(down, /^down: (ended|unreachable|stalled)$/);
    door = await spawnMjpegCamera({ port, fps: 5, width: 320, height: 240 });
    await page.waitForFunction(
      () => document.querySelector('li.card[data-camera="door"] [data-field="state"]')?.textContent === 'up',
      WAIT,
    );
  });

  test('the event feed shows a crossing live, once', async () => {
    const events = await newPage(browser);
    try {
      await events.goto(`${service.url}/events`);
      await events.waitForFunction(() => document.body.dataset.live === 'true', WAIT);
      const initial = await events.$$eval('#feed li', (items) => items.map((item) => item.dataset.id));
      await events.waitForFunction(
        (known: string[]) =>
          [...document.querySelectorAll<HTMLElement>('#feed li[data-type="crossed"]')].some((item) => !known.includes(item.dataset.id!)),
        WAIT,
        initial as string[],
      );
      const ids = await events.$$eval('#feed li', (items) => items.map((item) => item.dataset.id));
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      // The type filter goes to the server: only crossings are listed.
      await events.select('#f-type', 'crossed');
      await events.waitForFunction(() => document.querySelectorAll('#feed li').length > 0, WAIT);
      const types = await events.$$eval('#feed li', (items) => items.map((item) => item.dataset.type));
      assert.ok(
        types.every((type) => type === 'crossed'),
        types.join(),
      );
    } finally {
      await events.close();
    }
  });

  test('the event feed resumes after a lost connection with the events it missed, none twice', async () => {
    const events = await newPage(browser);
    const proxy = await cuttableProxy(Number(new URL(service.url).port));
    try {
      await events.goto(`http://127.0.0.1:${proxy.port}/events`);
      await events.waitForFunction(() => document.body.dataset.live === 'true', WAIT);
      proxy.cut(true);
      await events.waitForFunction(() => document.body.dataset.live === 'false', WAIT);
      // Events happen while the page is cut off.
      const since = async (id: string): Promise<string[]> =>
        (
          (await (await fetch(`${service.url}/api/v1/events?since_id=${id}&limit=1000`)).json()) as { events: Array<{ id: string }> }
        ).events.map((event) => event.id);
      const cutAt = ((await (await fetch(`${service.url}/api/v1/events?limit=1000`)).json()) as { last_id: string }).last_id;
      let missed: string[] = [];
      while ((missed = await since(cutAt)).length < 2) await new Promise((resolve) => setTimeout(resolve, 250));
      proxy.cut(false);
      await events
        .waitForFunction(
          (wanted: string[]) => {
            const shown = new Set([...document.querySelectorAll<HTMLElement>('#feed li')].map((item) => item.dataset.id));
            return wanted.every((id) => shown.has(id));
          },
          WAIT,
          missed,
        )
        .catch(async (error: unknown) => {
          const state = await events.evaluate(() => ({
            live: document.body.dataset.live,
            ids: [...document.querySelectorAll<HTMLElement>('#feed li')].map((item) => item.dataset.id),
            status: document.getElementById('status')?.textContent,
          }));
          throw new Error(`${String(error)}: missed ${JSON.stringify(missed)}, page ${JSON.stringify(state)}`);
        });
      const ids = await events.$$eval('#feed li', (items) => items.map((item) => item.dataset.id));
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
    } finally {
      await events.close();
      proxy.close();
    }
  });

  test('the zone helper gives YAML that a new algo accepts', async () => {
    await page.setViewport({ width: 1440, height: 1400 });
    await page.goto(`${service.url}/cameras/walk`);
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#frame')?.dataset.loaded === 'true', WAIT);
    const click = async (fx: number, fy: number) => {
      // Typing in the form scrolls the page: the frame's box is taken where it is now.
      await page.$eval('#frame', (node) => node.scrollIntoView({ block: 'start' }));
      const box = (await (await page.$('#frame'))!.boundingBox())!;
      await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
    };
    const rename = async (name: string) => {
      await page.click('#shape-name', { clickCount: 3 });
      await page.keyboard.press('Backspace');
      await page.type('#shape-name', name);
    };
    await rename('queue_1');
    await page.select('#shape-labels', 'person');
    await click(0.1, 0.5);
    await click(0.4, 0.5);
    await click(0.4, 0.95);
    const zoneYaml = await page.$eval('#yaml', (node) => node.textContent ?? '');
    const problem = await page.$eval('#helper-problem', (node) => node.textContent ?? '');
    assert.match(
      zoneYaml,
      /^# Paste under camera "walk" in the cameras file: below its "- id: walk" line, indented as it is\.\n# If that camera has zones: already, paste only the "- name" item under it\.\n {4}zones:\n {6}- name: "queue_1"\n {8}points: \[(\[[\d.]+, [\d.]+\](, )?){3}\]\n {8}labels: \["person"\]\n$/,
      problem,
    );
    const near = (actual: number[][], expected: number[][]) =>
      assert.ok(
        actual.every((p, i) => Math.abs(p[0]! - expected[i]![0]!) < 0.01 && Math.abs(p[1]! - expected[i]![1]!) < 0.01),
        JSON.stringify(actual),
      );
    near((parse(zoneYaml) as { zones: Array<{ points: number[][] }> }).zones[0]!.points, [
      [0.1, 0.5],
      [0.4, 0.5],
      [0.4, 0.95],
    ]);
    await page.click('input[name="kind"][value="line"]');
    await rename('door_2');
    await click(0.6, 0.2);
    await click(0.6, 0.9);
    const lineYaml = await page.$eval('#yaml', (node) => node.textContent ?? '');
    assert.match(
      lineYaml,
      /^# Paste under camera "walk" .*\n# .*\n {4}lines:\n {6}- name: "door_2"\n {8}from: \[[\d.]+, [\d.]+\]\n {8}to: \[[\d.]+, [\d.]+\]\n {8}in: left_to_right\n {8}labels: \["person"\]\n$/,
    );
    const line = (parse(lineYaml) as { lines: Array<{ from: number[]; to: number[] }> }).lines[0]!;
    near(
      [line.from, line.to],
      [
        [0.6, 0.2],
        [0.6, 0.9],
      ],
    );

    // Both snippets pasted as they are below the camera's `- id:` line.
    const file = join(await mkdtemp(join(tmpdir(), 'algo-cameras-')), 'cameras.yml');
    await writeFile(file, `cameras:\n  - id: drawn\n    track:\n      labels: [person]\n${zoneYaml}${lineYaml}`);
    const drawn = await startTestService({ ALGO_CAMERAS_FILE: file, ALGO_LOG_LEVEL: 'silent' });
    try {
      const scenes = (await (await fetch(`${drawn.url}/api/v1/scenes`)).json()) as {
        scenes: Array<{ camera_id: string; zones: Array<{ name: string; points: number[][] }>; lines: Array<{ name: string }> }>;
      };
      const scene = scenes.scenes.find((candidate) => candidate.camera_id === 'drawn')!;
      assert.deepEqual(
        scene.zones.map((zone) => zone.name),
        ['queue_1'],
      );
      assert.equal(scene.zones[0]!.points.length, 3);
      assert.deepEqual(
        scene.lines.map((line) => line.name),
        ['door_2'],
      );
    } finally {
      await drawn.stop('test');
      await page.setViewport({ width: 1440, height: 900 });
    }
  });

  test('the camera page shows the zone and line counts, recent events with crops (those held when it opens too), and its health history', async () => {
    const held = await waitFor(
      'an event of the walk camera',
      async () => {
        const { events } = (await (await fetch(`${service.url}/api/v1/events?camera_id=walk`)).json()) as { events: Array<{ id: string }> };
        return events.length > 0 ? events.slice(-3).map((event) => event.id) : undefined;
      },
      90_000,
      250,
    );
    await page.goto(`${service.url}/cameras/walk`);
    await page.waitForFunction(() => /line door: \d+ in/.test(document.querySelector('[data-field="counts"]')?.textContent ?? ''), WAIT);
    await page.waitForFunction(() => document.querySelector('#health table') !== null, WAIT);
    // Every event held before the page opened is listed with the crop algo cut for it, loaded.
    await page.waitForFunction(
      (ids: string[]) =>
        ids.every((id) => {
          const crop = document.querySelector<HTMLImageElement>(`#events li[data-id="${id}"] img.crop`);
          return crop !== null && crop.complete && crop.naturalWidth > 0 && crop.alt.startsWith('person #');
        }),
      WAIT,
      held,
    );
  });

  test('keyboard: the helper and navigation are reachable with Tab', async () => {
    await page.goto(`${service.url}/cameras/walk`);
    const reached = new Set<string>();
    for (let k = 0; k < 40; k++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || ''));
    }
    for (const expected of ['Cameras', 'Events', 'System', 'shape-name', 'shape-points', 'shape-labels', 'undo', 'copy']) {
      assert.ok(reached.has(expected), `${expected} not reached: ${[...reached].join(', ')}`);
    }
  });

  test('one column at 375 px, several side by side at 1920 px', async () => {
    await page.goto(`${service.url}/`);
    const lefts = () => page.$$eval('li.card', (cards) => cards.map((card) => Math.round(card.getBoundingClientRect().left)));
    await page.setViewport({ width: 375, height: 800 });
    assert.equal(new Set(await lefts()).size, 1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 375 px (${overflow} px)`);
    await page.setViewport({ width: 1920, height: 1080 });
    assert.ok(new Set(await lefts()).size >= 3);
    await page.setViewport({ width: 1440, height: 900 });
  });

  test('axe-core finds no serious or critical violation on any page, the CSP blocks nothing; screenshots at 375 and 1440 px', async () => {
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    for (const path of PAGES) {
      await page.goto(`${service.url}${path}`);
      if (path === '/' || path.startsWith('/cameras/'))
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('img[data-field="frame"]')].some((img) => (img as HTMLImageElement).dataset.loaded === 'true'),
          WAIT,
        );
      if (path === '/cameras/walk') await page.waitForFunction(() => document.querySelector('#health table') !== null, WAIT);
      if (path === '/events') await page.waitForFunction(() => document.querySelectorAll('#feed li').length > 0, WAIT);
      if (path === '/system') {
        const links = await page.$$eval('main a', (anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
        assert.deepEqual(links, ['/metrics', 'http://grafana.example:3000/d/algo']);
        const text = await page.$eval('main', (node) => node.textContent ?? '');
        assert.match(text, /inference p50\s*\d/);
        assert.match(text, /npx algo doctor/);
      }
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `${path}: ${JSON.stringify(violations, null, 1)}`);
      const name = path === '/' ? 'grid' : path.split('/')[1]!;
      for (const width of [375, 1440]) await screenshot(page, name, width);
    }
    assert.deepEqual(blocked, []);
  });

  test('each page with its stylesheet and modules weighs under 100 KB as served', async () => {
    for (const path of PAGES) {
      const bytes = await servedBytes(service.url, path);
      assert.ok(bytes < 100_000, `${path}: ${bytes} bytes`);
    }
  });
});

describe('the web console in chromium, token mode', () => {
  const TOKEN = 'viewer-token-0123456789abcdef';
  let service: TestService;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let base: string;
  let browser: Browser;
  let page: Page;
  const favicons: string[] = [];
  const failed: string[] = [];

  before(async () => {
    await buildConsoleUi();
    service = await startTestService({
      ALGO_API_TOKENS: `viewer:read=${TOKEN}`,
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'lobby', track: { labels: ['person'] } }]),
      ALGO_AUTH_MAX_FAILURES: '50',
      ALGO_LOG_LEVEL: 'warn',
    });
    // Through a proxy whose connections can be cut: the event stream then reconnects.
    proxy = await cuttableProxy(Number(new URL(service.url).port));
    base = `http://127.0.0.1:${proxy.port}`;
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/favicon.ico') favicons.push(request.url());
    });
    page.on('requestfailed', (request) => failed.push(request.url()));
  });
  after(async () => {
    await browser?.close();
    proxy?.close();
    await service?.stop('test');
  });

  const sessionCookie = async (): Promise<string> => {
    const cookies = await page.cookies(base);
    const cookie = cookies.find((candidate) => candidate.name === 'algo_session');
    assert.ok(cookie, 'a session cookie');
    return `${cookie.name}=${cookie.value}`;
  };
  const logIn = async (token: string): Promise<void> => {
    await page.type('#token', token);
    await Promise.all([page.waitForNavigation(), page.click('form.login button[type="submit"]')]);
  };

  test('login: a wrong token is refused by the form, the right one opens the grid; logout ends the session', async () => {
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await logIn('not-the-token-0123456789');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.$eval('[role="alert"]', (node) => node.textContent?.trim()), 'That token is not valid.');
    await logIn(TOKEN);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.waitForSelector('li.card[data-camera="lobby"]');
    const cookie = await sessionCookie();
    assert.equal((await fetch(`${base}/`, { redirect: 'manual', headers: { cookie } })).status, 200);
    await Promise.all([page.waitForNavigation(), page.click('form.logout button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.ok((await page.$('#token')) !== null, 'the login form');
    const old = await fetch(`${base}/`, { redirect: 'manual', headers: { cookie } });
    assert.equal(old.status, 303, 'the old cookie no longer opens a page');
    assert.equal(old.headers.get('location'), '/login');
  });

  test('/events goes to the login form when the session ends under it', async () => {
    await page.goto(`${base}/login`);
    await logIn(TOKEN);
    await page.goto(`${base}/events`);
    await page.waitForFunction(() => document.body.dataset.live === 'true', WAIT);
    // The session ends outside the page (as when algo restarts or it expires), then the stream drops.
    const logout = await fetch(`${base}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: await sessionCookie() } });
    assert.equal(logout.status, 303);
    proxy.cut(true);
    proxy.cut(false);
    await page.waitForFunction(() => location.pathname === '/login', WAIT);
    assert.ok((await page.$('#token')) !== null, 'the login form');
  });

  test('no page asks for a favicon or loads anything that fails', async () => {
    await page.goto(`${base}/login`);
    await logIn(TOKEN);
    for (const path of ['/', '/cameras/lobby', '/events', '/system', '/login']) {
      await page.goto(`${base}${path}`, { waitUntil: 'load' });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.deepEqual(favicons, []);
    assert.deepEqual(
      failed.filter((url) => !url.includes('/api/v1/events/stream')),
      [],
    );
  });

  test('a push camera page says it has no health history', async () => {
    await page.goto(`${base}/cameras/lobby`);
    assert.match(await page.$eval('#health', (node) => node.textContent ?? ''), /Push cameras have no health history/);
  });
});
