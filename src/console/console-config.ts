// The web console's settings (ALGO_CONSOLE_*, ALGO_GRAFANA_URL), owned here and filled from the
// environment by config/.
import type { SessionSettings } from '../auth/sessions.js';

export interface ConsoleConfig {
  /** Login sessions (token mode, or remote clients in loopback mode). */
  sessions: SessionSettings;
  /** The Grafana dashboard linked from /system; absent: no link. */
  grafanaUrl: string | undefined;
}
