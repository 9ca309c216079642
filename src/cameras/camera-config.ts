// The cameras file (ALGO_CAMERAS_FILE): YAML with a `cameras` list, validated once at start-up.
// Unknown keys, duplicate ids, bad URLs and out-of-range values stop the process with a
// ConfigError naming the file, the camera and what is allowed; URLs in messages are masked.
// An entry without a url is a push camera (its frames arrive over HTTP or Kafka). The scene
// keys (track, zones, lines) are kept raw here and validated by scene/scene-config.ts once the
// model's labels are known.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { CAMERA_ID_PATTERN, RESERVED_CAMERA_IDS } from '../camera-id.js';
import { maskUrl } from '../redact.js';
import { SCENE_KEYS } from '../scene/scene-config.js';
import { hasUnencodedUserinfo } from './url-userinfo.js';

export type CameraSourceKind = 'rtsp' | 'http' | 'file';

export interface CameraConfig {
  /** The camera_id of its detections and metrics. */
  id: string;
  /** As configured (may hold credentials: show maskUrl(url) instead). */
  url: string;
  kind: CameraSourceKind;
  /** Frames per second sent on to detection. */
  detectFps: number;
  enabled: boolean;
  /** No frame for this long marks the camera down and restarts its ffmpeg. */
  stallTimeoutSeconds: number;
}

/**
 * A tracked camera: one algo reads with scene keys, or a push camera (no url, always tracked).
 * `raw` is its entry in the file, read by parseSceneConfig once the model's labels are known.
 */
export interface CameraSceneEntry {
  cameraId: string;
  push: boolean;
  /** A disabled camera's scene keys are validated, but it delivers no frame: no scene runs. */
  enabled: boolean;
  raw: Readonly<Record<string, unknown>>;
}

export interface CamerasFile {
  /** The cameras algo reads (entries with a url). */
  cameras: CameraConfig[];
  /** The cameras whose frames are tracked. */
  scenes: CameraSceneEntry[];
}

/** The cameras part of the configuration: the cameras file, parsed, and how streams are read. */
export interface CamerasConfig {
  /** ALGO_CAMERAS_FILE, when set. */
  file: string | undefined;
  cameras: CameraConfig[];
  scenes: CameraSceneEntry[];
  /** The ffmpeg executable cameras are read with. */
  ffmpegPath: string;
}

export const CAMERA_DEFAULTS = { detectFps: 2, stallTimeoutSeconds: 20 } as const;
const KEYS = ['id', 'url', 'detect_fps', 'enabled', 'stall_timeout_s', ...SCENE_KEYS] as const;
const PUSH_KEYS = ['id', ...SCENE_KEYS] as const;
const VARIABLE = 'ALGO_CAMERAS_FILE';

function sourceKind(url: string): CameraSourceKind | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'file';
  if (scheme === 'rtsp' || scheme === 'rtsps') return 'rtsp';
  if (scheme === 'http' || scheme === 'https') return 'http';
  return undefined;
}

function validUrl(url: string): boolean {
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

/** The cameras algo reads from the YAML text of a cameras file (see parseCamerasFile). */
export function parseCameras(text: string, file: string, maxCameras: number): CameraConfig[] {
  return parseCamerasFile(text, file, maxCameras).cameras;
}

/** Parses the YAML text of a cameras file; `file` names it in errors and anchors relative file paths. */
export function parseCamerasFile(text: string, file: string, maxCameras: number): CamerasFile {
  const fail = (where: string, allowed: string): never => {
    throw new ConfigError(VARIABLE, `${JSON.stringify(file)} (${where})`, allowed);
  };
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return fail(
      `not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'a YAML file with a `cameras:` list',
    );
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    Array.isArray(document) ||
    !Array.isArray((document as { cameras?: unknown }).cameras)
  ) {
    return fail('no `cameras:` list', 'a YAML file with a `cameras:` list of {id, url, detect_fps, enabled, stall_timeout_s}');
  }
  const extra = Object.keys(document).filter((key) => key !== 'cameras');
  if (extra.length > 0) fail(`unknown top-level key ${JSON.stringify(extra[0])}`, 'only `cameras`');
  const entries = (document as { cameras: unknown[] }).cameras;
  if (entries.length > maxCameras) fail(`${entries.length} cameras`, `at most ALGO_MAX_CAMERAS (${maxCameras}) cameras`);

  const seen = new Set<string>();
  const scenes: CameraSceneEntry[] = [];
  const cameras = entries.flatMap((entry, index): CameraConfig[] => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return fail(`cameras[${index}] is not a mapping`, 'each camera a mapping with id and url');
    const camera = entry as Record<string, unknown>;
    const id = camera.id;
    if (typeof id !== 'string' || !CAMERA_ID_PATTERN.test(id)) {
      return fail(
        `cameras[${index}] id ${JSON.stringify(id ?? null)}`,
        'an id of 1-64 letters, digits and . _ : - starting with a letter or digit',
      );
    }
    const where = `camera ${JSON.stringify(id)}`;
    if (RESERVED_CAMERA_IDS.has(id))
      fail(
        `${where}: id is reserved`,
        `an id other than ${[...RESERVED_CAMERA_IDS].join(' and ')} (they name the no-id and overflow buckets of the metrics)`,
      );
    const unknown = Object.keys(camera).find((key) => !(KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) fail(`${where}: unknown key ${JSON.stringify(unknown)}`, `only ${KEYS.join(', ')}`);
    if (seen.has(id)) fail(`${where}: duplicate id`, 'each camera id once');
    seen.add(id);

    const url = camera.url;
    if (url === undefined || url === null) {
      const extraKey = Object.keys(camera).find((key) => !(PUSH_KEYS as readonly string[]).includes(key));
      if (extraKey !== undefined)
        fail(`${where}: ${extraKey} without a url`, `a url to read the camera, or only ${PUSH_KEYS.join(', ')} for a push camera`);
      scenes.push({ cameraId: id, push: true, enabled: true, raw: camera });
      return [];
    }
    if (typeof url !== 'string' || url.trim() === '')
      return fail(`${where}: url ${JSON.stringify(url)}`, 'a url: rtsp://, rtsps://, http(s):// or a file path');
    const kind = sourceKind(url);
    if (kind === undefined)
      fail(`${where}: url ${JSON.stringify(maskUrl(url))}`, 'an rtsp://, rtsps://, http:// or https:// URL, or a file path');
    if (kind !== 'file' && hasUnencodedUserinfo(url))
      fail(
        `${where}: url ${JSON.stringify(maskUrl(url))}: its user name or password holds a raw #, / or ?`,
        'such a user name or password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40)',
      );
    if (kind !== 'file' && !validUrl(url))
      fail(`${where}: url ${JSON.stringify(maskUrl(url))} is not a valid URL`, 'scheme://host[:port]/path');
    let source = url;
    if (kind === 'file') {
      source = isAbsolute(url) ? url : resolve(dirname(resolve(file)), url);
      if (!existsSync(source) || !statSync(source).isFile())
        fail(`${where}: file ${JSON.stringify(maskUrl(url))} not found`, 'an existing video file');
    }

    const number = (key: string, fallback: number, min: number, max: number): number => {
      const value = camera[key] ?? fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
        // String(), not JSON: YAML's .inf/.nan would show as null.
        return fail(
          `${where}: ${key} ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
          `a number from ${min} to ${max}`,
        );
      }
      return value;
    };
    const enabled = camera.enabled ?? true;
    if (typeof enabled !== 'boolean') fail(`${where}: enabled ${JSON.stringify(enabled)}`, 'true or false');
    // Every enabled camera algo reads is tracked (its `frame` zone at least); track, zones and
    // lines refine it; `track: false` turns it off. A disabled camera delivers no frame, so it
    // has no scene and no series.
    if (camera.track === false) {
      const counting = (['zones', 'lines'] as const).find((key) => camera[key] !== undefined);
      if (counting !== undefined)
        fail(`${where}: ${counting} with track: false`, 'zones and lines only on a tracked camera (drop track: false)');
    } else scenes.push({ cameraId: id, push: false, enabled: enabled === true, raw: camera });
    return [
      {
        id,
        url: source,
        kind: kind!,
        detectFps: number('detect_fps', CAMERA_DEFAULTS.detectFps, 0.01, 60),
        enabled: enabled as boolean,
        stallTimeoutSeconds: number('stall_timeout_s', CAMERA_DEFAULTS.stallTimeoutSeconds, 1, 3600),
      },
    ];
  });
  return { cameras, scenes };
}

/** Reads and validates the cameras file; no file configured means no cameras. */
export function loadCameras(file: string | undefined, maxCameras: number): CamerasFile {
  if (file === undefined) return { cameras: [], scenes: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(VARIABLE, `${JSON.stringify(file)} (${reason})`, 'a readable YAML file');
  }
  return parseCamerasFile(text, file, maxCameras);
}
