import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DetectedObject, PersonGroup } from '../../src/detect/types.js';
import { templateSummary } from '../../src/llm/template-summary.js';

const box = { x: 0, y: 0, width: 1, height: 1 };
const objects = (...labels: string[]): DetectedObject[] => labels.map((label) => ({ label, class_id: 0, score: 0.5, box }));
const groups = (n: number): PersonGroup[] => Array.from({ length: n }, (_, id) => ({ id, members: [], box, size: 2 }));

describe('template summary', () => {
  test('people first with their groups, then classes by count, plurals right', () => {
    assert.equal(templateSummary(objects('dog', 'person', 'person', 'person'), groups(1)), '3 people in 1 group, 1 dog');
    assert.equal(
      templateSummary(objects('bus', 'bus', 'knife', 'knife', 'person', 'sheep', 'sheep', 'car'), groups(0)),
      '1 person, 2 buses, 2 knives, 2 sheep, 1 car',
    );
    assert.equal(templateSummary(objects('person', 'person', 'person', 'person'), groups(2)), '4 people in 2 groups');
  });
  test('an empty frame', () => {
    assert.equal(templateSummary([], []), 'No objects detected');
  });
});
