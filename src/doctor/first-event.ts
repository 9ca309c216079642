// Families that have no samples until something happens, and what that something is: the
// doctor explains an empty query with this instead of calling it a fault.

const FIRST_EVENTS: Array<[prefix: string, event: string]> = [
  ['detection_', 'no frame detected since algo started (POST an image to /api/v1/detect)'],
  ['llm_', 'no LLM call since algo started (set ALGO_LLM_* and POST to /api/v1/analyze)'],
  ['api_key_', 'no LLM API-key request in the current window'],
  ['kafka_', 'Kafka streaming is off (ALGO_ENABLE_KAFKA_STREAMING) or nothing consumed yet'],
  ['camera_', 'no camera configured (ALGO_CAMERAS_FILE) or no frame yet'],
  ['http_', 'no HTTP request answered yet'],
  ['scene_', 'no camera has track, zones or lines in ALGO_CAMERAS_FILE, or no object tracked there yet'],
];

/** Why `family` may have no samples yet, or undefined when it always has some. */
export function firstEventOf(family: string): string | undefined {
  return FIRST_EVENTS.find(([prefix]) => family.startsWith(prefix))?.[1];
}
