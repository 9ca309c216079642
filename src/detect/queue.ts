// Bounds detection work: at most `concurrency` frames run, at most `maxWaiting` wait; past
// that a frame is refused at once with `overloaded` (HTTP 503 + Retry-After) instead of
// piling up memory and latency.
import { overloaded } from '../errors.js';

export class DetectionQueue {
  private running = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly retryAfterSeconds = 1,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiters.length >= this.maxWaiting) throw overloaded(this.retryAfterSeconds);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiters.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}
