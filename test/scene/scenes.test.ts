// The scenes of every tracked camera on their own: which frames are tracked, and what is counted
// for those that are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { DetectionResponse } from '../../src/detect/types.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { createSceneMetrics } from '../../src/metrics/recorders/scene-metrics.js';
import { EventBuffer } from '../../src/scene/event-buffer.js';
import { FUTURE_ALLOWANCE_S, Scenes } from '../../src/scene/scenes.js';
import { TRACKER_DEFAULTS } from '../../src/scene/tracker.js';

const NOW_S = 1_700_000_000;

const response = (x: number): DetectionResponse => ({
  camera_id: 'shop',
  model_type: 'test',
  image: { width: 1000, height: 1000 },
  objects: [{ label: 'person', class_id: 0, score: 0.9, box: { x, y: 500, width: 50, height: 100 } }],
  groups: [],
  timings_ms: { decode: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0 },
});

async function untracked(registry: Registry, reason: string): Promise<number> {
  const text = await renderMetrics(registry, 'prometheus');
  const line = text.split('\n').find((l) => l.startsWith('scene_frames_untracked_total{') && l.includes(`reason="${reason}"`));
  return Number(line?.split(' ').at(-1));
}

test('a frame captured more than the allowance ahead of the clock is not tracked, counted as future, and later frames are tracked', async () => {
  const registry = new Registry();
  const scenes = new Scenes(
    [{ cameraId: 'shop', config: { track: { ...TRACKER_DEFAULTS, labels: undefined }, zones: [], lines: [] } }],
    new EventBuffer(100),
    createSceneMetrics(registry),
    () => NOW_S * 1000,
  );
  assert.equal(await untracked(registry, 'future'), 0);
  const ids = (t: number, x: number) => scenes.track('shop', t, response(x), 'http')!.response.objects.map((object) => object.track_id);
  assert.deepEqual(ids(NOW_S - 1, 100), [null]);
  assert.deepEqual(ids(NOW_S + 86_000, 100), [null]);
  assert.deepEqual(ids(NOW_S - 0.5, 102), [1]);
  assert.equal(await untracked(registry, 'future'), 1);
  assert.equal(await untracked(registry, 'out_of_order'), 0);
  // Within the allowance a frame is tracked: one earlier than it is then out of order.
  ids(NOW_S + FUTURE_ALLOWANCE_S - 1, 104);
  ids(NOW_S, 104);
  assert.equal(await untracked(registry, 'future'), 1);
  assert.equal(await untracked(registry, 'out_of_order'), 1);
});

test('frames posted under the id of a camera algo reads itself are detected but not tracked, counted as pulled_camera', async () => {
  const registry = new Registry();
  const scenes = new Scenes(
    [{ cameraId: 'door', pulled: true, config: { track: { ...TRACKER_DEFAULTS, labels: undefined }, zones: [], lines: [] } }],
    new EventBuffer(100),
    createSceneMetrics(registry),
    () => NOW_S * 1000,
  );
  assert.equal(await untracked(registry, 'pulled_camera'), 0);
  const ids = (t: number, x: number, source: 'camera' | 'http' | 'kafka') =>
    scenes.track('door', t, response(x), source)!.response.objects.map((object) => object.track_id);
  assert.deepEqual(ids(NOW_S - 2, 100, 'camera'), [null]);
  assert.deepEqual(ids(NOW_S - 1.5, 101, 'http'), [null]);
  assert.deepEqual(ids(NOW_S - 1.4, 101, 'kafka'), [null]);
  // The camera's own frames go on being tracked as if nothing had been posted between them.
  assert.deepEqual(ids(NOW_S - 1, 102, 'camera'), [1]);
  assert.equal(await untracked(registry, 'pulled_camera'), 2);
  assert.equal(await untracked(registry, 'out_of_order'), 0);
});

test('frames received before a camera went down and detected after its tracks ended start no track; frames after it do', async () => {
  const registry = new Registry();
  let nowMs = NOW_S * 1000;
  const scenes = new Scenes(
    [{ cameraId: 'door', pulled: true, config: { track: { ...TRACKER_DEFAULTS, labels: undefined }, zones: [], lines: [] } }],
    new EventBuffer(100),
    createSceneMetrics(registry),
    () => nowMs,
  );
  const ids = (t: number, x: number) => scenes.track('door', t, response(x), 'camera')!.response.objects.map((object) => object.track_id);
  assert.deepEqual(ids(NOW_S - 2, 100), [null]);
  assert.deepEqual(ids(NOW_S - 1.5, 101), [1]);
  scenes.endCameraTracks('door');
  assert.equal(scenes.view('door')!.active_tracks, 0);
  // Still in the detector when the camera went down: received before, answered after.
  assert.deepEqual(ids(NOW_S - 1, 102), [null]);
  assert.deepEqual(ids(NOW_S - 0.5, 103), [null]);
  assert.equal(scenes.view('door')!.active_tracks, 0, 'no track starts on a camera that is down');
  assert.equal(await untracked(registry, 'camera_down'), 2);
  // Back up: its frames are tracked again, as a new track.
  nowMs += 5000;
  assert.deepEqual(ids(NOW_S + 3, 104), [null]);
  assert.deepEqual(ids(NOW_S + 3.5, 105), [2]);
  assert.equal(await untracked(registry, 'camera_down'), 2);
  assert.equal(await untracked(registry, 'out_of_order'), 0);
});
