// Every error algo raises on purpose: a stable `code` (also the `reason` label of error
// metrics) and the HTTP status the error handler answers with.

export type ErrorCode =
  | 'invalid_config'
  | 'invalid_request'
  | 'invalid_camera_id'
  | 'invalid_capture_time'
  | 'missing_key'
  | 'empty_body'
  | 'unsupported_type'
  | 'too_large'
  | 'decode_failed'
  | 'model_error'
  | 'model_load_failed'
  | 'overloaded'
  | 'auth_required'
  | 'invalid_token'
  | 'forbidden'
  | 'auth_throttled'
  | 'cross_site'
  | 'untrusted_host'
  | 'not_found'
  | 'unknown_camera'
  | 'no_frame'
  | 'no_crop'
  | 'cameras_unavailable'
  | 'shutting_down'
  | 'not_ready'
  | 'request_timeout'
  | 'client_closed'
  | 'internal';

/**
 * Why a scene summary fell back to the template (`summary.error`, and the `reason` label of
 * llm_scene_failures_total). These never become HTTP errors: /api/v1/analyze still answers 200.
 */
export const LLM_ERROR_CODES = [
  'llm_unavailable',
  'llm_timeout',
  'llm_rate_limited',
  'llm_bad_response',
  'llm_rejected',
  'all_keys_cooling_down',
  'all_keys_disabled',
  'llm_overloaded',
  'llm_aborted',
  'stream_not_ready',
] as const;
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

/** Status 499 as nginx logs it: the client went away before the answer. */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * The HTTP status of each code: one table, so an error keeps the same status whichever layer
 * raised it (algo, Fastify, a multipart parser or Node's HTTP parser). 499 is nginx's "client
 * closed request": recorded, never sent (nobody is left to read it).
 */
export const STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_config: 500,
  invalid_request: 400,
  invalid_camera_id: 400,
  invalid_capture_time: 400,
  missing_key: 400,
  empty_body: 400,
  unsupported_type: 415,
  too_large: 413,
  decode_failed: 400,
  model_error: 500,
  model_load_failed: 500,
  overloaded: 503,
  auth_required: 401,
  invalid_token: 401,
  forbidden: 403,
  auth_throttled: 429,
  cross_site: 403,
  untrusted_host: 403,
  not_found: 404,
  unknown_camera: 404,
  no_frame: 503,
  no_crop: 404,
  cameras_unavailable: 500,
  shutting_down: 503,
  not_ready: 503,
  request_timeout: 408,
  client_closed: CLIENT_CLOSED_STATUS,
  internal: 500,
};

export class AlgoError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Seconds a client should wait before retrying (503 and 429 answers). */
  readonly retryAfterSeconds: number | undefined;

  /**
   * The status is the code's row of STATUS_OF_CODE; `options.status` only where one code
   * covers several statuses (an HTTP parser's 431 is too_large, a 405 invalid_request).
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AlgoError';
    this.code = code;
    this.statusCode = options?.status ?? STATUS_OF_CODE[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export class ConfigError extends AlgoError {
  readonly variable: string;
  constructor(variable: string, shownValue: string, allowed: string) {
    super('invalid_config', `Invalid configuration: ${variable}=${shownValue} is not allowed; expected ${allowed}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export const invalidRequest = (message: string): AlgoError => new AlgoError('invalid_request', message);
export const invalidCameraId = (message: string): AlgoError => new AlgoError('invalid_camera_id', message);
export const invalidCaptureTime = (value: string, why: string): AlgoError =>
  new AlgoError(
    'invalid_capture_time',
    `X-Capture-Timestamp ${JSON.stringify(value.slice(0, 64))} is not a capture time (${why}); send milliseconds or seconds since the epoch, or an ISO 8601 time`,
  );
export const missingKey = (): AlgoError => new AlgoError('missing_key', 'Frame message has no key; the key must be the camera id');
export const emptyBody = (): AlgoError => new AlgoError('empty_body', 'Request body is empty: send an encoded image');
export const unsupportedType = (type: string, allowed: readonly string[]): AlgoError =>
  new AlgoError('unsupported_type', `Unsupported content type ${JSON.stringify(type)}; expected one of ${allowed.join(', ')}`);
/** Bytes that are an image algo does not decode (GIF, SVG, TIFF…), named as detected beside what the sender declared. */
export const unsupportedImageFormat = (detected: string, declared: string | undefined, allowed: readonly string[]): AlgoError =>
  new AlgoError(
    'unsupported_type',
    `The image bytes are ${detected.toUpperCase()}${declared !== undefined ? `, though sent as ${JSON.stringify(declared)}` : ''}; algo decodes only ${allowed.join(', ')}`,
  );
export const tooLarge = (message: string): AlgoError => new AlgoError('too_large', message);
export const decodeFailed = (message: string, cause?: unknown): AlgoError => new AlgoError('decode_failed', message, { cause });
export const modelError = (message: string, cause?: unknown): AlgoError => new AlgoError('model_error', message, { cause });
export const modelLoadFailed = (file: string, detail: string, cause?: unknown): AlgoError =>
  new AlgoError('model_load_failed', `Cannot load model ${file}: ${detail}`, { cause });
export const overloaded = (retryAfterSeconds: number): AlgoError =>
  new AlgoError('overloaded', 'Detector queue is full; retry later', { retryAfterSeconds });
/** No token where one is needed; `message` says how to get in (access-control.ts words it per case). */
export const authRequired = (message: string): AlgoError => new AlgoError('auth_required', message);
/** A bearer token was sent and matches none configured. Never names or quotes the token. */
export const invalidToken = (): AlgoError => new AlgoError('invalid_token', 'The bearer token is not valid');
export const forbidden = (tokenName: string, scope: string): AlgoError =>
  new AlgoError('forbidden', `Token ${JSON.stringify(tokenName)} lacks the scope "${scope}" this route requires`);
export const authThrottled = (retryAfterSeconds: number): AlgoError =>
  new AlgoError('auth_throttled', `Too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
/** A console form POST that did not come from algo's own pages (CSRF). */
export const crossSite = (): AlgoError =>
  new AlgoError('cross_site', "This form must be sent from algo's own pages (the Origin or Sec-Fetch-Site header says otherwise)");
export const notFound = (method: string, path: string): AlgoError =>
  new AlgoError('not_found', `Route ${method} ${path.length > 200 ? `${Array.from(path).slice(0, 200).join('')}…` : path} not found`);
export const unknownCamera = (id: string): AlgoError => new AlgoError('unknown_camera', `No camera ${JSON.stringify(id)} is configured`);
export const noFrame = (id: string): AlgoError =>
  new AlgoError('no_frame', `Camera ${JSON.stringify(id)} has not delivered a frame yet`, { retryAfterSeconds: 1 });
/** No crop to answer for this event: none is held, or `eventId` is no event id at all (`isId` false). */
export const noCrop = (eventId: string, isId: boolean): AlgoError =>
  new AlgoError(
    'no_crop',
    isId
      ? `No crop is held for event ${JSON.stringify(eventId)}: none was cut (its track was not in the frame, or too many were being encoded) or newer events pushed it out`
      : `${JSON.stringify(Array.from(eventId).slice(0, 32).join(''))} is not an event id (a whole number of up to 16 digits)`,
  );
/** Cameras are configured but cannot run (ffmpeg missing): stops start-up. */
export const camerasUnavailable = (detail: string): AlgoError =>
  new AlgoError(
    'cameras_unavailable',
    `Cameras are configured (ALGO_CAMERAS_FILE) but cannot be read: ${detail}. Install ffmpeg (apt-get install ffmpeg) or set ALGO_FFMPEG_PATH`,
  );
export const shuttingDown = (retryAfterSeconds = 5): AlgoError =>
  new AlgoError('shutting_down', 'Service is shutting down', { retryAfterSeconds });
export const notReady = (retryAfterSeconds = 5): AlgoError => new AlgoError('not_ready', 'Service is not ready', { retryAfterSeconds });
export const requestTimeout = (timeoutMs: number): AlgoError =>
  new AlgoError('request_timeout', `The request was not received within ${timeoutMs} ms (ALGO_REQUEST_TIMEOUT_MS)`);
export const clientClosed = (): AlgoError => new AlgoError('client_closed', 'The client closed the connection before the answer');

/**
 * Codes of a Kafka frame message that no retry can fix: the message itself is bad, so it goes
 * to the dead-letter topic and the partition moves on.
 */
export const POISON_MESSAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'missing_key',
  'invalid_camera_id',
  'empty_body',
  'too_large',
  'decode_failed',
  'unsupported_type',
  'invalid_request',
]);

/** The message of a thrown value, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isAlgoError(value: unknown): value is AlgoError {
  return value instanceof AlgoError;
}
