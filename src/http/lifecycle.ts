// Readiness of the service: not ready while starting or shutting down, nor while any
// registered dependency (e.g. the Kafka consumer) reports itself unavailable.
export type Phase = 'starting' | 'ready' | 'draining';

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

  markReady(): void {
    if (this.currentPhase === 'starting') this.currentPhase = 'ready';
  }

  markDraining(): void {
    this.currentPhase = 'draining';
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
