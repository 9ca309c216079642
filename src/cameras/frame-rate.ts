// A camera's received frames per second over the last few whole seconds, for the API's camera
// view (the console's grid shows it): counts in one-second buckets, O(1) per frame, so a
// reading is steady on a steady camera instead of swinging with when it is taken.

/** Whole seconds a reading spans. */
export const FRAME_RATE_WINDOW_S = 5;

export class FrameRate {
  /** Frames per second, for the seconds [second - length + 1, second]. */
  private readonly buckets = new Uint32Array(FRAME_RATE_WINDOW_S + 1);
  private second = -1;

  /** Counts one frame received at `nowMs`: milliseconds on a clock that does not go back (performance.now(), not the wall clock an NTP step moves). */
  frame(nowMs: number): void {
    this.advance(Math.floor(nowMs / 1000));
    this.buckets[this.second % this.buckets.length]! += 1;
  }

  /** Frames per second over the last FRAME_RATE_WINDOW_S whole seconds before `nowMs`' second. */
  perSecond(nowMs: number): number {
    if (this.second < 0) return 0;
    this.advance(Math.floor(nowMs / 1000));
    let frames = 0;
    for (let s = this.second - FRAME_RATE_WINDOW_S; s < this.second; s++) frames += s < 0 ? 0 : this.buckets[s % this.buckets.length]!;
    return frames / FRAME_RATE_WINDOW_S;
  }

  /** Moves to `second`, clearing the buckets of the seconds skipped. */
  private advance(second: number): void {
    if (second <= this.second) return;
    const skipped = Math.min(second - this.second, this.buckets.length);
    for (let k = 1; k <= skipped; k++) this.buckets[(second - skipped + k) % this.buckets.length] = 0;
    this.second = second;
  }
}
