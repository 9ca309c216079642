// `npx algo scene replay --cameras FILE --camera ID [--labels a,b,…] < detections.jsonl`: the
// camera's tracker, zones and lines from the cameras file, run over recorded detections (JSON
// lines {"t", "width", "height", "objects"}) — each frame back with track ids, then its events,
// then the final counts, as JSON lines on stdout (see scene/replay.ts). Labels are checked
// against COCO's 80 classes unless --labels lists the model's own.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadCameras } from '../cameras/camera-config.js';
import { COCO80 } from '../detect/formats/class-names.js';
import { parseSceneConfig } from '../scene/scene-config.js';
import { replayLines } from '../scene/replay.js';

export const SCENE_USAGE = `Usage: npx algo scene replay --cameras FILE --camera ID [--labels person,car,…] < detections.jsonl

  Replays recorded detections (one JSON object a line: {"t": seconds, "width": W, "height": H,
  "objects": [...]}, objects as POST /api/v1/detect returns them) through camera ID's tracker,
  zones and lines from the cameras file, and writes JSON lines: {"frame": …} with track_id per
  object, {"event": …} for each event, {"error": …} for a line it cannot use, {"counts": …} last.

  --labels   the model's class names (default: COCO's 80, as the built-in model)
`;

export class SceneUsageError extends Error {}

/** The flags of `npx algo scene replay`. */
export const SCENE_REPLAY_OPTIONS = {
  cameras: { type: 'string' },
  camera: { type: 'string' },
  labels: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `algo scene …`; resolves to the exit code. */
export async function sceneCommand(
  argv: string[],
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  maxCameras = 10_000,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'replay')
    throw new SceneUsageError(sub === undefined ? 'no scene command given' : `unknown scene command ${JSON.stringify(sub)}`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: SCENE_REPLAY_OPTIONS,
      strict: true,
    }));
  } catch (error) {
    throw new SceneUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    output.write(SCENE_USAGE);
    return 0;
  }
  if (values.cameras === undefined || values.camera === undefined) throw new SceneUsageError('--cameras FILE and --camera ID are required');
  const { scenes } = loadCameras(values.cameras, maxCameras);
  const entry = scenes.find((scene) => scene.cameraId === values.camera);
  if (entry === undefined) {
    const known = scenes.map((scene) => scene.cameraId);
    throw new SceneUsageError(
      `camera ${JSON.stringify(values.camera)} has no scene in ${values.cameras} (tracked cameras: ${known.length === 0 ? 'none' : known.join(', ')})`,
    );
  }
  const labels = values.labels === undefined ? COCO80 : values.labels.split(',').map((label) => label.trim());
  const config = parseSceneConfig(entry.cameraId, entry.raw, labels, values.cameras);
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of replayLines(lines, entry.cameraId, config)) {
    if (!output.write(`${line}\n`)) await new Promise((resolve) => output.once('drain', resolve));
  }
  return 0;
}
