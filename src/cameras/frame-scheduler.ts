// Shares one detection pipeline between cameras: each camera holds only its newest frame (a
// frame replaced before it was taken is counted as dropped), at most one frame per camera is
// in flight, and free capacity goes round-robin to the next camera with a frame waiting, so
// a fast camera cannot starve a slow one and nothing queues without bound.
import type { FrameOutcome } from '../metrics/recorders/camera-metrics.js';

export interface FrameSource {
  frameProcessed(outcome: FrameOutcome): void;
}

export class FrameScheduler<S extends FrameSource, F> {
  private readonly sources: S[] = [];
  private readonly waiting = new Map<S, F>();
  private readonly busy = new Set<S>();
  private next = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly process: (source: S, frame: F) => Promise<FrameOutcome>,
    /** Called with a frame replaced by a newer one before it was taken: nothing else holds it. */
    private readonly discard: (source: S, frame: F) => void = () => {},
  ) {}

  add(source: S): void {
    this.sources.push(source);
  }

  /** The source's newest frame; an older one still waiting is dropped. */
  offer(source: S, frame: F): void {
    const replaced = this.waiting.get(source);
    this.waiting.set(source, frame);
    if (replaced !== undefined) {
      source.frameProcessed('dropped');
      this.discard(source, replaced);
    }
    this.pump();
  }

  private pump(): void {
    while (this.busy.size < this.maxInFlight) {
      const source = this.pickNext();
      if (source === undefined) return;
      const frame = this.waiting.get(source)!;
      this.waiting.delete(source);
      this.busy.add(source);
      this.process(source, frame)
        .catch((): FrameOutcome => 'failed')
        .then((outcome) => {
          source.frameProcessed(outcome);
          this.busy.delete(source);
          if (this.busy.size === 0) for (const resolve of this.idle.splice(0)) resolve();
          this.pump();
        });
    }
  }

  private pickNext(): S | undefined {
    for (let step = 0; step < this.sources.length; step++) {
      const index = (this.next + step) % this.sources.length;
      const source = this.sources[index]!;
      if (this.waiting.has(source) && !this.busy.has(source)) {
        this.next = index + 1;
        return source;
      }
    }
    return undefined;
  }

  /** Drops every waiting frame (counted) and resolves once the frames in flight are done. */
  async drain(): Promise<void> {
    for (const source of this.waiting.keys()) source.frameProcessed('dropped');
    this.waiting.clear();
    if (this.busy.size > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
