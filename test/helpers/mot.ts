// A small multi-object-tracking evaluator for the tracker's tests.
//  - CLEAR MOT (Bernardin & Stiefelhagen 2008): per frame, ground-truth objects keep the
//    hypothesis they were matched to in the previous frame while the IoU stays ≥ the threshold;
//    the rest are matched by minimum-cost assignment on 1 − IoU among pairs with IoU ≥ the
//    threshold. An ID switch is a ground-truth object matched to another hypothesis id than the
//    last one it was matched to; a fragmentation is a ground-truth trajectory tracked again
//    after having been tracked and then missed (MOT16's definition, Milan et al. 2016).
//  - IDF1 (Ristani et al. 2016, "Performance Measures and a Data Set for Multi-Target,
//    Multi-Camera Tracking"): ground-truth ids and hypothesis ids are matched one to one over
//    the whole sequence so that the identity true positives — frames where a matched pair are
//    both present with IoU ≥ the threshold — are the most; IDF1 = 2·IDTP / (GT boxes + hypothesis boxes).
import type { Box } from '../../src/detect/types.js';
import { FORBIDDEN, HungarianSolver } from '../../src/scene/hungarian.js';
import { boxIou } from '../../src/scene/match-cost.js';

export interface MotObject {
  id: number;
  box: Box;
}

export interface MotFrame {
  truth: MotObject[];
  hypotheses: MotObject[];
}

export interface MotScores {
  idSwitches: number;
  fragmentations: number;
  idf1: number;
  /** Identity precision and recall (IDP, IDR). */
  idPrecision: number;
  idRecall: number;
  /** CLEAR MOT matches, misses and false positives over all frames. */
  matches: number;
  misses: number;
  falsePositives: number;
  truthBoxes: number;
  hypothesisBoxes: number;
}

export function evaluateMot(frames: readonly MotFrame[], iouThreshold = 0.5): MotScores {
  const solver = new HungarianSolver();
  const lastMatch = new Map<number, number>();
  const wasTracked = new Map<number, boolean>();
  const everTracked = new Set<number>();
  const idtp = new Map<number, Map<number, number>>();
  const truthCount = new Map<number, number>();
  const hypothesisCount = new Map<number, number>();
  let idSwitches = 0;
  let fragmentations = 0;
  let matches = 0;
  let truthBoxes = 0;
  let hypothesisBoxes = 0;

  for (const { truth, hypotheses } of frames) {
    truthBoxes += truth.length;
    hypothesisBoxes += hypotheses.length;
    for (const g of truth) truthCount.set(g.id, (truthCount.get(g.id) ?? 0) + 1);
    for (const h of hypotheses) hypothesisCount.set(h.id, (hypothesisCount.get(h.id) ?? 0) + 1);
    for (const g of truth) {
      for (const h of hypotheses) {
        if (boxIou(g.box, h.box) < iouThreshold) continue;
        const row = idtp.get(g.id) ?? new Map<number, number>();
        row.set(h.id, (row.get(h.id) ?? 0) + 1);
        idtp.set(g.id, row);
      }
    }

    // CLEAR MOT: keep last frame's correspondences that still hold, assign the rest.
    const matchOf = new Map<number, number>();
    const usedHypotheses = new Set<number>();
    for (const g of truth) {
      const previous = lastMatch.get(g.id);
      const h = previous === undefined ? undefined : hypotheses.find((candidate) => candidate.id === previous);
      if (h !== undefined && !usedHypotheses.has(h.id) && boxIou(g.box, h.box) >= iouThreshold) {
        matchOf.set(g.id, h.id);
        usedHypotheses.add(h.id);
      }
    }
    const openTruth = truth.filter((g) => !matchOf.has(g.id));
    const openHypotheses = hypotheses.filter((h) => !usedHypotheses.has(h.id));
    const cost = new Float64Array(openTruth.length * openHypotheses.length);
    openTruth.forEach((g, r) =>
      openHypotheses.forEach((h, c) => {
        const overlap = boxIou(g.box, h.box);
        cost[r * openHypotheses.length + c] = overlap >= iouThreshold ? 1 - overlap : FORBIDDEN;
      }),
    );
    const assignment = solver.solve(cost, openTruth.length, openHypotheses.length);
    openTruth.forEach((g, r) => {
      const c = assignment[r]!;
      if (c >= 0 && cost[r * openHypotheses.length + c]! < FORBIDDEN) matchOf.set(g.id, openHypotheses[c]!.id);
    });

    for (const g of truth) {
      const h = matchOf.get(g.id);
      const tracked = h !== undefined;
      if (tracked) {
        matches++;
        const previous = lastMatch.get(g.id);
        if (previous !== undefined && previous !== h) idSwitches++;
        lastMatch.set(g.id, h);
        if (everTracked.has(g.id) && wasTracked.get(g.id) === false) fragmentations++;
        everTracked.add(g.id);
      }
      wasTracked.set(g.id, tracked);
    }
  }

  // IDF1: one-to-one matching of ids maximising the identity true positives.
  const truthIds = [...truthCount.keys()];
  const hypothesisIds = [...hypothesisCount.keys()];
  const cost = new Float64Array(truthIds.length * hypothesisIds.length);
  truthIds.forEach((g, r) => hypothesisIds.forEach((h, c) => (cost[r * hypothesisIds.length + c] = -(idtp.get(g)?.get(h) ?? 0))));
  const assignment = solver.solve(cost, truthIds.length, hypothesisIds.length);
  let identityTruePositives = 0;
  truthIds.forEach((_, r) => {
    const c = assignment[r]!;
    if (c >= 0) identityTruePositives -= cost[r * hypothesisIds.length + c]!;
  });
  const total = truthBoxes + hypothesisBoxes;
  return {
    idSwitches,
    fragmentations,
    idf1: total === 0 ? 1 : (2 * identityTruePositives) / total,
    idPrecision: hypothesisBoxes === 0 ? 1 : identityTruePositives / hypothesisBoxes,
    idRecall: truthBoxes === 0 ? 1 : identityTruePositives / truthBoxes,
    matches,
    misses: truthBoxes - matches,
    falsePositives: hypothesisBoxes - matches,
    truthBoxes,
    hypothesisBoxes,
  };
}
