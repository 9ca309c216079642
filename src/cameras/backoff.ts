// Reconnect delays: exponential from 1 s, capped at 30 s, with "equal jitter" (half fixed,
// half random; AWS Architecture Blog, "Exponential Backoff And Jitter") so cameras that fail
// together do not retry in lockstep.
export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

/** Delay before the retry that follows `failures` consecutive failures (≥ 1). */
export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
