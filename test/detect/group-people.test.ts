import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boxGap, groupPeople } from '../../src/detect/group-people.js';
import type { DetectedObject } from '../../src/detect/types.js';

const person = (x: number, y: number, width = 40, height = 100, label = 'person'): DetectedObject => ({
  label,
  class_id: label === 'person' ? 0 : 1,
  score: 0.9,
  box: { x, y, width, height },
});
const options = { distance: 1, minSize: 2 };

describe('grouping people', () => {
  test('people standing side by side form one group with a union box', () => {
    const groups = groupPeople([person(0, 0), person(50, 0), person(100, 10)], options);
    assert.deepEqual(groups, [{ id: 0, members: [0, 1, 2], box: { x: 0, y: 0, width: 140, height: 110 }, size: 3 }]);
  });

  test('distance is relative to box height: the same pixel gap groups tall boxes but not short ones', () => {
    assert.equal(groupPeople([person(0, 0, 40, 100), person(120, 0, 40, 100)], options).length, 1); // gap 80 < 1 × 100
    assert.equal(groupPeople([person(0, 0, 20, 50), person(100, 0, 20, 50)], options).length, 0); // gap 80 > 1 × 50
  });

  test('groups link transitively and separate clusters stay apart', () => {
    const groups = groupPeople([person(0, 0), person(60, 0), person(120, 0), person(1000, 0), person(1050, 0)], options);
    assert.deepEqual(
      groups.map((g) => g.members),
      [
        [0, 1, 2],
        [3, 4],
      ],
    );
    assert.deepEqual(
      groups.map((g) => g.id),
      [0, 1],
    );
  });

  test('a lone person is not a group, and minSize raises the bar', () => {
    assert.deepEqual(groupPeople([person(0, 0)], options), []);
    assert.deepEqual(groupPeople([person(0, 0), person(50, 0)], { distance: 1, minSize: 3 }), []);
  });

  test('other classes are ignored but member indices refer to the full object list', () => {
    const groups = groupPeople([person(0, 0, 40, 40, 'dog'), person(0, 0), person(50, 0)], options);
    assert.deepEqual(groups[0]?.members, [1, 2]);
  });

  test('people of very different heights (near and far) are not grouped', () => {
    assert.deepEqual(groupPeople([person(0, 0, 40, 300), person(30, 10, 10, 60)], options), []);
  });

  test('box gap is zero for overlapping boxes and Euclidean between corners', () => {
    assert.equal(boxGap({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 }), 0);
    assert.equal(boxGap({ x: 0, y: 0, width: 10, height: 10 }, { x: 13, y: 14, width: 1, height: 1 }), 5);
  });
});
