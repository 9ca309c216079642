// A camera's scene end to end: tracks, zone and line events, counts, and the replay core
// driven by the synthetic sequences.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DetectedObject } from '../../src/detect/types.js';
import { CameraScene, type SceneConfig, type SceneEvent } from '../../src/scene/camera-scene.js';
import { replay, replayLines, type ReplayRecord } from '../../src/scene/replay.js';
import { TRACKER_DEFAULTS } from '../../src/scene/tracker.js';
import { evaluateMot } from '../helpers/mot.js';
import { FRAME_HEIGHT, FRAME_WIDTH, motFrame, synthesize, type Walker } from './synthetic.js';

const W = 1000;
const H = 1000;
/** A 50×100 box whose bottom centre is at (x, y) pixels of a 1000×1000 frame. */
const at = (x: number, y: number, label = 'person', score = 0.9): DetectedObject => ({
  label,
  class_id: 0,
  score,
  box: { x: x - 25, y: y - 100, width: 50, height: 100 },
});

const config = (overrides: Partial<SceneConfig> = {}): SceneConfig => ({
  track: { ...TRACKER_DEFAULTS, labels: undefined, trackBufferS: 2 },
  zones: [
    {
      name: 'queue',
      points: [
        [0.4, 0.4],
        [0.8, 0.4],
        [0.8, 0.8],
        [0.4, 0.8],
      ],
      labels: ['person'],
      loiterS: 2,
      minFrames: 2,
      anchor: 'bottom_center',
    },
  ],
  lines: [{ name: 'door', from: [0.3, 0.1], to: [0.3, 0.9], in: 'left_to_right', labels: undefined, anchor: 'bottom_center' }],
  ...overrides,
});

/** Runs frames of one object walking through (x, y) points, 0.5 s apart; returns every event. */
function run(scene: CameraScene, points: [number, number][], label = 'person', start = 0): SceneEvent[] {
  return points.flatMap(([x, y], k) => {
    const result = scene.update(start + k * 0.5, W, H, x < 0 ? [] : [at(x, y, label)]);
    assert.ok(result.ok);
    return result.value.events;
  });
}
/** Standing in the queue for three frames, then not detected for six (3 s: past track_buffer_s 2). */
const STAY_THEN_GO: [number, number][] = [
  [500, 600],
  [500, 600],
  [500, 600],
  ...Array.from({ length: 6 }, (): [number, number] => [-1, 0]),
];
const summary = (events: SceneEvent[]): string[] =>
  events.map((event) =>
    event.type === 'crossed'
      ? `${event.at} crossed ${event.line} ${event.direction}`
      : `${event.at} ${event.type} ${event.zone}${event.dwell_s === undefined ? '' : ` ${event.dwell_s}s`}`,
  );

describe('camera scene', () => {
  test('a person walking through the door into the queue and out again: crossed, entered, loitering, left with dwell', () => {
    const scene = new CameraScene('cam1', config());
    const path: [number, number][] = [
      [200, 600],
      [250, 600],
      [350, 600],
      [450, 600],
      [500, 600],
      [500, 600],
      [500, 600],
      [500, 600],
      [500, 600],
      [550, 600],
      [600, 600],
      [650, 600],
      [700, 600],
      [750, 600],
      [800, 600],
      [850, 600],
      [900, 600],
      [950, 600],
    ];
    assert.deepEqual(summary(run(scene, path)), ['1 crossed door in', '2 entered queue', '3.5 loitering queue', '8 left queue 6s']);
  });

  test('events carry the camera, the label, the track id, the box in pixels and the score', () => {
    const scene = new CameraScene('cam1', config());
    // Confirmed on the frame after the door: the step before confirmation counts too.
    const [event] = run(scene, [
      [270, 600],
      [320, 600],
    ]);
    assert.ok(event !== undefined && event.type === 'crossed');
    assert.equal(event.camera_id, 'cam1');
    assert.equal(event.label, 'person');
    assert.equal(event.track_id, 1);
    assert.equal(event.score, 0.9);
    assert.ok(Math.abs(event.box.x + event.box.width / 2 - 320) < 5);
    assert.equal(event.id, undefined);
  });

  test('a track that ends inside a zone leaves with its dwell up to its last sighting, at that sighting', () => {
    // Confirmed at 0.5 (min_hits 2), inside from then, last seen at 1, ended at 3.5 (track_buffer_s 2).
    const scene = new CameraScene('cam1', config({ lines: [] }));
    assert.deepEqual(summary(run(scene, STAY_THEN_GO)), ['1 entered queue', '1 left queue 0.5s']);
  });

  test('a zone label filter ignores other labels; the whole frame counts every confirmed track', () => {
    const scene = new CameraScene('cam1', config({ lines: [] }));
    for (const t of [0, 0.5, 1]) assert.ok(scene.update(t, W, H, [at(500, 600), at(600, 600, 'car')]).ok);
    const counts = scene.counts();
    assert.equal(counts.active_tracks, 2);
    assert.deepEqual(counts.tracks_started, { person: 1, car: 1 });
    assert.deepEqual(
      counts.occupancy.filter((row) => row.count > 0),
      [
        { zone: 'queue', label: 'person', count: 1 },
        { zone: 'frame', label: 'person', count: 1 },
        { zone: 'frame', label: 'car', count: 1 },
      ],
    );
  });

  test('occupancy keeps listing a label at 0 once its objects have left, so a gauge can fall to 0', () => {
    const scene = new CameraScene('cam1', config({ lines: [] }));
    run(scene, STAY_THEN_GO);
    assert.deepEqual(scene.counts().occupancy, [
      { zone: 'queue', label: 'person', count: 0 },
      { zone: 'frame', label: 'person', count: 0 },
    ]);
    assert.equal(scene.counts().active_tracks, 0);
  });

  test('a track whose label flips from dog to cat inside an unfiltered zone leaves both labels listed at 0 once it ends', () => {
    const scene = new CameraScene('cam1', config({ lines: [], zones: [{ ...config().zones[0]!, labels: undefined }] }));
    const frames: [number, DetectedObject[]][] = [
      [0, [at(500, 600, 'dog', 0.6)]],
      [0.5, [at(500, 600, 'dog', 0.6)]],
      [1, [at(500, 600, 'dog', 0.6)]],
      [1.5, [at(500, 600, 'cat', 0.95)]],
      [2, [at(500, 600, 'cat', 0.95)]],
    ];
    for (const [t, objects] of frames) assert.ok(scene.update(t, W, H, objects).ok);
    assert.deepEqual(
      scene.counts().occupancy.filter((row) => row.zone === 'queue'),
      [
        { zone: 'queue', label: 'dog', count: 0 },
        { zone: 'queue', label: 'cat', count: 1 },
      ],
    );
    assert.ok(scene.update(5, W, H, []).ok);
    assert.deepEqual(scene.counts().occupancy, [
      { zone: 'queue', label: 'dog', count: 0 },
      { zone: 'queue', label: 'cat', count: 0 },
      { zone: 'frame', label: 'dog', count: 0 },
      { zone: 'frame', label: 'cat', count: 0 },
    ]);
  });

  test('a frame older than the last is refused; reset starts fresh tracks but keeps the unique-object count', () => {
    const scene = new CameraScene('cam1', config());
    run(scene, [
      [500, 600],
      [500, 600],
    ]);
    assert.equal(scene.update(0.2, W, H, []).ok, false);
    scene.reset();
    assert.equal(scene.counts().active_tracks, 0);
    const result = scene.update(0.2, W, H, [at(500, 600)]);
    assert.ok(result.ok);
    assert.deepEqual(result.value.objects[0]!.track_id, null);
    assert.deepEqual(scene.counts().tracks_started, { person: 1 });
  });

  test('each input object comes back with its track id and is otherwise unchanged', () => {
    const scene = new CameraScene('cam1', config());
    scene.update(0, W, H, [at(500, 600)]);
    const result = scene.update(0.5, W, H, [at(510, 600), at(100, 100, 'person', 0.05)]);
    assert.ok(result.ok);
    assert.deepEqual(result.value.objects, [
      { ...at(510, 600), track_id: 1 },
      { ...at(100, 100, 'person', 0.05), track_id: null },
    ]);
    assert.deepEqual(result.value.started, [{ track_id: 1, label: 'person' }]);
  });
});

const walker = (id: number, x: number, y: number, vx: number): Walker => ({ id, width: 64, height: 160, x, y, vx, vy: 0 });

describe('replay', () => {
  test('two people crossing paths replayed at 2 fps: every frame back with track ids, one door crossing each way, no ID switch', async () => {
    const frames = synthesize({ fps: 2, duration: 8, seed: 1, walkers: [walker(1, 100, 300, 128), walker(2, 1100, 312, -128)] });
    const lines = frames.map(({ t, width, height, objects }) => JSON.stringify({ t, width, height, objects }));
    const scene = config({
      zones: [],
      lines: [{ name: 'door', from: [0.5, 0], to: [0.5, 1], in: 'left_to_right', labels: undefined, anchor: 'bottom_center' }],
    });
    const records: ReplayRecord[] = [];
    for await (const line of replayLines(lines, 'cam1', scene)) records.push(JSON.parse(line) as ReplayRecord);
    const replayed = records.flatMap((record) => ('frame' in record ? [record.frame] : []));
    assert.equal(replayed.length, frames.length);
    const scores = evaluateMot(
      replayed.map((frame, k) =>
        motFrame(
          frames[k]!,
          frame.objects.map((object) => object.track_id),
        ),
      ),
    );
    assert.equal(scores.idSwitches, 0);
    assert.ok(scores.idf1 >= 0.9, JSON.stringify(scores));
    const crossings = records.flatMap((record) => ('event' in record && record.event.type === 'crossed' ? [record.event] : []));
    assert.deepEqual(crossings.map((event) => `${event.track_id} ${event.direction}`).sort(), ['1 in', '2 out']);
    const last = records.at(-1)!;
    assert.ok('counts' in last);
    assert.equal(last.counts.frames, frames.length);
    assert.deepEqual(last.counts.tracks_started, { person: 2 });
    assert.equal(FRAME_WIDTH, frames[0]!.width);
    assert.equal(FRAME_HEIGHT, frames[0]!.height);
  });

  test('a still person seen again an hour later with track_buffer_s 3 is a new track; the first left with its dwell up to its last sighting', async () => {
    const frame = (t: number) => JSON.stringify({ t, width: W, height: H, objects: [at(500, 600)] });
    const scene = config({ lines: [], track: { ...TRACKER_DEFAULTS, labels: undefined, trackBufferS: 3 } });
    const records: ReplayRecord[] = [];
    for await (const record of replay([0, 0.5, 1, 1.5, 2, 3600, 3600.5, 3601].map(frame), 'cam1', scene)) records.push(record);
    const events = records.flatMap((record) => ('event' in record ? [record.event] : []));
    assert.deepEqual(
      events.map((event) => `${event.track_id} ${summary([event])[0]}`),
      ['1 1 entered queue', '1 2 left queue 1.5s', '2 3601 entered queue'],
    );
    const ids = records.flatMap((record) => ('frame' in record ? [record.frame.objects[0]!.track_id] : []));
    assert.deepEqual(ids, [null, 1, 1, 1, 1, null, 2, 2]);
  });

  test('bad lines are reported with their line number and the replay goes on', async () => {
    const good = (t: number) => JSON.stringify({ t, width: W, height: H, objects: [at(500, 600)] });
    const input = [
      good(0),
      '{"t": 1, "width": 1000',
      '',
      JSON.stringify({ t: 'soon', width: W, height: H, objects: [] }),
      JSON.stringify({ t: 1, width: 0, height: H, objects: [] }),
      JSON.stringify({ t: 1, width: W, height: H, objects: [{ label: 'person', score: 0.9 }] }),
      good(0.5),
      good(0.2),
      good(1),
      '{"t": 1e308, "width": 1000, "height": 1000, "objects": []}',
    ];
    const records: ReplayRecord[] = [];
    for await (const record of replay(input, 'cam1', config())) records.push(record);
    const errors = records.flatMap((record) => ('error' in record ? [record.error] : []));
    assert.deepEqual(
      errors.map((error) => error.line),
      [2, 4, 5, 6, 8, 10],
    );
    assert.match(errors[0]!.message, /^line 2: not JSON/);
    assert.match(errors[1]!.message, /^line 4: "t" "soon" is not a number of seconds/);
    assert.match(errors[2]!.message, /^line 5: "width" and "height" must be positive/);
    assert.match(errors[3]!.message, /^line 6: objects\[0\] is not \{label, class_id, score, box/);
    assert.match(errors[4]!.message, /^line 8: "t" 0.2 is earlier than the previous frame's 0.5/);
    assert.match(errors[5]!.message, /^line 10: "t" 1e\+308 is not a number of seconds from -1e12 to 1e12/);
    const frames = records.flatMap((record) => ('frame' in record ? [record.frame] : []));
    assert.deepEqual(
      frames.map((frame) => [frame.line, frame.objects[0]!.track_id]),
      [
        [1, null],
        [7, 1],
        [9, 1],
      ],
    );
    const last = records.at(-1)!;
    assert.ok('counts' in last);
    assert.equal(last.counts.errors, 6);
  });
});
