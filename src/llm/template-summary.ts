// The deterministic scene summary used when the LLM is not configured or fails, e.g.
// "3 people in 1 group, 1 dog": people first, then other classes by count and name.
import type { DetectedObject, PersonGroup } from '../detect/types.js';

const IRREGULAR: Record<string, string> = {
  person: 'people',
  mouse: 'mice',
  knife: 'knives',
  sheep: 'sheep',
  skis: 'skis',
  scissors: 'scissors',
};

export function plural(label: string, n: number): string {
  if (n === 1) return label;
  const irregular = IRREGULAR[label];
  if (irregular !== undefined) return irregular;
  return /(s|sh|ch|x)$/.test(label) ? `${label}es` : `${label}s`;
}

/** Objects per label, most frequent first (ties by label), people always first. */
export function countByLabel(objects: readonly DetectedObject[]): Array<[label: string, count: number]> {
  const counts = new Map<string, number>();
  for (const object of objects) counts.set(object.label, (counts.get(object.label) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => Number(b === 'person') - Number(a === 'person') || y - x || a.localeCompare(b));
}

export function templateSummary(objects: readonly DetectedObject[], groups: readonly PersonGroup[]): string {
  const parts = countByLabel(objects).map(([label, n]) => {
    const text = `${n} ${plural(label, n)}`;
    return label === 'person' && groups.length > 0 ? `${text} in ${groups.length} ${plural('group', groups.length)}` : text;
  });
  return parts.length === 0 ? 'No objects detected' : parts.join(', ');
}
