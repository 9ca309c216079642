// The zone helper's output: one zone or line as the cameras file takes it (docs/scene.md),
// points as fractions of the frame with three decimals, indented to be pasted as it is under
// the camera's `- id:` entry (a comment line names the camera). Names and labels are written as
// JSON strings, which YAML reads as they are. No DOM here: tests run it under Node too.

export type Point = [number, number];

export interface ShapeDraft {
  kind: 'zone' | 'line';
  name: string;
  points: readonly Point[];
  labels: readonly string[];
  /** Lines: which crossing is `in`. */
  in: string;
  /** The camera the snippet is for (named in its comment line). */
  camera: string;
  /** Names of the camera's zones and lines now (start-up refuses a name used twice). */
  taken?: readonly string[];
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

/** The snippet (with a warning when its name is already used), or why there is none yet. */
export function shapeYaml(shape: ShapeDraft): { ok: true; yaml: string; warning?: string } | { ok: false; problem: string } {
  if (!NAME_PATTERN.test(shape.name) || shape.name === 'frame')
    return { ok: false, problem: 'Name: 1 to 64 letters, digits or . _ : - (not "frame").' };
  const labels = shape.labels.length === 0 ? '' : `\n        labels: [${shape.labels.map((label) => JSON.stringify(label)).join(', ')}]`;
  const key = shape.kind === 'zone' ? 'zones' : 'lines';
  const head =
    `# Paste under camera ${JSON.stringify(shape.camera)} in the cameras file: below its "- id: ${shape.camera}" line, indented as it is.\n` +
    `# If that camera has ${key}: already, paste only the "- name" item under it.\n` +
    `    ${key}:\n`;
  const warning =
    shape.taken?.includes(shape.name) === true
      ? `This camera already has a zone or line named ${JSON.stringify(shape.name)}: algo refuses to start with a name used twice (rename it, or replace the old one).`
      : undefined;
  const done = (yaml: string) => (warning === undefined ? { ok: true as const, yaml } : { ok: true as const, yaml, warning });
  if (shape.kind === 'zone') {
    if (shape.points.length < 3) return { ok: false, problem: `A zone needs at least 3 points (${shape.points.length} so far).` };
    return done(`${head}      - name: ${JSON.stringify(shape.name)}\n        points: [${shape.points.map(point).join(', ')}]${labels}\n`);
  }
  if (shape.points.length !== 2) return { ok: false, problem: `A line needs exactly 2 points (${shape.points.length} so far).` };
  const [from, to] = shape.points as [Point, Point];
  return done(
    `${head}      - name: ${JSON.stringify(shape.name)}\n        from: ${point(from)}\n        to: ${point(to)}\n        in: ${shape.in}${labels}\n`,
  );
}
