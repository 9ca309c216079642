// HTTP request rate, errors and duration by route template, plus requests in flight.
// The hot path only touches a cached pair of label children per (method, route, status).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status_code'] as const;
type HttpLabel = (typeof LABELS)[number];

/** Route label shared by every request that matches no route, so scanners cannot add series. */
export const UNMATCHED_ROUTE = 'unmatched';

export const HTTP_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Children {
  readonly requests: { inc(): void };
  readonly duration: { observe(value: number): void };
}

export class HttpMetrics {
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;
  private readonly children = new Map<string, Children>();
  private inFlight = 0;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: LABELS,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from routing a request to the end of its response, by method, route template and status code.',
      labelNames: LABELS,
      buckets: HTTP_DURATION_BUCKETS,
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

  requestStarted(): void {
    this.inFlight++;
  }

  requestFinished(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.inFlight--;
    const key = `${method} ${statusCode} ${route ?? UNMATCHED_ROUTE}`;
    let children = this.children.get(key);
    if (children === undefined) {
      const labels = { method, route: route ?? UNMATCHED_ROUTE, status_code: String(statusCode) };
      children = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.children.set(key, children);
    }
    children.requests.inc();
    children.duration.observe(seconds);
  }
}
