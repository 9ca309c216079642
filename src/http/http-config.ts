// Client connection, request-log and TLS settings, owned by http/ and filled from the environment
// by config/.

/** Limits on client connections: a slow or hostile client cannot hold a socket forever. */
export interface HttpConfig {
  /** Time to receive a whole request (headers and body); past it the answer is 408. */
  requestTimeoutMs: number;
  /** Time to receive the request headers. */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed at accept. */
  maxConnections: number;
  /**
   * `summary`: the first request of each kind (method, route, status) is logged, then one line
   * per interval with the count; `all`: one line per answered request. Refusals (4xx, 499, 503)
   * are summarised either way.
   */
  logRequests: RequestLogMode;
  /** Host names besides localhost, IP addresses and this machine's name that requests admitted without a token may be addressed to (ALGO_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** ALGO_TLS_CERT_FILE + ALGO_TLS_KEY_FILE: HTTPS on both listeners; re-read on SIGHUP. */
  tls: TlsFiles | undefined;
}

export interface TlsFiles {
  /** PEM certificate chain, the server's certificate first. */
  certFile: string;
  /** PEM private key of that certificate. */
  keyFile: string;
}

export const REQUEST_LOG_MODES = ['summary', 'all'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];
