// Clusters detected people into groups by proximity relative to their size: two people are
// linked when the gap between their boxes is at most `distance` times their mean box height
// and their heights differ by at most 2× (a near and a far person that overlap in the image
// are not standing together). Groups are the connected components (union-find) of at least
// `minSize` people.
import type { Box, DetectedObject, PersonGroup } from './types.js';

export interface GroupingOptions {
  distance: number;
  minSize: number;
}

const MAX_HEIGHT_RATIO = 2;

/** Gap between two boxes (0 when they touch or overlap), in pixels. */
export function boxGap(a: Box, b: Box): number {
  const dx = Math.max(0, Math.max(a.x, b.x) - Math.min(a.x + a.width, b.x + b.width));
  const dy = Math.max(0, Math.max(a.y, b.y) - Math.min(a.y + a.height, b.y + b.height));
  return Math.hypot(dx, dy);
}

function linked(a: Box, b: Box, distance: number): boolean {
  const low = Math.min(a.height, b.height);
  const high = Math.max(a.height, b.height);
  if (low <= 0 || high / low > MAX_HEIGHT_RATIO) return false;
  return boxGap(a, b) / ((a.height + b.height) / 2) <= distance;
}

function unionBox(boxes: Box[]): Box {
  const left = Math.min(...boxes.map((box) => box.x));
  const top = Math.min(...boxes.map((box) => box.y));
  const right = Math.max(...boxes.map((box) => box.x + box.width));
  const bottom = Math.max(...boxes.map((box) => box.y + box.height));
  return { x: left, y: top, width: Math.round((right - left) * 100) / 100, height: Math.round((bottom - top) * 100) / 100 };
}

export function groupPeople(objects: readonly DetectedObject[], options: GroupingOptions): PersonGroup[] {
  const people = objects.flatMap((object, index) => (object.label === 'person' ? [index] : []));
  const parent = people.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < people.length; i++) {
    for (let j = i + 1; j < people.length; j++) {
      if (linked(objects[people[i]!]!.box, objects[people[j]!]!.box, options.distance)) parent[find(i)] = find(j);
    }
  }
  const components = new Map<number, number[]>();
  people.forEach((objectIndex, i) => {
    const root = find(i);
    components.set(root, [...(components.get(root) ?? []), objectIndex]);
  });
  const groups: PersonGroup[] = [];
  for (const members of components.values()) {
    if (members.length < options.minSize) continue;
    members.sort((a, b) => a - b);
    groups.push({ id: groups.length, members, box: unionBox(members.map((index) => objects[index]!.box)), size: members.length });
  }
  return groups;
}
