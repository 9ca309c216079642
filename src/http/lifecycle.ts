// Readiness of the service: not ready while starting or shutting down, nor while any
// registered dependency (e.g. the Kafka consumer) reports itself unavailable.
// Shutting down has two phases, in the order load balancers expect: `draining` (readiness
// answers 503 but requests are still served, so the balancer stops sending new ones) and then
// `stopping` (the listener is closed; requests still arriving on kept-alive connections are
// refused with 503 `shutting_down` and Connection: close while in-flight work finishes).
export type Phase = 'starting' | 'ready' | 'draining' | 'stopping';

export interface ReadinessCheck {
  readonly name: string;
  ready(): boolean;
}

export interface Readiness {
  ready: boolean;
  phase: Phase;
  checks: Record<string, boolean>;
}

export class Lifecycle {
  private currentPhase: Phase = 'starting';
  private readonly checks: ReadinessCheck[] = [];

  get phase(): Phase {
    return this.currentPhase;
  }

  /** True from SIGTERM on (draining or stopping). */
  get shuttingDown(): boolean {
    return this.currentPhase === 'draining' || this.currentPhase === 'stopping';
  }

  markReady(): void {
    if (this.currentPhase === 'starting') this.currentPhase = 'ready';
  }

  markDraining(): void {
    if (this.currentPhase !== 'stopping') this.currentPhase = 'draining';
  }

  markStopping(): void {
    this.currentPhase = 'stopping';
  }

  addCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  readiness(): Readiness {
    const checks: Record<string, boolean> = {};
    let allReady = true;
    for (const check of this.checks) {
      const ok = check.ready();
      checks[check.name] = ok;
      allReady &&= ok;
    }
    return { ready: this.currentPhase === 'ready' && allReady, phase: this.currentPhase, checks };
  }
}
