// Plane geometry for zones and lines, in any coordinates where x grows rightwards and y
// downwards (the scene uses fractions 0-1 of the frame; every test below is invariant under
// scaling each axis by a positive factor, so fractions and pixels give the same answers).
// Comparisons are exact on the doubles given: a point is "on" an edge only when the
// orientation test is exactly 0.
import type { Box } from '../detect/types.js';

/** [x, y]. */
export type Point = readonly [x: number, y: number];

/** Where an object stands: its box's bottom centre (feet, wheels: the default) or its centre. */
export type Anchor = 'bottom_center' | 'center';

/** The anchor's x in the box's own units. */
export const anchorX = (box: Box): number => box.x + box.width / 2;
/** The anchor's y in the box's own units. */
export const anchorY = (box: Box, anchor: Anchor): number => (anchor === 'center' ? box.y + box.height / 2 : box.y + box.height);

/**
 * Twice the signed area of triangle a, b, p: > 0 when p is on the side of a→b reached by
 * turning clockwise on screen (y down), < 0 on the other side, 0 when collinear.
 */
export function orientation(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/** p lies on the closed segment a-b (endpoints included). */
export function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return (
    orientation(ax, ay, bx, by, px, py) === 0 &&
    px >= Math.min(ax, bx) &&
    px <= Math.max(ax, bx) &&
    py >= Math.min(ay, by) &&
    py <= Math.max(ay, by)
  );
}

/**
 * How the closed segments a-b and c-d meet: `proper` when they cross at a single point inside
 * both; `touch` when they share a point but only at an endpoint of one of them (an endpoint on
 * the other segment) or they overlap collinearly; `none` when they have no point in common.
 */
export type SegmentContact = 'none' | 'proper' | 'touch';

export function segmentContact(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): SegmentContact {
  const o1 = orientation(ax, ay, bx, by, cx, cy);
  const o2 = orientation(ax, ay, bx, by, dx, dy);
  const o3 = orientation(cx, cy, dx, dy, ax, ay);
  const o4 = orientation(cx, cy, dx, dy, bx, by);
  if (o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) {
    return o1 > 0 !== o2 > 0 && o3 > 0 !== o4 > 0 ? 'proper' : 'none';
  }
  if (
    onSegment(ax, ay, bx, by, cx, cy) ||
    onSegment(ax, ay, bx, by, dx, dy) ||
    onSegment(cx, cy, dx, dy, ax, ay) ||
    onSegment(cx, cy, dx, dy, bx, by)
  ) {
    return 'touch';
  }
  return 'none';
}

/**
 * Whether (x, y) is inside the closed polygon: a point exactly on an edge or a vertex counts
 * as inside. Concave polygons are fine (even-odd ray casting, W. R. Franklin's PNPOLY rule
 * for the interior, preceded by an exact on-edge test).
 */
export function pointInPolygon(x: number, y: number, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (onSegment(xj, yj, xi, yi, x, y)) return true;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The polygon's area (shoelace formula), always ≥ 0 whichever way it winds. */
export function polygonArea(polygon: readonly Point[]): number {
  let twice = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    twice += polygon[j]![0] * polygon[i]![1] - polygon[i]![0] * polygon[j]![1];
  }
  return Math.abs(twice) / 2;
}

/**
 * The first pair of edges (indices of their start vertices, edge i runs from vertex i to
 * i+1) that meet anywhere other than the vertex two neighbouring edges share, or undefined for
 * a simple polygon. Neighbouring edges that fold back over each other count as meeting, and so
 * does a repeated vertex. O(n²): for configuration time, not the hot path.
 */
export function selfIntersection(polygon: readonly Point[]): [number, number] | undefined {
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = polygon[i]!;
    const [bx, by] = polygon[(i + 1) % n]!;
    if (ax === bx && ay === by) return [i, (i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      const [cx, cy] = polygon[j]!;
      const [dx, dy] = polygon[(j + 1) % n]!;
      const contact = segmentContact(ax, ay, bx, by, cx, cy, dx, dy);
      if (contact === 'none') continue;
      const neighbours = j === i + 1 || (i === 0 && j === n - 1);
      if (!neighbours) return [i, j];
      // Neighbours share one vertex; they intersect further only when collinear and overlapping.
      const shared: Point = j === i + 1 ? [bx, by] : [ax, ay];
      const far: Point = j === i + 1 ? [dx, dy] : [cx, cy];
      const own: Point = j === i + 1 ? [ax, ay] : [bx, by];
      if (
        orientation(own[0], own[1], shared[0], shared[1], far[0], far[1]) === 0 &&
        (far[0] - shared[0]) * (own[0] - shared[0]) + (far[1] - shared[1]) * (own[1] - shared[1]) > 0
      ) {
        return [i, j];
      }
    }
  }
  return undefined;
}
