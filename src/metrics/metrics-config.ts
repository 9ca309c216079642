// /metrics settings (ALGO_ENABLE_PROMETHEUS, ALGO_METRICS_*, label caps), owned by metrics/
// and filled from the environment by config/.

export interface MetricsConfig {
  enabled: boolean;
  path: string;
  /** Serve /metrics on this port instead of the main one. */
  port: number | undefined;
  /** Bearer token required to scrape, when set. */
  token: string | undefined;
  /** Distinct camera_id label values kept; the rest are reported as `other`. */
  maxCameras: number;
  /** Width of the api_key_success_rate sliding window. */
  apiKeyWindowSeconds: number;
}
