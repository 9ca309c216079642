// The assignment solver against exhaustive search, and its handling of forbidden pairs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FORBIDDEN, HungarianSolver } from '../../src/scene/hungarian.js';
import { seededRandom } from './synthetic.js';

/** The most allowed pairs, then the least cost, over every partial assignment of allowed pairs. */
function bruteForceAllowed(cost: Float64Array, rows: number, cols: number): [number, number] {
  let best: [number, number] = [0, 0];
  const usedCols = new Set<number>();
  const visit = (row: number, pairs: number, total: number): void => {
    if (row === rows) {
      if (pairs > best[0] || (pairs === best[0] && total < best[1])) best = [pairs, total];
      return;
    }
    visit(row + 1, pairs, total);
    for (let c = 0; c < cols; c++) {
      if (usedCols.has(c) || cost[row * cols + c]! >= FORBIDDEN) continue;
      usedCols.add(c);
      visit(row + 1, pairs + 1, total + cost[row * cols + c]!);
      usedCols.delete(c);
    }
  };
  visit(0, 0, 0);
  return best;
}

test('the solver finds the least total cost of random square and rectangular matrices', () => {
  const random = seededRandom(7);
  const solver = new HungarianSolver();
  for (let round = 0; round < 200; round++) {
    const rows = 1 + Math.floor(random() * 6);
    const cols = 1 + Math.floor(random() * 6);
    const cost = Float64Array.from({ length: rows * cols }, () => Math.round(random() * 100) / 10);
    const assignment = solver.solve(cost, rows, cols);
    const columns = new Set<number>();
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const c = assignment[r]!;
      if (c < 0) continue;
      assert.ok(!columns.has(c), 'each column at most once');
      columns.add(c);
      total += cost[r * cols + c]!;
    }
    assert.equal(columns.size, Math.min(rows, cols));
    assert.ok(Math.abs(total - bruteForceAllowed(cost, rows, cols)[1]) < 1e-9, `round ${round}: ${total} is not the least`);
  }
});

test('forbidden pairs are used only when nothing else is left, so the allowed pairs are the most possible', () => {
  // Row 0 may take column 0 or 1, row 1 only column 0: the cheap pair (0,0) would leave row 1 out.
  const cost = Float64Array.from([0.1, 0.9, 0.5, FORBIDDEN]);
  const assignment = new HungarianSolver().solve(cost, 2, 2);
  assert.deepEqual([...assignment.slice(0, 2)], [1, 0]);
});

test('an empty side assigns nothing', () => {
  const solver = new HungarianSolver();
  assert.deepEqual([...solver.solve(new Float64Array(0), 3, 0).slice(0, 3)], [-1, -1, -1]);
});

test('assign, split into groups no allowed pair links, gives only allowed pairs: the most of them at the least cost', () => {
  const random = seededRandom(11);
  const solver = new HungarianSolver();
  for (let round = 0; round < 300; round++) {
    const rows = 1 + Math.floor(random() * 7);
    const cols = 1 + Math.floor(random() * 7);
    const density = random();
    const cost = Float64Array.from({ length: rows * cols }, () => (random() < density ? Math.round(random() * 20) / 10 : FORBIDDEN));
    const assignment = solver.assign(cost, rows, cols);
    const columns = new Set<number>();
    let pairs = 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const c = assignment[r]!;
      if (c < 0) continue;
      assert.ok(cost[r * cols + c]! < FORBIDDEN, 'an allowed pair');
      assert.ok(!columns.has(c), 'each column at most once');
      columns.add(c);
      pairs++;
      total += cost[r * cols + c]!;
    }
    const [bestPairs, bestTotal] = bruteForceAllowed(cost, rows, cols);
    assert.equal(pairs, bestPairs, `round ${round}`);
    assert.ok(Math.abs(total - bestTotal) < 1e-9, `round ${round}: ${total} is not the least (${bestTotal})`);
  }
});
