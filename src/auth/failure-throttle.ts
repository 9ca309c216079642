// Counts failed authentication attempts per client address (an IPv6 client by its /64, see
// throttle-key.ts) in a fixed window: an address that reaches the limit is refused until its
// window ends, before any token is compared. The table is bounded: past `maxClients` addresses
// the oldest entry is forgotten first, so a spray from many addresses costs a fixed amount of
// memory. Addresses without failures are never stored, so other clients pay one map lookup.
import type { ThrottleConfig } from './auth-config.js';
import { throttleKey } from './throttle-key.js';

interface Failures {
  count: number;
  /** When this address's window ends (ms, the clock below). */
  windowEndsMs: number;
}

export class FailureThrottle {
  private readonly clients = new Map<string, Failures>();

  constructor(
    private readonly config: ThrottleConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Addresses remembered now (at most maxClients). */
  get size(): number {
    return this.clients.size;
  }

  /** Whole seconds `address` must wait, or 0 when it may try. */
  retryAfterSeconds(client: string): number {
    const address = throttleKey(client);
    const failures = this.clients.get(address);
    if (failures === undefined || failures.count < this.config.maxFailures) return 0;
    const leftMs = failures.windowEndsMs - this.now();
    if (leftMs > 0) return Math.ceil(leftMs / 1000);
    this.clients.delete(address);
    return 0;
  }

  recordFailure(client: string): void {
    const address = throttleKey(client);
    const now = this.now();
    const failures = this.clients.get(address);
    if (failures !== undefined && failures.windowEndsMs > now) {
      failures.count++;
      return;
    }
    // A new window: re-inserted at the end, so the map's order stays oldest first.
    if (failures !== undefined) this.clients.delete(address);
    else if (this.clients.size >= this.config.maxClients) this.forgetOldest();
    this.clients.set(address, { count: 1, windowEndsMs: now + this.config.windowMs });
  }

  private forgetOldest(): void {
    const oldest = this.clients.keys().next();
    if (oldest.done !== true) this.clients.delete(oldest.value);
  }
}
