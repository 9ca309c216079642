// The zone helper's output: one zone or line as the cameras file takes it (docs/scene.md),
// points as fractions of the frame with three decimals. Names and labels are written as JSON
// strings, which YAML reads as they are. No DOM here: tests run it under Node too.

export type Point = [number, number];

export interface ShapeDraft {
  kind: 'zone' | 'line';
  name: string;
  points: readonly Point[];
  labels: readonly string[];
  /** Lines: which crossing is `in`. */
  in: string;
}

export const NAME_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

const fraction = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
const point = ([x, y]: Point): string => `[${fraction(x)}, ${fraction(y)}]`;

/** Points typed as "x,y x,y …" (fractions); undefined when a pair is not two numbers. */
export function parsePoints(text: string): Point[] | undefined {
  const pairs = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const points: Point[] = [];
  for (const pair of pairs) {
    const [x, y, extra] = pair.split(',').map(Number);
    if (x === undefined || y === undefined || extra !== undefined || !Number.isFinite(x) || !Number.isFinite(y)) return undefined;
    points.push([fraction(x), fraction(y)]);
  }
  return points;
}

export const formatPoints = (points: readonly Point[]): string => points.map(([x, y]) => `${fraction(x)},${fraction(y)}`).join(' ');

/** The snippet, or why there is none yet. */
export function shapeYaml(shape: ShapeDraft): { ok: true; yaml: string } | { ok: false; problem: string } {
  if (!NAME_PATTERN.test(shape.name) || shape.name === 'frame')
    return { ok: false, problem: 'Name: 1 to 64 letters, digits or . _ : - (not "frame").' };
  const labels = shape.labels.length === 0 ? '' : `\n    labels: [${shape.labels.map((label) => JSON.stringify(label)).join(', ')}]`;
  if (shape.kind === 'zone') {
    if (shape.points.length < 3) return { ok: false, problem: `A zone needs at least 3 points (${shape.points.length} so far).` };
    return {
      ok: true,
      yaml: `zones:\n  - name: ${JSON.stringify(shape.name)}\n    points: [${shape.points.map(point).join(', ')}]${labels}\n`,
    };
  }
  if (shape.points.length !== 2) return { ok: false, problem: `A line needs exactly 2 points (${shape.points.length} so far).` };
  const [from, to] = shape.points as [Point, Point];
  return {
    ok: true,
    yaml: `lines:\n  - name: ${JSON.stringify(shape.name)}\n    from: ${point(from)}\n    to: ${point(to)}\n    in: ${shape.in}${labels}\n`,
  };
}
