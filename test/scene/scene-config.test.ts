// The scene keys of a camera (track, zones, lines): defaults, and every kind of mistake refused
// with a ConfigError naming the file, the camera, the zone or line and the value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../src/errors.js';
import { parseSceneConfig } from '../../src/scene/scene-config.js';
import { TRACKER_DEFAULTS } from '../../src/scene/tracker.js';

const LABELS = ['person', 'car', 'horse', 'traffic light'];
const parse = (yaml: string) => parseSceneConfig('door-cam', parseYaml(yaml) as Record<string, unknown>, LABELS, '/etc/algo/cameras.yml');

function refused(yaml: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => parse(yaml),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, 'ALGO_CAMERAS_FILE');
      assert.match(error.message, /"\/etc\/algo\/cameras\.yml" \(camera "door-cam": /);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    },
  );
}

test('the example of issue 19 parses, with defaults for what it leaves out', () => {
  const scene = parse(`
track: {labels: [person, car], min_hits: 2, track_buffer_s: 3}
zones:
  - {name: queue, points: [[0.1,0.5],[0.4,0.5],[0.4,0.95],[0.1,0.95]], labels: [person], loiter_s: 120, min_frames: 2, anchor: bottom_center}
lines:
  - {name: door, from: [0.5,0.2], to: [0.5,0.9], in: left_to_right, labels: [person], anchor: bottom_center}
`);
  assert.deepEqual(scene, {
    track: { ...TRACKER_DEFAULTS, labels: ['person', 'car'], minHits: 2, trackBufferS: 3 },
    zones: [
      {
        name: 'queue',
        points: [
          [0.1, 0.5],
          [0.4, 0.5],
          [0.4, 0.95],
          [0.1, 0.95],
        ],
        labels: ['person'],
        loiterS: 120,
        minFrames: 2,
        anchor: 'bottom_center',
      },
    ],
    lines: [{ name: 'door', from: [0.5, 0.2], to: [0.5, 0.9], in: 'left_to_right', labels: ['person'], anchor: 'bottom_center' }],
  });
});

test('a camera without scene keys tracks every label with the defaults and has no zones or lines', () => {
  assert.deepEqual(parse('url: rtsp://x/y'), { track: { ...TRACKER_DEFAULTS, labels: undefined }, zones: [], lines: [] });
});

test('a concave zone is accepted', () => {
  const scene = parse('zones: [{name: u, points: [[0.2,0.2],[0.4,0.2],[0.4,0.6],[0.6,0.6],[0.6,0.2],[0.8,0.2],[0.8,0.8],[0.2,0.8]]}]');
  assert.equal(scene.zones[0]!.points.length, 8);
  assert.equal(scene.zones[0]!.minFrames, 2);
  assert.equal(scene.zones[0]!.loiterS, undefined);
});

test('track settings out of range or unknown are refused', () => {
  refused('track: {min_hits: 0}', /track: min_hits 0/, /whole number from 1 to 100/);
  refused('track: {min_hits: 2.5}', /track: min_hits 2.5/);
  refused('track: {track_buffer_s: -1}', /track: track_buffer_s -1/, /from 0 to 600/);
  refused('track: {track_buffer_s: .inf}', /track_buffer_s Infinity/);
  refused('track: {high_score: 1.5}', /track: high_score 1.5/);
  refused('track: {high_score: 0.4, low_score: 0.5}', /track: low_score 0.5/, /from 0 to 0.4/);
  refused('track: {high_score: 0.7, new_track_score: 0.6}', /track: new_track_score 0.6/, /from 0.7 to 1/);
  refused('track: {max_distance: 0}', /track: max_distance 0/);
  refused('track: {min_hit: 2}', /track: unknown key "min_hit"/, /only labels, min_hits/);
  refused('track: [person]', /track \["person"\]/, /a mapping/);
  refused('track: {min_hits: "2"}', /track: min_hits "2"/);
});

test('labels the model does not know, repeated or empty are refused', () => {
  refused('track: {labels: [person, unicorn]}', /track: label "unicorn"/, /labels the model knows \(person, car, horse, traffic light\)/);
  refused('track: {labels: [person, person]}', /track: label "person" repeated/);
  refused('track: {labels: []}', /track: labels \[\]/);
  refused('track: {labels: person}', /track: labels "person"/);
});

test('a zone or line label the camera does not track is refused, naming the zone or line', () => {
  refused(
    'track: {labels: [person]}\nzones: [{name: q, points: [[0,0],[1,0],[1,1]], labels: [car]}]',
    /zone "q": label "car"/,
    /labels this camera tracks \(track.labels: person\)/,
  );
  refused('lines: [{name: d, from: [0.5,0], to: [0.5,1], in: left_to_right, labels: [cat]}]', /line "d": label "cat"/);
});

test('a closed zone polygon (its first point repeated last) is taken without the repeated point', () => {
  const scene = parse('zones: [{name: q, points: [[0.1,0.1],[0.9,0.1],[0.9,0.9],[0.1,0.9],[0.1,0.1]]}]');
  assert.deepEqual(scene.zones[0]!.points, [
    [0.1, 0.1],
    [0.9, 0.1],
    [0.9, 0.9],
    [0.1, 0.9],
  ]);
});

test('zone polygons with too few points, points outside the frame, no area or crossing edges are refused', () => {
  refused('zones: [{name: q, points: [[0,0],[1,0]]}]', /zone "q": points \[\[0,0\],\[1,0\]\]/, /at least 3/);
  refused('zones: [{name: q, points: [[0,0],[1.2,0],[1,1]]}]', /zone "q": points\[1\] \[1.2,0\]/, /from 0 to 1/);
  refused('zones: [{name: q, points: [[0,0],[-0.1,0],[1,1]]}]', /zone "q": points\[1\] \[-0.1,0\]/);
  refused('zones: [{name: q, points: [[0,0],[0.5],[1,1]]}]', /zone "q": points\[1\] \[0.5\]/);
  refused('zones: [{name: q, points: [[0,0],[0.5,0.5],[1,1]]}]', /zone "q": points .* enclose no area/);
  refused(
    'zones: [{name: q, points: [[0.2,0.2],[0.6,0.6],[0.6,0.2],[0.2,0.6]]}]',
    /zone "q": points .*: edge \[0.2,0.2\]→\[0.6,0.6\] meets edge \[0.6,0.2\]→\[0.2,0.6\]/,
    /concave is fine/,
  );
  refused('zones: [{name: q}]', /zone "q": points null/);
});

test('zone settings out of range or unknown are refused', () => {
  const zone = (extra: string) => `zones: [{name: q, points: [[0,0],[1,0],[1,1]], ${extra}}]`;
  refused(zone('min_frames: 0'), /zone "q": min_frames 0/);
  refused(zone('loiter_s: 0'), /zone "q": loiter_s 0/, /from 0.1 to 86400/);
  refused(zone('loiter_s: "long"'), /zone "q": loiter_s "long"/);
  refused(zone('anchor: top'), /zone "q": anchor "top"/, /bottom_center or center/);
  refused(zone('colour: red'), /zone "q": unknown key "colour"/);
});

test('line settings wrong or unknown are refused', () => {
  const line = (extra: string) => `lines: [{name: d, ${extra}}]`;
  refused(line('from: [0.5,0.5], to: [0.5,0.5], in: left_to_right'), /line "d": from and to are both \[0.5,0.5\]/, /two distinct points/);
  refused(line('from: [0.5,0.5], to: [0.5,1.5], in: left_to_right'), /line "d": to \[0.5,1.5\]/);
  refused(line('to: [0.5,1], in: left_to_right'), /line "d": from null/);
  refused(
    line('from: [0.5,0], to: [0.5,1], in: inwards'),
    /line "d": in "inwards"/,
    /left_to_right, right_to_left, top_to_bottom, bottom_to_top/,
  );
  refused(line('from: [0.5,0], to: [0.5,1]'), /line "d": in null/);
  refused(line('from: [0.5,0], to: [0.5,1], in: top_to_bottom'), /line "d": in "top_to_bottom" on a vertical line/);
  refused(line('from: [0,0.5], to: [1,0.5], in: left_to_right'), /line "d": in "left_to_right" on a horizontal line/);
  refused(line('from: [0.5,0], to: [0.5,1], in: left_to_right, anchor: feet'), /line "d": anchor "feet"/);
  refused(line('from: [0.5,0], to: [0.5,1], in: left_to_right, width: 3'), /line "d": unknown key "width"/);
});

test('zone and line names must be ids, unique per camera across both, and not `frame`', () => {
  const points = 'points: [[0,0],[1,0],[1,1]]';
  const line = 'from: [0.5,0], to: [0.5,1], in: left_to_right';
  refused(`zones: [{name: "the queue", ${points}}]`, /zones\[0\] name "the queue"/, /letters, digits/);
  refused(`zones: [{${points}}]`, /zones\[0\] name null/);
  refused(`zones: [{name: frame, ${points}}]`, /zone "frame": name is reserved/);
  refused(`zones: [{name: q, ${points}}, {name: q, ${points}}]`, /zone "q": duplicate name/);
  refused(`zones: [{name: q, ${points}}]\nlines: [{name: q, ${line}}]`, /line "q": duplicate name/);
  refused('zones: {name: q}', /zones \{"name":"q"\}/, /a list of zone mappings/);
  refused('lines: [door]', /lines\[0\] "door" is not a mapping/);
});
