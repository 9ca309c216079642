// Rate-limited logging for conditions that repeat (overload refusals, a broker that stays down,
// bad frames from one camera): the first occurrence of a key is logged as given, repeats inside
// the interval are only counted, and one summary line per interval reports how many there were.
// Under any load a key produces at most two lines per interval.
import type { Logger } from 'pino';

export type RepeatLevel = 'error' | 'warn' | 'info';

export interface RateLimitedLogOptions {
  /** The shortest time between two lines for one key, in milliseconds. */
  intervalMs: number;
  /** Distinct keys tracked at once; past that, new keys share one overflow key. */
  maxKeys?: number;
}

interface KeyState {
  level: RepeatLevel;
  fields: Record<string, unknown>;
  msg: string;
  /** Occurrences since the last line. */
  suppressed: number;
  timer: NodeJS.Timeout | undefined;
}

const OVERFLOW_KEY = '(other keys)';

export class RateLimitedLog {
  private readonly states = new Map<string, KeyState>();
  private readonly intervalMs: number;
  private readonly maxKeys: number;

  constructor(
    private readonly logger: Logger,
    options: RateLimitedLogOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.maxKeys = options.maxKeys ?? 1000;
  }

  /**
   * Logs `msg` with `fields` at `level` unless `key` was logged less than the interval ago; then
   * the occurrence is counted and reported in the key's next summary line
   * (`{ ...fields, repeated: n, intervalMs }`, message `msg (repeated)`).
   */
  log(level: RepeatLevel, key: string, fields: Record<string, unknown>, msg: string): void {
    const known = this.states.get(key) ?? (this.states.size >= this.maxKeys ? this.states.get(OVERFLOW_KEY) : undefined);
    if (known !== undefined) {
      known.suppressed++;
      known.level = level;
      known.fields = fields;
      known.msg = msg;
      return;
    }
    const stateKey = this.states.size >= this.maxKeys ? OVERFLOW_KEY : key;
    const state: KeyState = { level, fields, msg, suppressed: 0, timer: undefined };
    this.states.set(stateKey, state);
    this.logger[level](fields, msg);
    this.schedule(stateKey, state);
  }

  /** Writes the pending summaries now and forgets every key (at shutdown). */
  flush(): void {
    for (const [key, state] of this.states) {
      clearTimeout(state.timer);
      this.summarise(state);
      this.states.delete(key);
    }
  }

  private schedule(key: string, state: KeyState): void {
    state.timer = setTimeout(() => {
      // A quiet interval ends the key: its next occurrence is logged in full again.
      if (state.suppressed === 0) {
        this.states.delete(key);
        return;
      }
      this.summarise(state);
      this.schedule(key, state);
    }, this.intervalMs);
    state.timer.unref();
  }

  private summarise(state: KeyState): void {
    if (state.suppressed === 0) return;
    this.logger[state.level]({ ...state.fields, repeated: state.suppressed, intervalMs: this.intervalMs }, `${state.msg} (repeated)`);
    state.suppressed = 0;
  }
}
