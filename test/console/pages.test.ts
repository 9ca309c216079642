// The console's pages as pure renderers fed hostile names (a custom model's labels, ids from a
// URL, zone names as a parser might one day allow them): everything arrives escaped, and no
// page carries an inline script. And the zone helper's YAML, read back by algo's own parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { CameraView } from '../../src/cameras/camera-view.js';
import { cameraPage, eventsPage, gridPage, helperLabels, loginPage, notFoundPage, systemPage } from '../../src/console/pages.js';
import { escapeHtml } from '../../src/console/html.js';
import { histogramQuantile } from '../../src/console/system-info.js';
import { shapeYaml, parsePoints } from '../../src/console/ui/shape-yaml.js';
import { labelMatches } from '../../src/console/ui/common.js';
import { parseCamerasFile } from '../../src/cameras/camera-config.js';
import { parseSceneConfig } from '../../src/scene/scene-config.js';
import type { SceneView } from '../../src/scene/scenes.js';

const EVIL = '<img src=x onerror=alert(1)>';
const QUOTE = '" onmouseover="alert(2)';

const view = (id: string): CameraView => ({
  id,
  state: 'down',
  url: `rtsp://cam/${EVIL}`,
  enabled: true,
  detect_fps: 2,
  fps: 2,
  stall_timeout_s: 10,
  frames: 10,
  detected: 5,
  dropped: 1,
  failed: 0,
  reconnects: 3,
  stalls: 0,
  since: new Date(0).toISOString(),
  down_reason: EVIL,
  error: null,
  next_retry_at: null,
  source_size: { width: 640, height: 360 },
  last_frame_at: null,
  last_result: null,
});

const scene = (id: string): SceneView => ({
  camera_id: id,
  active_tracks: 1,
  zones: [
    {
      name: EVIL,
      points: [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
      labels: [QUOTE],
      objects: { [EVIL]: 1 },
    },
  ],
  lines: [{ name: QUOTE, from: [0.5, 0], to: [0.5, 1], in: 'left_to_right', labels: null, crossings: { in: 1, out: 2 } }],
  frame: { [EVIL]: 1 },
});

function assertSafe(html: string): void {
  assert.ok(!html.includes('<img src=x'), 'raw markup from a name');
  assert.ok(!html.includes('" onmouseover'), 'an attribute broken out of');
  assert.ok(!/<script(?![^>]*\bsrc="\/console\/[a-z-]+\.js")/.test(html), 'only module scripts from /console/');
  const handlers = [...html.matchAll(/<[a-z][^>]*>/gi)].filter((tag) => /\son[a-z]+\s*=/i.test(tag[0].replace(/"[^"]*"/g, '""')));
  assert.deepEqual(handlers, [], 'no inline event handler attribute');
}

describe('console pages', () => {
  test('hostile camera ids, labels, zone and line names, reasons and URLs are escaped on every page', () => {
    const id = `${QUOTE}${EVIL}`;
    assertSafe(
      gridPage(
        [
          { kind: 'read', view: view(id), scene: scene(id) },
          { kind: 'push', scene: scene(EVIL) },
        ],
        true,
      ),
    );
    assertSafe(cameraPage({ id, view: view(id), scene: scene(id), labels: [EVIL, QUOTE] }, true));
    assertSafe(eventsPage([id, EVIL], false));
    assertSafe(notFoundPage(`No camera ${JSON.stringify(id)}`, false));
    assertSafe(loginPage('invalid'));
    assertSafe(
      systemPage(
        {
          detector: undefined,
          kafka: { enabled: true, lag: 3, rebalances: 1 },
          llm_keys: [{ alias: EVIL, state: QUOTE, cooldown_until: null }],
          build: { version: EVIL, node: 'v20' },
          links: { metrics: '/metrics', grafana: `http://grafana/${QUOTE}`, doctor: 'npx algo doctor' },
        },
        true,
      ),
    );
    assert.equal(escapeHtml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
  });

  test('the camera id in links and frame URLs is URL-encoded', () => {
    const page = gridPage([{ kind: 'read', view: view('a:b'), scene: undefined }], false);
    assert.ok(page.includes('href="/cameras/a%3Ab"'));
    assert.ok(page.includes('data-src="/api/v1/cameras/a%3Ab/snapshot.jpg?annotate=true"'));
  });

  test('the zone helper YAML is what the cameras file parser takes', () => {
    const zone = shapeYaml({
      kind: 'zone',
      name: 'queue',
      points: [
        [0.1, 0.5],
        [0.4, 0.5],
        [0.4, 0.95],
      ],
      labels: ['person', 'traffic light'],
      in: 'left_to_right',
      camera: 'shop',
    });
    const line = shapeYaml({
      kind: 'line',
      name: 'door',
      points: [
        [0.5, 0.2],
        [0.5, 0.9],
      ],
      labels: [],
      in: 'right_to_left',
      camera: 'shop',
    });
    assert.ok(zone.ok && line.ok);
    // Pasted as it is under the camera's `- id:` line.
    const file = `cameras:\n  - id: shop\n    track:\n      labels: [person, traffic light]\n${zone.yaml}${line.yaml}  - id: hall\n`;
    const entry = parseCamerasFile(file, 'cameras.yml', 10).scenes.find((scene) => scene.cameraId === 'shop')!;
    assert.match(zone.yaml, /^# Paste under camera "shop" in the cameras file: below its "- id: shop" line/);
    const config = parseSceneConfig('shop', entry.raw, ['person', 'traffic light', 'car'], 'cameras.yml');
    assert.deepEqual(config.zones[0]!.labels, ['person', 'traffic light']);
    assert.deepEqual(config.zones[0]!.points, [
      [0.1, 0.5],
      [0.4, 0.5],
      [0.4, 0.95],
    ]);
    assert.equal(config.lines[0]!.in, 'right_to_left');
    assert.deepEqual(config.lines[0]!.from, [0.5, 0.2]);
  });

  test('the zone helper offers only the labels the camera tracks and warns of a name its zones or lines use already', () => {
    assert.deepEqual(helperLabels(['person', 'car', 'dog'], ['person']), ['person']);
    assert.deepEqual(helperLabels(['person', 'car'], null), ['person', 'car']);
    assert.deepEqual(helperLabels(['person', 'car'], []), ['person', 'car']);
    const withScene = cameraPage(
      { id: 'shop', view: undefined, scene: scene('shop'), labels: helperLabels(['person', 'car'], ['person']) },
      true,
    );
    const picker = withScene.slice(
      withScene.indexOf('id="shape-labels"'),
      withScene.indexOf('</select>', withScene.indexOf('id="shape-labels"')),
    );
    assert.ok(picker.includes('value="person"') && !picker.includes('value="car"'), picker);
    const taken = [...scene('shop').zones, ...scene('shop').lines].map((shape) => shape.name);
    assert.ok(taken.length > 0);
    assert.ok(withScene.includes(`data-taken="${escapeHtml(taken.join(' '))}"`));
    const points: Array<[number, number]> = [
      [0.1, 0.1],
      [0.5, 0.1],
      [0.5, 0.5],
    ];
    const dup = shapeYaml({
      kind: 'zone',
      name: 'queue',
      points,
      labels: [],
      in: 'left_to_right',
      camera: 'shop',
      taken: ['queue', 'door'],
    });
    assert.ok(dup.ok && /already has a zone or line named "queue"/.test(dup.warning ?? ''));
    const fresh = shapeYaml({ kind: 'zone', name: 'queue_2', points, labels: [], in: 'left_to_right', camera: 'shop', taken: ['queue'] });
    assert.ok(fresh.ok && fresh.warning === undefined);
  });

  test('the events label filter is case-insensitive', () => {
    assert.ok(labelMatches('Person', 'person'));
    assert.ok(labelMatches(' PERSON ', 'person'));
    assert.ok(labelMatches('', 'car'));
    assert.ok(!labelMatches('person', 'car'));
  });

  test('the zone helper refuses what the parser would, and says why', () => {
    assert.equal(shapeYaml({ kind: 'zone', name: EVIL, points: [], labels: [], in: 'left_to_right', camera: 'shop' }).ok, false);
    assert.equal(shapeYaml({ kind: 'zone', name: 'frame', points: [], labels: [], in: 'left_to_right', camera: 'shop' }).ok, false);
    assert.equal(
      shapeYaml({
        kind: 'zone',
        name: 'z',
        points: [
          [0, 0],
          [1, 1],
        ],
        labels: [],
        in: 'left_to_right',
        camera: 'shop',
      }).ok,
      false,
    );
    assert.equal(shapeYaml({ kind: 'line', name: 'l', points: [[0, 0]], labels: [], in: 'left_to_right', camera: 'shop' }).ok, false);
    assert.deepEqual(parsePoints(' 0.1,0.2  1.5,-3 '), [
      [0.1, 0.2],
      [1, 0],
    ]);
    assert.equal(parsePoints('0.1,0.2,0.3'), undefined);
    assert.equal(parsePoints('a,b'), undefined);
  });

  test('inference p50 comes from the histogram buckets', () => {
    assert.equal(histogramQuantile([], 0.5), null);
    const p50 = histogramQuantile(
      [
        { le: 0.01, count: 0 },
        { le: 0.05, count: 10 },
        { le: Infinity, count: 10 },
      ],
      0.5,
    );
    assert.ok(p50 !== null && Math.abs(p50 - 0.03) < 1e-9);
  });
});
