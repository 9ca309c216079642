// Camera ids, the same rules for every entry point (HTTP query/header/form field, Kafka key):
// 1-64 characters of letters, digits and . _ : -, starting with a letter or digit. `unknown`
// (no id given) and `other` (the metrics' overflow bucket) are reserved: a camera using them
// would merge with those buckets.
import { invalidCameraId } from './errors.js';
import { OTHER_CAMERA } from './metrics/camera-label.js';

export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const DEFAULT_CAMERA_ID = 'unknown';
/** Ids no camera may have: `unknown` (no id given) and `other` (the metrics' overflow bucket). */
export const RESERVED_CAMERA_IDS: ReadonlySet<string> = new Set([DEFAULT_CAMERA_ID, OTHER_CAMERA]);

/** The id itself, or DEFAULT_CAMERA_ID when none was given; throws invalid_camera_id (400). */
export function parseCameraId(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_CAMERA_ID;
  if (!CAMERA_ID_PATTERN.test(value))
    throw invalidCameraId('camera_id must be 1-64 characters of letters, digits and . _ : - (starting with a letter or digit)');
  if (RESERVED_CAMERA_IDS.has(value)) throw invalidCameraId(`camera_id "${value}" is reserved; give the camera its own id`);
  return value;
}
