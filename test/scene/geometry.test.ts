// Plane geometry, zone hysteresis and line crossings, with the edge cases named in issue 19.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anchorY, pointInPolygon, polygonArea, segmentContact, selfIntersection, type Point } from '../../src/scene/geometry.js';
import { Line, newPassage, type LineConfig } from '../../src/scene/line.js';
import { dwell, newVisit, Zone, type ZoneConfig } from '../../src/scene/zone.js';

const square: Point[] = [
  [0.2, 0.2],
  [0.6, 0.2],
  [0.6, 0.6],
  [0.2, 0.6],
];
/** A U opening upwards: the notch between x 0.4 and 0.6 above y 0.6 is outside. */
const u: Point[] = [
  [0.2, 0.2],
  [0.4, 0.2],
  [0.4, 0.6],
  [0.6, 0.6],
  [0.6, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];

describe('geometry', () => {
  test('a point on an edge or a vertex of a zone counts as inside', () => {
    assert.equal(pointInPolygon(0.4, 0.2, square), true);
    assert.equal(pointInPolygon(0.6, 0.4, square), true);
    assert.equal(pointInPolygon(0.6, 0.6, square), true);
    assert.equal(pointInPolygon(0.4, 0.4, square), true);
    assert.equal(pointInPolygon(0.61, 0.4, square), false);
  });

  test('a concave zone leaves its notch outside', () => {
    assert.equal(pointInPolygon(0.5, 0.4, u), false);
    assert.equal(pointInPolygon(0.3, 0.4, u), true);
    assert.equal(pointInPolygon(0.5, 0.7, u), true);
    assert.equal(pointInPolygon(0.5, 0.6, u), true, 'the notch floor is an edge');
  });

  test('segments crossing inside both are proper; an endpoint on the other segment touches; beyond an end is none', () => {
    assert.equal(segmentContact(0, 0, 1, 1, 0, 1, 1, 0), 'proper');
    assert.equal(segmentContact(0.5, 0, 0.5, 1, 0, 0.5, 0.5, 0.5), 'touch');
    assert.equal(segmentContact(0.5, 0, 0.5, 1, 0, 1, 1, 1), 'touch', 'through the end point');
    assert.equal(segmentContact(0.5, 0, 0.5, 1, 0, 1.1, 1, 1.1), 'none');
    assert.equal(segmentContact(0, 0, 1, 0, 0.5, 0, 2, 0), 'touch', 'collinear overlap');
    assert.equal(segmentContact(0, 0, 1, 0, 1.5, 0, 2, 0), 'none', 'collinear apart');
  });

  test('polygon area does not depend on the winding', () => {
    assert.ok(Math.abs(polygonArea(square) - 0.16) < 1e-12);
    assert.ok(Math.abs(polygonArea([...square].reverse()) - 0.16) < 1e-12);
    assert.ok(Math.abs(polygonArea(u) - (0.36 - 0.08)) < 1e-12);
  });

  test('a bow tie, a fold-back and a repeated vertex are self-intersecting; a concave polygon is not', () => {
    const bowTie: Point[] = [
      [0.2, 0.2],
      [0.6, 0.6],
      [0.6, 0.2],
      [0.2, 0.6],
    ];
    assert.deepEqual(selfIntersection(bowTie), [0, 2]);
    assert.notEqual(
      selfIntersection([
        [0.2, 0.2],
        [0.6, 0.2],
        [0.4, 0.2],
        [0.4, 0.6],
      ]),
      undefined,
    );
    assert.notEqual(
      selfIntersection([
        [0.2, 0.2],
        [0.2, 0.2],
        [0.6, 0.2],
        [0.4, 0.6],
      ]),
      undefined,
    );
    assert.equal(selfIntersection(u), undefined);
    assert.equal(selfIntersection(square), undefined);
  });

  test('the anchor is the bottom centre of a box by default, or its centre', () => {
    const box = { x: 10, y: 20, width: 30, height: 40 };
    assert.equal(anchorY(box, 'bottom_center'), 60);
    assert.equal(anchorY(box, 'center'), 40);
  });
});

const zone = (overrides: Partial<ZoneConfig> = {}): Zone =>
  new Zone({ name: 'queue', points: square, labels: undefined, loiterS: undefined, minFrames: 2, anchor: 'bottom_center', ...overrides });

describe('zones', () => {
  test('a border flicker neither enters nor leaves: it takes min_frames frames in a row on the other side', () => {
    const z = zone();
    const visit = newVisit();
    const changes = [true, false, true, false, true, true, false, true, false, false].map((inside, k) => z.observe(visit, inside, k));
    assert.deepEqual(changes, [undefined, undefined, undefined, undefined, undefined, 'entered', undefined, undefined, undefined, 'left']);
  });

  test('dwell runs from the first inside frame of the entry to the first outside frame of the exit', () => {
    const z = zone();
    const visit = newVisit();
    const changes = [false, true, true, true, true, false, false].map((inside, k) => z.observe(visit, inside, 10 + k * 0.5));
    assert.deepEqual(changes, [undefined, undefined, 'entered', undefined, undefined, undefined, 'left']);
    assert.equal(dwell(visit, 99), 12.5 - 10.5);
  });

  test('a track that ends inside dwells until its last sighting', () => {
    const z = zone();
    const visit = newVisit();
    [true, true, true].forEach((inside, k) => z.observe(visit, inside, k));
    assert.equal(dwell(visit, 7), 7);
  });

  test('loitering is raised once per visit, after loiter_s inside, and again on the next visit', () => {
    const z = zone({ loiterS: 3 });
    const visit = newVisit();
    const pattern = [true, true, true, true, true, true, true, false, false, true, true, true, true, true];
    const changes = pattern.map((inside, k) => z.observe(visit, inside, k));
    assert.deepEqual(changes.map((change, k) => (change === undefined ? '' : `${k}:${change}`)).filter(Boolean), [
      '1:entered',
      '3:loitering',
      '8:left',
      '10:entered',
      '12:loitering',
    ]);
  });

  test('min_frames 1 enters and leaves on the first frame', () => {
    const z = zone({ minFrames: 1 });
    const visit = newVisit();
    assert.deepEqual(
      [true, false].map((inside, k) => z.observe(visit, inside, k)),
      ['entered', 'left'],
    );
  });
});

/** A vertical door line at x 0.5 from y 0.2 to 0.8; `in` is left to right. */
const door = (overrides: Partial<LineConfig> = {}): Line =>
  new Line({
    name: 'door',
    from: [0.5, 0.2],
    to: [0.5, 0.8],
    in: 'left_to_right',
    labels: undefined,
    anchor: 'bottom_center',
    ...overrides,
  });
const walk = (line: Line, path: Point[]): string[] => {
  const passage = newPassage();
  return path.flatMap(([x, y], k) => {
    const direction = line.observe(passage, x, y);
    return direction === undefined ? [] : [`${k}:${direction}`];
  });
};

describe('lines', () => {
  test('crossing left to right is in, right to left is out, whichever end is `from`', () => {
    assert.deepEqual(
      walk(door(), [
        [0.3, 0.5],
        [0.7, 0.5],
        [0.3, 0.5],
      ]),
      ['1:in', '2:out'],
    );
    assert.deepEqual(
      walk(door({ from: [0.5, 0.8], to: [0.5, 0.2] }), [
        [0.3, 0.5],
        [0.7, 0.5],
      ]),
      ['1:in'],
    );
  });

  test('top_to_bottom names the side of smaller y for a horizontal or slanted line', () => {
    const line = door({ from: [0.1, 0.4], to: [0.9, 0.6], in: 'top_to_bottom' });
    assert.deepEqual(
      walk(line, [
        [0.5, 0.3],
        [0.5, 0.7],
        [0.5, 0.3],
      ]),
      ['1:in', '2:out'],
    );
    assert.deepEqual(
      walk(door({ from: [0.1, 0.4], to: [0.9, 0.6], in: 'bottom_to_top' }), [
        [0.5, 0.3],
        [0.5, 0.7],
      ]),
      ['1:out'],
    );
  });

  test('back and forth across a line counts each full crossing once', () => {
    const path: Point[] = [
      [0.45, 0.5],
      [0.55, 0.5],
      [0.45, 0.5],
      [0.55, 0.5],
      [0.56, 0.5],
      [0.45, 0.5],
    ];
    assert.deepEqual(walk(door(), path), ['1:in', '2:out', '3:in', '5:out']);
  });

  test('an anchor resting exactly on the line counts once, when it is seen on the other side', () => {
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.5],
        [0.5, 0.5],
        [0.5, 0.5],
        [0.6, 0.5],
        [0.7, 0.5],
      ]),
      ['3:in'],
    );
  });

  test('touching the line and going back is no crossing', () => {
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.5],
        [0.5, 0.5],
        [0.4, 0.5],
      ]),
      [],
    );
  });

  test("a path through the line's endpoint crosses; a path beyond its end does not", () => {
    // Binary fractions, so that the path meets the endpoint exactly in doubles.
    assert.deepEqual(
      walk(door({ from: [0.5, 0.25], to: [0.5, 0.75] }), [
        [0.375, 0.125],
        [0.625, 0.375],
      ]),
      ['1:in'],
      'through the endpoint (0.5, 0.25)',
    );
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.9],
        [0.6, 0.9],
      ]),
      [],
      'below the end (0.5, 0.8)',
    );
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.8],
        [0.6, 0.8],
      ]),
      ['1:in'],
      'level with the end counts: the end is part of the line',
    );
  });

  test('going round the end of the line and back through it counts the one real crossing', () => {
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.9],
        [0.6, 0.9],
        [0.4, 0.5],
      ]),
      ['2:out'],
    );
  });

  test('stepping onto the line beyond its end and on to the other side is no crossing', () => {
    assert.deepEqual(
      walk(door(), [
        [0.4, 0.95],
        [0.5, 0.9],
        [0.6, 0.85],
      ]),
      [],
    );
  });
});
