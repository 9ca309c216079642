// Replays recorded detections through a camera scene: JSON lines in, JSON lines out. Each
// input line is one frame {"t": seconds, "width": W, "height": H, "objects": [...]}, objects
// as the detect API returns them ({label, class_id, score, box: {x, y, width, height}}, pixels).
// Output, in order: per frame a `frame` record (the objects with track_id) followed by that
// frame's `event` records; an `error` record for each line that cannot be used (it names the
// line, and the replay goes on without it); at the end one `counts` record.
import type { DetectedObject } from '../detect/types.js';
import { CameraScene, type SceneConfig, type SceneCounts, type SceneEvent, type TrackedObject } from './camera-scene.js';

export type ReplayRecord =
  | { frame: { line: number; t: number; width: number; height: number; objects: TrackedObject[] } }
  | { event: SceneEvent }
  | { error: { line: number; message: string } }
  | { counts: SceneCounts & { frames: number; errors: number } };

interface ReplayFrame {
  t: number;
  width: number;
  height: number;
  objects: DetectedObject[];
}

/** The largest |t| taken, in seconds: about 31 700 years, past any clock, below Unix milliseconds of today. */
const MAX_T = 1e12;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The frame a line holds, or why not. */
export function parseReplayLine(text: string): { ok: true; value: ReplayFrame } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value)) return { ok: false, error: 'not a JSON object' };
  const { t, width, height, objects } = value;
  if (!finite(t)) return { ok: false, error: `"t" ${JSON.stringify(t ?? null)} is not a number of seconds` };
  if (Math.abs(t) > MAX_T)
    return { ok: false, error: `"t" ${t} is not a number of seconds from -1e12 to 1e12 (milliseconds? divide them by 1000)` };
  if (!finite(width) || width <= 0 || !finite(height) || height <= 0) {
    return {
      ok: false,
      error: `"width" and "height" must be positive numbers of pixels, not ${JSON.stringify(width ?? null)} × ${JSON.stringify(height ?? null)}`,
    };
  }
  if (!Array.isArray(objects)) return { ok: false, error: '"objects" is not a list' };
  for (let i = 0; i < objects.length; i++) {
    const object: unknown = objects[i];
    const box = isRecord(object) ? object.box : undefined;
    if (
      !isRecord(object) ||
      typeof object.label !== 'string' ||
      !finite(object.class_id) ||
      !finite(object.score) ||
      !isRecord(box) ||
      !finite(box.x) ||
      !finite(box.y) ||
      !finite(box.width) ||
      !finite(box.height) ||
      box.width <= 0 ||
      box.height <= 0
    ) {
      return {
        ok: false,
        error: `objects[${i}] is not {label, class_id, score, box: {x, y, width, height}} with a positive width and height`,
      };
    }
  }
  return { ok: true, value: { t, width, height, objects: objects as DetectedObject[] } };
}

/** Replays `lines` (blank lines skipped; line numbers count from 1) through a fresh scene of `cameraId`. */
export async function* replay(
  lines: AsyncIterable<string> | Iterable<string>,
  cameraId: string,
  config: SceneConfig,
): AsyncGenerator<ReplayRecord> {
  const scene = new CameraScene(cameraId, config);
  let number = 0;
  let frames = 0;
  let errors = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    const parsed = parseReplayLine(text);
    if (!parsed.ok) {
      errors++;
      yield { error: { line: number, message: `line ${number}: ${parsed.error}` } };
      continue;
    }
    const { t, width, height, objects } = parsed.value;
    const result = scene.update(t, width, height, objects);
    if (!result.ok) {
      errors++;
      const message =
        result.error.reason === 'time_went_back'
          ? `"t" ${t} is earlier than the previous frame's ${result.error.last}`
          : `"t" ${t} is not a time`;
      yield { error: { line: number, message: `line ${number}: ${message}` } };
      continue;
    }
    frames++;
    yield { frame: { line: number, t, width, height, objects: result.value.objects } };
    for (const event of result.value.events) yield { event };
  }
  yield { counts: { ...scene.counts(), frames, errors } };
}

/** replay, each record as one line of JSON. */
export async function* replayLines(
  lines: AsyncIterable<string> | Iterable<string>,
  cameraId: string,
  config: SceneConfig,
): AsyncGenerator<string> {
  for await (const record of replay(lines, cameraId, config)) yield JSON.stringify(record);
}
