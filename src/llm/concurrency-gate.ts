// At most `limit` holders at once; others wait in FIFO order until a slot frees, their
// deadline passes or their signal aborts.
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Resolves to a release function, or undefined when the wait ran out or was aborted. */
  async acquire(timeoutMs: number, signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (this.active < this.limit) return this.take();
    if (timeoutMs <= 0 || signal?.aborted === true) return undefined;
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
        resolve(this.take());
      };
      const giveUp = (): void => {
        clearTimeout(timer);
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(undefined);
      };
      const timer = setTimeout(giveUp, timeoutMs);
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(grant);
    });
  }

  private take(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}
