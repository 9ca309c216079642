// Success/failure counts over a sliding time window, kept in fixed one-slot-per-interval
// rings so recording is O(1) and memory does not grow with traffic.
const SLOTS = 60;

export class SuccessWindow {
  private readonly successes = new Float64Array(SLOTS);
  private readonly failures = new Float64Array(SLOTS);
  private readonly slotStamp = new Float64Array(SLOTS).fill(-1);
  private readonly slotMs: number;

  constructor(
    windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.slotMs = (windowSeconds * 1000) / SLOTS;
  }

  record(success: boolean): void {
    const tick = Math.floor(this.now() / this.slotMs);
    const slot = tick % SLOTS;
    if (this.slotStamp[slot] !== tick) {
      this.slotStamp[slot] = tick;
      this.successes[slot] = 0;
      this.failures[slot] = 0;
    }
    if (success) this.successes[slot]! += 1;
    else this.failures[slot]! += 1;
  }

  /** Fraction of successes in the window, or undefined when the window saw no requests. */
  rate(): number | undefined {
    const oldest = Math.floor(this.now() / this.slotMs) - SLOTS + 1;
    let ok = 0;
    let failed = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      if (this.slotStamp[slot]! < oldest) continue;
      ok += this.successes[slot]!;
      failed += this.failures[slot]!;
    }
    const total = ok + failed;
    return total === 0 ? undefined : ok / total;
  }
}
