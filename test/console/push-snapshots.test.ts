// A push camera's frame on the console: the last image it sent, annotated (boxes, track ids,
// zones, lines), encoded once per frame whoever asks; the line counts the console shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { PushSnapshots } from '../../src/console/push-snapshots.js';
import type { DetectionResponse } from '../../src/detect/types.js';
import { createSceneMetrics } from '../../src/metrics/recorders/scene-metrics.js';
import { EventBuffer } from '../../src/scene/event-buffer.js';
import { Scenes } from '../../src/scene/scenes.js';
import { TRACKER_DEFAULTS } from '../../src/scene/tracker.js';

const response = (x: number): DetectionResponse => ({
  camera_id: 'shop',
  model_type: 'test',
  image: { width: 320, height: 240 },
  objects: [{ label: 'person', class_id: 0, score: 0.9, box: { x, y: 100, width: 40, height: 100 } }],
  groups: [],
  timings_ms: { decode: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0 },
});

test('the last pushed frame is annotated once per frame, and crossings are counted by direction', async () => {
  const scenes = new Scenes(
    [
      {
        cameraId: 'shop',
        config: {
          track: { ...TRACKER_DEFAULTS, labels: undefined, minHits: 1 },
          zones: [],
          lines: [{ name: 'door', from: [0.5, 0], to: [0.5, 1], in: 'left_to_right', labels: undefined, anchor: 'bottom_center' }],
        },
      },
    ],
    new EventBuffer(100),
    createSceneMetrics(new Registry()),
  );
  const snapshots = new PushSnapshots(scenes);
  assert.equal(snapshots.jpeg('shop'), undefined, 'no frame yet');
  const image = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .jpeg()
    .toBuffer();
  const now = Date.now() / 1000;
  for (let k = 0; k < 8; k++) scenes.track('shop', now - 10 + k * 0.5, response(60 + k * 30), 'http', { kind: 'encoded', image });
  const first = snapshots.jpeg('shop')!;
  assert.equal(snapshots.jpeg('shop'), first, 'the same frame is encoded once');
  const meta = await sharp(await first).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 320, 240]);
  scenes.track('shop', now - 5, response(300), 'http', { kind: 'encoded', image });
  assert.notEqual(snapshots.jpeg('shop'), first, 'a new frame, a new picture');
  assert.deepEqual(scenes.view('shop')!.lines[0]!.crossings, { in: 1, out: 0 });
  assert.equal(snapshots.jpeg('other'), undefined);
});
