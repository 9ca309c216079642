// The tracker on synthetic sequences at 2 and 10 fps, measured with the MOT evaluator against
// each detection's true id (the tracker is judged on the detections it was given: a detection
// the detector missed is no one's fault here), plus its rules one by one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DetectedObject } from '../../src/detect/types.js';
import { FORBIDDEN } from '../../src/scene/hungarian.js';
import { boxIou, centreDistance, matchCost } from '../../src/scene/match-cost.js';
import { TRACKER_DEFAULTS, Tracker, type TrackerConfig } from '../../src/scene/tracker.js';
import { evaluateMot, type MotScores } from '../helpers/mot.js';
import { motFrame, seededRandom, synthesize, type Scenario, type Walker } from './synthetic.js';

const config = (overrides: Partial<TrackerConfig> = {}): TrackerConfig => ({ labels: undefined, ...TRACKER_DEFAULTS, ...overrides });

/** A person box 64×160 px walking at `speed` box widths per second (2: its own width per frame at 2 fps). */
const person = (id: number, x: number, y: number, widthsPerSecond: number, extra: Partial<Walker> = {}): Walker => ({
  id,
  width: 64,
  height: 160,
  x,
  y,
  vx: widthsPerSecond * 64,
  vy: 0,
  ...extra,
});

/** The sets of issue 19, each run at 2 and 10 fps. */
const SETS: Record<string, (fps: number) => Omit<Scenario, 'fps'>> = {
  'two people crossing paths': () => ({
    seed: 1,
    duration: 8,
    walkers: [person(1, 100, 300, 2), person(2, 1100, 312, -2)],
  }),
  'two people crossing while one hides the other': (fps) => ({
    seed: 2,
    duration: 8,
    walkers: [person(1, 100, 300, 2), person(2, 1100, 300, -2, { occlusions: [{ at: Math.round(3.9 * fps) / fps, frames: 1 }] })],
  }),
  'occlusions of 1, 2 and 3 frames': (fps) => ({
    seed: 3,
    duration: 8,
    walkers: [1, 2, 3].map((frames) =>
      person(frames, 50, 40 + 200 * (frames - 1), 2, { occlusions: [{ at: (frames + 1) * 1.0, frames }] }),
    ),
  }),
  'detections dropped at random': () => ({
    seed: 4,
    duration: 10,
    dropRate: 0.15,
    walkers: [person(1, 50, 40, 1.5), person(2, 1150, 240, -1.5), person(3, 50, 500, 1), person(4, 600, 100, 0, { vy: 40 })],
  }),
  'jittered boxes and low scores': () => ({
    seed: 5,
    duration: 10,
    jitter: 0.05,
    lowScoreRate: 0.15,
    walkers: [person(1, 50, 40, 2), person(2, 1150, 400, -2), person(3, 300, 100, 1, { vy: 30 }), person(4, 900, 500, -1, { vy: -30 })],
  }),
  'labels flickering between person, horse and sheep': () => ({
    seed: 6,
    duration: 8,
    flicker: 0.35,
    walkers: [person(1, 50, 40, 2), person(2, 1150, 300, -2), person(3, 300, 500, 1)],
  }),
  'a stationary person passed by a walker': () => ({
    seed: 7,
    duration: 8,
    walkers: [person(1, 600, 300, 0), person(2, 100, 320, 2)],
  }),
  'people entering and leaving the frame': () => ({
    seed: 8,
    duration: 12,
    walkers: [
      person(1, -64, 100, 2),
      person(2, 1280, 400, -2, { from: 2 }),
      person(3, 700, -160, 0, { vy: 80 }),
      person(4, 300, 500, 1.5, { from: 4 }),
    ],
  }),
  'a crowd with all of the above at once': () => {
    const random = seededRandom(99);
    return {
      seed: 9,
      duration: 15,
      jitter: 0.05,
      dropRate: 0.1,
      lowScoreRate: 0.1,
      flicker: 0.2,
      walkers: Array.from({ length: 8 }, (_, i) =>
        person(i + 1, 80 + random() * 1050, 20 + random() * 520, (random() * 2 - 1) * 2, {
          vy: (random() * 2 - 1) * 40,
          occlusions: [{ at: 1 + random() * 12, frames: 1 + Math.floor(random() * 3) }],
        }),
      ),
    };
  },
};

function track(scenario: Scenario, overrides: Partial<TrackerConfig> = {}): { scores: MotScores; labels: Map<number, string> } {
  const tracker = new Tracker(config(overrides));
  const labels = new Map<number, string>();
  const frames = synthesize(scenario).map((frame) => {
    const result = tracker.update(frame.t, frame.objects);
    assert.ok(result.ok);
    for (const view of result.value.active) labels.set(view.id, view.label);
    return motFrame(frame, result.value.trackIds);
  });
  return { scores: evaluateMot(frames), labels };
}

describe('tracking synthetic sequences', () => {
  for (const [name, build] of Object.entries(SETS)) {
    for (const fps of [2, 10]) {
      test(`${name} at ${fps} fps: no ID switch, IDF1 ≥ 0.9`, (t) => {
        const { scores } = track({ fps, ...build(fps) });
        t.diagnostic(
          `IDF1 ${scores.idf1.toFixed(3)}, ID switches ${scores.idSwitches}, fragmentations ${scores.fragmentations}, boxes ${scores.truthBoxes}`,
        );
        assert.equal(scores.idSwitches, 0, JSON.stringify(scores));
        assert.ok(scores.idf1 >= 0.9, JSON.stringify(scores));
      });
    }
  }

  test('a track flickering between person, horse and sheep keeps the label person', () => {
    const { labels } = track({ fps: 2, ...SETS['labels flickering between person, horse and sheep']!(2) });
    assert.deepEqual([...new Set(labels.values())], ['person']);
  });
});

const box = (x: number, y = 100): DetectedObject['box'] => ({ x, y, width: 50, height: 120 });
const detection = (x: number, score = 0.9, label = 'person'): DetectedObject => ({ label, class_id: 0, score, box: box(x) });

describe('tracker rules', () => {
  test('a track is confirmed on its min_hits-th matched frame; before that its objects have no track id', () => {
    const tracker = new Tracker(config({ minHits: 3 }));
    const ids = [0, 0.5, 1, 1.5].map((t) => {
      const result = tracker.update(t, [detection(100 + 40 * t)]);
      assert.ok(result.ok);
      return result.value.trackIds[0];
    });
    assert.deepEqual(ids, [null, null, 1, 1]);
  });

  test('a frame older than the last one is refused and changes nothing', () => {
    const tracker = new Tracker(config());
    tracker.update(10, [detection(100)]);
    const refused = tracker.update(9.5, [detection(100)]);
    assert.deepEqual(refused, { ok: false, error: { reason: 'time_went_back', t: 9.5, last: 10 } });
    const next = tracker.update(10.5, [detection(105)]);
    assert.ok(next.ok);
    assert.deepEqual(next.value.trackIds, [1]);
  });

  test('a lost track survives track_buffer_s seconds and ends on the first frame after that', () => {
    const tracker = new Tracker(config({ trackBufferS: 3 }));
    tracker.update(0, [detection(100)]);
    tracker.update(0.5, [detection(100)]);
    const ended: number[] = [];
    for (const t of [1, 2, 3, 3.5, 4]) {
      const result = tracker.update(t, []);
      assert.ok(result.ok);
      if (result.value.ended.length > 0) ended.push(t);
      if (t <= 3.5) assert.equal(tracker.confirmedCount, 1);
    }
    assert.deepEqual(ended, [4]);
    assert.equal(tracker.confirmedCount, 0);
  });

  test('a track unseen for longer than track_buffer_s ends before the next frame is matched, even with no frame in between', () => {
    const tracker = new Tracker(config({ trackBufferS: 3 }));
    tracker.update(0, [detection(100)]);
    tracker.update(0.5, [detection(100)]);
    const back = tracker.update(3600, [detection(100)]);
    assert.ok(back.ok);
    assert.deepEqual(
      back.value.ended.map((view) => [view.id, view.lastSeen]),
      [[1, 0.5]],
    );
    assert.deepEqual(back.value.trackIds, [null]);
    const next = tracker.update(3600.5, [detection(100)]);
    assert.ok(next.ok);
    assert.deepEqual(next.value.trackIds, [2]);
  });

  test('a track whose detections come back within track_buffer_s keeps its id', () => {
    const tracker = new Tracker(config());
    tracker.update(0, [detection(100)]);
    tracker.update(0.5, [detection(110)]);
    tracker.update(1, []);
    tracker.update(2, []);
    const back = tracker.update(2.5, [detection(150)]);
    assert.ok(back.ok);
    assert.deepEqual(back.value.trackIds, [1]);
  });

  test('a low-score detection keeps an existing track but never starts one', () => {
    const tracker = new Tracker(config());
    tracker.update(0, [detection(100), detection(600, 0.3)]);
    tracker.update(0.5, [detection(102), detection(600, 0.3)]);
    const result = tracker.update(1, [detection(104, 0.3), detection(600, 0.3)]);
    assert.ok(result.ok);
    assert.deepEqual(result.value.trackIds, [1, null]);
  });

  test('detections below low_score are ignored and a confident one below new_track_score starts nothing', () => {
    const tracker = new Tracker(config());
    for (const t of [0, 0.5, 1]) {
      const result = tracker.update(t, [detection(100, 0.05), detection(400, 0.55)]);
      assert.ok(result.ok);
      assert.deepEqual(result.value.trackIds, [null, null]);
    }
  });

  test('with a labels filter a track is reported once its majority label is listed, whatever one frame says', () => {
    const tracker = new Tracker(config({ labels: ['person'] }));
    const frames: [number, DetectedObject[]][] = [
      [0, [detection(100, 0.9), detection(600, 0.9, 'car')]],
      [0.5, [detection(104, 0.7, 'horse'), detection(600, 0.9, 'car')]],
      [1, [detection(108, 0.9), detection(600, 0.9, 'car')]],
    ];
    const ids = frames.map(([t, objects]) => {
      const result = tracker.update(t, objects);
      assert.ok(result.ok);
      return [...result.value.trackIds];
    });
    assert.deepEqual(ids, [
      [null, null],
      [1, null],
      [1, null],
    ]);
  });

  test('ids count up in confirmation order and only confirmed tracks are counted as started', () => {
    const tracker = new Tracker(config());
    tracker.update(0, [detection(100), detection(400)]);
    const second = tracker.update(0.5, [detection(100), detection(400), detection(800)]);
    assert.ok(second.ok);
    assert.deepEqual(
      second.value.started.map((view) => view.id),
      [1, 2],
    );
    const third = tracker.update(1, [detection(100), detection(400), detection(800)]);
    assert.ok(third.ok);
    assert.deepEqual(third.value.trackIds, [1, 2, 3]);
  });

  test('reset forgets every track', () => {
    const tracker = new Tracker(config());
    tracker.update(0, [detection(100)]);
    tracker.update(0.5, [detection(100)]);
    tracker.reset();
    assert.equal(tracker.confirmedCount, 0);
    const result = tracker.update(0.2, [detection(100)]);
    assert.ok(result.ok);
    assert.deepEqual(result.value.trackIds, [null]);
  });
});

describe('match cost', () => {
  test('a box that moved its own width has IoU 0 yet stays a candidate; two widths and a half is gated out', () => {
    const predicted = box(100);
    assert.equal(boxIou(predicted, box(150)), 0);
    assert.ok(matchCost(predicted, box(150), TRACKER_DEFAULTS.maxDistance) < FORBIDDEN);
    assert.equal(matchCost(predicted, box(225), TRACKER_DEFAULTS.maxDistance), FORBIDDEN);
  });

  test('centre distance is measured in box widths sideways and box heights up and down', () => {
    assert.equal(centreDistance(box(100, 100), box(150, 100)), 1);
    assert.equal(centreDistance(box(100, 100), box(100, 220)), 1);
  });

  test('of two candidates at the same distance the one overlapping more costs less', () => {
    const predicted = { x: 100, y: 100, width: 50, height: 120 };
    const same = { x: 120, y: 100, width: 50, height: 120 };
    const smaller = { x: 135, y: 150, width: 20, height: 20 };
    assert.ok(matchCost(predicted, same, 1.5) < matchCost(predicted, smaller, 1.5));
  });
});
