// The MOT evaluator the tracker is measured with, checked on hand-made sequences whose
// scores can be counted on paper.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateMot, type MotFrame, type MotObject } from '../helpers/mot.js';

const at = (id: number, x: number): MotObject => ({ id, box: { x, y: 0, width: 10, height: 10 } });
/** n frames; `truth(k)` and `hyp(k)` give frame k's objects. */
const sequence = (n: number, truth: (k: number) => MotObject[], hyp: (k: number) => MotObject[]): MotFrame[] =>
  Array.from({ length: n }, (_, k) => ({ truth: truth(k), hypotheses: hyp(k) }));

test('a perfect tracker scores IDF1 1 with no ID switch and no fragmentation', () => {
  const frames = sequence(
    10,
    (k) => [at(1, k), at(2, 100 + k)],
    (k) => [at(7, k), at(8, 100 + k)],
  );
  const scores = evaluateMot(frames);
  assert.equal(scores.idf1, 1);
  assert.equal(scores.idSwitches, 0);
  assert.equal(scores.fragmentations, 0);
  assert.equal(scores.matches, 20);
});

test('two hypotheses swapping halfway are two ID switches and IDF1 0.5', () => {
  const frames = sequence(
    10,
    (k) => [at(1, k), at(2, 100 + k)],
    (k) => (k < 5 ? [at(7, k), at(8, 100 + k)] : [at(8, k), at(7, 100 + k)]),
  );
  const scores = evaluateMot(frames);
  assert.equal(scores.idSwitches, 2);
  assert.equal(scores.idf1, 0.5);
  assert.equal(scores.fragmentations, 0);
});

test('a gap in the hypothesis resumed with the same id is one fragmentation and no switch', () => {
  const frames = sequence(
    10,
    (k) => [at(1, k)],
    (k) => (k === 3 || k === 4 ? [] : [at(7, k)]),
  );
  const scores = evaluateMot(frames);
  assert.equal(scores.fragmentations, 1);
  assert.equal(scores.idSwitches, 0);
  assert.equal(scores.misses, 2);
  // IDTP 8 of 10 truth and 8 hypothesis boxes.
  assert.equal(scores.idf1, (2 * 8) / 18);
});

test('a gap resumed under a new id is a fragmentation and a switch, and IDF1 keeps the longer identity', () => {
  const frames = sequence(
    10,
    (k) => [at(1, k)],
    (k) => (k < 3 ? [at(7, k)] : k < 5 ? [] : [at(9, k)]),
  );
  const scores = evaluateMot(frames);
  assert.equal(scores.fragmentations, 1);
  assert.equal(scores.idSwitches, 1);
  assert.equal(scores.idf1, (2 * 5) / 18);
});

test('a hypothesis overlapping its truth below IoU 0.5 is a miss and a false positive', () => {
  // Boxes 10 wide shifted by 4: IoU 6/14 ≈ 0.43.
  const scores = evaluateMot(
    sequence(
      4,
      () => [at(1, 0)],
      () => [at(7, 4)],
    ),
  );
  assert.equal(scores.matches, 0);
  assert.equal(scores.misses, 4);
  assert.equal(scores.falsePositives, 4);
  assert.equal(scores.idf1, 0);
});

test('a correspondence that still holds is kept even when another hypothesis overlaps more', () => {
  // Truth 1 at x=0 matched to 7 first; then 8 appears exactly on it while 7 is still at IoU ≥ 0.5.
  const frames = sequence(
    4,
    () => [at(1, 0)],
    (k) => (k === 0 ? [at(7, 0)] : [at(7, 2), at(8, 0)]),
  );
  const scores = evaluateMot(frames);
  assert.equal(scores.idSwitches, 0);
  assert.equal(scores.falsePositives, 3);
});
