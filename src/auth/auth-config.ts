// Access-control settings (ALGO_API_AUTH, ALGO_API_TOKENS*, ALGO_AUTH_*), owned by auth/ and
// filled from the environment by config/.
import type { ApiToken } from './api-tokens.js';

/**
 * tokens: every API request needs a bearer token with the route's scope; loopback: clients on
 * this machine are trusted, others need a token (and get none when no token is configured);
 * none: no API request needs a token (explicit opt-out).
 */
export const AUTH_MODES = ['tokens', 'loopback', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface ThrottleConfig {
  /** Failed attempts (bad tokens) from one address within the window before it is refused with 429. */
  maxFailures: number;
  windowMs: number;
  /** Addresses remembered at once; past this the oldest is forgotten first. */
  maxClients: number;
}

export interface AuthConfig {
  mode: AuthMode;
  /** From ALGO_API_TOKENS: names, scopes and digests (the token text is not kept). */
  tokens: readonly ApiToken[];
  /** ALGO_API_TOKENS_FILE, read at start-up and on SIGHUP. */
  tokensFile: string | undefined;
  throttle: ThrottleConfig;
}
