// Scene event settings (ALGO_EVENTS_*), owned by scene/ and filled from the environment by config/.

export interface EventsConfig {
  /** Events kept in memory for GET /api/v1/events and stream resumption (ALGO_EVENTS_BUFFER); 0 keeps none. */
  bufferSize: number;
  /** A comment line is sent on an idle event stream this often (ALGO_EVENTS_HEARTBEAT_MS). */
  heartbeatMs: number;
  /** A stream client with more than this many bytes unsent is cut (ALGO_EVENTS_STREAM_MAX_PENDING_BYTES). */
  streamMaxPendingBytes: number;
}
