// The scene keys of a camera in the cameras file (ALGO_CAMERAS_FILE): `track`, `zones` and
// `lines`, validated once at start-up. Every mistake is a ConfigError naming the file, the
// camera, the zone or line, the key and the value, and what is allowed — worded as
// camera-config.ts words its own.
import { CAMERA_ID_PATTERN } from '../camera-id.js';
import { ConfigError } from '../errors.js';
import { FRAME_ZONE, type SceneConfig } from './camera-scene.js';
import { orientation, polygonArea, selfIntersection, type Anchor, type Point } from './geometry.js';
import { inSide, LINE_DEFAULTS, LINE_DIRECTIONS, type LineConfig, type LineDirection } from './line.js';
import { TRACKER_DEFAULTS, type TrackerConfig } from './tracker.js';
import { ZONE_DEFAULTS, type ZoneConfig } from './zone.js';

/** The keys of a camera entry this module reads (camera-config.ts accepts them and hands them here). */
export const SCENE_KEYS = ['track', 'zones', 'lines'] as const;

const VARIABLE = 'ALGO_CAMERAS_FILE';
const TRACK_KEYS = ['labels', 'min_hits', 'track_buffer_s', 'high_score', 'low_score', 'new_track_score', 'max_distance'] as const;
const ZONE_KEYS = ['name', 'points', 'labels', 'loiter_s', 'min_frames', 'anchor'] as const;
const LINE_KEYS = ['name', 'from', 'to', 'in', 'labels', 'anchor'] as const;
const ANCHORS: readonly Anchor[] = ['bottom_center', 'center'];
/** Polygons smaller than this share of the frame are refused as having no area. */
const MIN_AREA = 1e-6;

type Mapping = Readonly<Record<string, unknown>>;

/** A value as a message shows it: numbers with String (YAML's .inf and .nan stay readable), the rest as JSON. */
const show = (value: unknown): string => (typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value)));

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads `track`, `zones` and `lines` of one camera entry (`raw`, the camera's mapping; other
 * keys are ignored). `knownLabels` are the loaded model's class names; `where` is the cameras
 * file's path, shown first in messages as in camera-config.ts. Absent keys mean: every label
 * tracked with the defaults, no zones, no lines.
 */
export function parseSceneConfig(cameraId: string, raw: Mapping, knownLabels: readonly string[], where: string): SceneConfig {
  const fail = (what: string, allowed: string): never => {
    throw new ConfigError(VARIABLE, `${JSON.stringify(where)} (camera ${JSON.stringify(cameraId)}: ${what})`, allowed);
  };
  const known = new Set(knownLabels);

  const unknownKey = (entry: Mapping, keys: readonly string[], what: string): void => {
    const extra = Object.keys(entry).find((key) => !keys.includes(key));
    if (extra !== undefined) fail(`${what}unknown key ${JSON.stringify(extra)}`, `only ${keys.join(', ')}`);
  };
  const number = (entry: Mapping, key: string, what: string, fallback: number, min: number, max: number, integer = false): number => {
    const value = entry[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      return fail(`${what}${key} ${show(value)}`, `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    }
    return value;
  };
  const labels = (entry: Mapping, what: string, allowed: ReadonlySet<string>, allowedText: string): string[] | undefined => {
    const value = entry.labels;
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.length === 0) return fail(`${what}labels ${show(value)}`, `a non-empty list of ${allowedText}`);
    const seen = new Set<string>();
    for (const label of value) {
      if (typeof label !== 'string' || !allowed.has(label)) return fail(`${what}label ${show(label)}`, allowedText);
      if (seen.has(label)) fail(`${what}label ${show(label)} repeated`, 'each label once');
      seen.add(label);
    }
    return [...seen];
  };
  const anchor = (entry: Mapping, what: string, fallback: Anchor): Anchor => {
    const value = entry.anchor ?? fallback;
    if (!ANCHORS.includes(value as Anchor)) return fail(`${what}anchor ${show(value)}`, ANCHORS.join(' or '));
    return value as Anchor;
  };
  const point = (value: unknown, what: string): Point => {
    if (
      !Array.isArray(value) ||
      value.length !== 2 ||
      !value.every((c: unknown) => typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 1)
    ) {
      return fail(`${what} ${show(value)}`, '[x, y] with x and y fractions of the frame from 0 to 1');
    }
    return [value[0] as number, value[1] as number];
  };
  const list = (key: 'zones' | 'lines'): Mapping[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return fail(`${key} ${show(value)}`, `a list of ${key === 'zones' ? 'zone' : 'line'} mappings`);
    return value.map((entry: unknown, index) =>
      isMapping(entry)
        ? entry
        : fail(`${key}[${index}] ${show(entry)} is not a mapping`, `each ${key === 'zones' ? 'zone' : 'line'} a mapping with a name`),
    );
  };

  // track
  const trackRaw = raw.track ?? {};
  if (!isMapping(trackRaw)) return fail(`track ${show(trackRaw)}`, `a mapping of ${TRACK_KEYS.join(', ')}`);
  unknownKey(trackRaw, TRACK_KEYS, 'track: ');
  const knownText = `labels the model knows (${knownLabels.length <= 12 ? knownLabels.join(', ') : `${knownLabels.slice(0, 12).join(', ')}…`})`;
  const trackLabels = labels(trackRaw, 'track: ', known, knownText);
  const highScore = number(trackRaw, 'high_score', 'track: ', TRACKER_DEFAULTS.highScore, 0, 1);
  const track: TrackerConfig = {
    labels: trackLabels,
    minHits: number(trackRaw, 'min_hits', 'track: ', TRACKER_DEFAULTS.minHits, 1, 100, true),
    trackBufferS: number(trackRaw, 'track_buffer_s', 'track: ', TRACKER_DEFAULTS.trackBufferS, 0, 600),
    highScore,
    lowScore: number(trackRaw, 'low_score', 'track: ', Math.min(TRACKER_DEFAULTS.lowScore, highScore), 0, highScore),
    newTrackScore: number(trackRaw, 'new_track_score', 'track: ', Math.max(TRACKER_DEFAULTS.newTrackScore, highScore), highScore, 1),
    maxDistance: number(trackRaw, 'max_distance', 'track: ', TRACKER_DEFAULTS.maxDistance, 0.1, 10),
  };
  const tracked = trackLabels === undefined ? known : new Set(trackLabels);
  const trackedText = trackLabels === undefined ? knownText : `labels this camera tracks (track.labels: ${trackLabels.join(', ')})`;

  // names, shared by zones and lines
  const names = new Set<string>();
  const name = (entry: Mapping, key: 'zones' | 'lines', index: number): string => {
    const value = entry.name;
    if (typeof value !== 'string' || !CAMERA_ID_PATTERN.test(value)) {
      return fail(
        `${key}[${index}] name ${show(value ?? null)}`,
        'a name of 1-64 letters, digits and . _ : - starting with a letter or digit',
      );
    }
    const kind = key === 'zones' ? 'zone' : 'line';
    if (value === FRAME_ZONE) fail(`${kind} "${value}": name is reserved`, `a name other than ${FRAME_ZONE} (it counts the whole frame)`);
    if (names.has(value)) fail(`${kind} "${value}": duplicate name`, 'each zone and line name once per camera');
    names.add(value);
    return value;
  };

  const zones = list('zones').map((entry, index): ZoneConfig => {
    const zoneName = name(entry, 'zones', index);
    const what = `zone ${JSON.stringify(zoneName)}: `;
    unknownKey(entry, ZONE_KEYS, what);
    const raw = entry.points;
    if (!Array.isArray(raw) || raw.length < 3) return fail(`${what}points ${show(raw ?? null)}`, 'a list of at least 3 [x, y] points');
    const points = raw.map((value: unknown, i) => point(value, `${what}points[${i}]`));
    // A closed ring (the first point repeated last, as GeoJSON and drawing tools write it) is the same polygon.
    const [fx, fy] = points[0]!;
    const [lx, ly] = points[points.length - 1]!;
    if (points.length > 3 && fx === lx && fy === ly) points.pop();
    // All points on one line fold back on themselves too, but "no area" says it better.
    const [ax, ay] = points[0]!;
    const [bx, by] = points.find(([x, y]) => x !== ax || y !== ay) ?? points[0]!;
    const flat = points.every(([x, y]) => orientation(ax, ay, bx, by, x, y) === 0);
    if (flat || polygonArea(points) < MIN_AREA) {
      if (flat || selfIntersection(points) === undefined)
        fail(`${what}points ${show(points)} enclose no area`, 'a polygon with a non-zero area');
    }
    const crossing = selfIntersection(points);
    if (crossing !== undefined) {
      const [i, j] = crossing;
      const edge = (k: number): string => `${show(points[k])}→${show(points[(k + 1) % points.length])}`;
      fail(`${what}points ${show(points)}: edge ${edge(i)} meets edge ${edge(j)}`, 'a polygon whose edges do not cross (concave is fine)');
    }
    const loiter = entry.loiter_s;
    return {
      name: zoneName,
      points,
      labels: labels(entry, what, tracked, trackedText),
      loiterS: loiter === undefined || loiter === null ? undefined : number(entry, 'loiter_s', what, 0, 0.1, 86400),
      minFrames: number(entry, 'min_frames', what, ZONE_DEFAULTS.minFrames, 1, 1000, true),
      anchor: anchor(entry, what, ZONE_DEFAULTS.anchor),
    };
  });

  const lines = list('lines').map((entry, index): LineConfig => {
    const lineName = name(entry, 'lines', index);
    const what = `line ${JSON.stringify(lineName)}: `;
    unknownKey(entry, LINE_KEYS, what);
    const from = point(entry.from ?? null, `${what}from`);
    const to = point(entry.to ?? null, `${what}to`);
    if (from[0] === to[0] && from[1] === to[1]) fail(`${what}from and to are both ${show(from)}`, 'two distinct points');
    const direction = entry.in;
    if (!LINE_DIRECTIONS.includes(direction as LineDirection))
      return fail(`${what}in ${show(direction ?? null)}`, LINE_DIRECTIONS.join(', '));
    if (inSide(from, to, direction as LineDirection) === 0) {
      const horizontal = from[1] === to[1];
      fail(
        `${what}in ${show(direction)} on a ${horizontal ? 'horizontal' : 'vertical'} line`,
        horizontal ? 'top_to_bottom or bottom_to_top for a horizontal line' : 'left_to_right or right_to_left for a vertical line',
      );
    }
    return {
      name: lineName,
      from,
      to,
      in: direction as LineDirection,
      labels: labels(entry, what, tracked, trackedText),
      anchor: anchor(entry, what, LINE_DEFAULTS.anchor),
    };
  });

  return { track, zones, lines };
}
