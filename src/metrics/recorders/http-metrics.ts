// HTTP request rate, errors and duration by route template, plus requests in flight.
// The hot path touches one cached child per (method, route, status): see hot-histogram.ts.
import { Counter, Gauge, type Registry } from 'prom-client';
import { HotHistogram, type HotChild } from '../hot-histogram.js';

/** Route label shared by every request that matches no route, so scanners cannot add series. */
export const UNMATCHED_ROUTE = 'unmatched';

export const HTTP_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class HttpMetrics {
  private readonly duration: HotHistogram<'method' | 'route' | 'status_code'>;
  /** Children by route, method and status: lookups of strings Fastify already holds, so no key is built per request. */
  private readonly children = new Map<string, Map<string, Map<number, HotChild>>>();
  private inFlight = 0;
  private readonly connectionsRefused: Counter;

  constructor(registry: Registry) {
    this.duration = new HotHistogram({
      name: 'http_request_duration_seconds',
      help: 'Time from routing a request to the end of its response, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_DURATION_BUCKETS,
      registry,
      counter: { name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status code.' },
    });
    this.connectionsRefused = new Counter({
      name: 'http_connections_refused_total',
      help: 'Connections closed at accept because ALGO_MAX_CONNECTIONS were already open (on either listener).',
      registers: [registry],
    });
    const self = this;
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests received and not yet answered.',
      registers: [registry],
      collect() {
        this.set(self.inFlight);
      },
    });
  }

  /** A connection closed at accept: the ALGO_MAX_CONNECTIONS cap was reached. */
  connectionRefused(): void {
    this.connectionsRefused.inc();
  }

  requestStarted(): void {
    this.inFlight++;
  }

  requestFinished(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.inFlight--;
    this.observe(method, route, statusCode, seconds);
  }

  /** A request refused before it started (by Node's HTTP parser): counted, never in flight. */
  requestRejected(method: string, statusCode: number): void {
    this.observe(method, undefined, statusCode, 0);
  }

  private observe(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    const routeLabel = route ?? UNMATCHED_ROUTE;
    let byMethod = this.children.get(routeLabel);
    if (byMethod === undefined) this.children.set(routeLabel, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(statusCode);
    if (child === undefined) {
      child = this.duration.child({ method, route: routeLabel, status_code: String(statusCode) });
      byStatus.set(statusCode, child);
    }
    child.observe(seconds);
  }
}
