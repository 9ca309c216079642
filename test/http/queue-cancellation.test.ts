// The bounded detection queue seen from HTTP, with a detector the test holds: a client that
// leaves while its frame waits cancels the frame (the detector never sees it) and is counted;
// overload refusals log one warning and a summary, not a line per request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DetectionPipeline } from '../../src/detect/pipeline.js';
import { DetectionQueue } from '../../src/detect/queue.js';
import type { Detector, DetectorOutput } from '../../src/detect/types.js';
import { AccessControl } from '../../src/auth/access-control.js';
import { buildApp } from '../../src/http/app.js';
import { detectRoutes } from '../../src/http/routes/detect-route.js';
import { Lifecycle } from '../../src/http/lifecycle.js';
import { RateLimitedLog } from '../../src/log/rate-limited-log.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type AlgoMetrics } from '../../src/metrics/metrics.js';
import { solidImage } from '../helpers/images.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { openSocket } from '../helpers/raw-http.js';
import { LogCapture, testConfig } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

/** A detector that finishes a frame only when the test says so. */
class HeldDetector implements Detector {
  readonly modelType = 'held';
  readonly inputSize = { width: 64, height: 64 };
  calls = 0;
  private readonly pending: Array<() => void> = [];
  detect(): Promise<DetectorOutput> {
    this.calls++;
    return new Promise((resolve) =>
      this.pending.push(() => resolve({ objects: [], timings: { decode: 0, preprocess: 0, inference: 0, postprocess: 0 } })),
    );
  }
  detectLetterboxed(): Promise<DetectorOutput> {
    return this.detect();
  }
  releaseAll(): void {
    for (const release of this.pending.splice(0)) release();
  }
  async close(): Promise<void> {}
}

interface Harness {
  app: FastifyInstance;
  port: number;
  detector: HeldDetector;
  metrics: AlgoMetrics;
  logs: LogCapture;
  throttledLog: RateLimitedLog;
}

async function startHarness(queueSize: number): Promise<Harness> {
  const config = testConfig({ ALGO_DETECT_CONCURRENCY: '1', ALGO_DETECT_QUEUE_SIZE: String(queueSize) });
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  const metrics = createMetrics(config.metrics, { runtime: false });
  const detector = new HeldDetector();
  // Summaries are written on flush() here, so what a test sees does not depend on timing.
  const throttledLog = new RateLimitedLog(logger, { intervalMs: 3_600_000 });
  const pipeline = new DetectionPipeline(detector, new DetectionQueue(1, queueSize), metrics.detection, {
    maxImagePixels: 1e7,
    grouping: { distance: 1, minSize: 2 },
  });
  const app = buildApp({
    config,
    logger,
    metrics,
    lifecycle: new Lifecycle(),
    throttledLog,
    access: new AccessControl({ config: config.auth, metricsToken: undefined, recorder: metrics.auth, throttledLog, logger }),
    tls: undefined,
    routes: (instance) =>
      void instance.register(detectRoutes, { pipeline, recorder: metrics.detection, maxBodyBytes: config.detect.maxBodyBytes }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0, detector, metrics, logs, throttledLog };
}

async function sendFrame(port: number, image: Buffer): Promise<import('node:net').Socket> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined);
  socket.write(`POST /api/v1/detect HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: ${image.length}\r\n\r\n`);
  socket.write(image);
  return socket;
}

describe('queued frames and their clients', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness(4);
  });
  after(() => harness?.app.close());
  const sample = (series: string): Promise<number> => sampleValue(harness.metrics.registry, series);

  test('a client that leaves while its frame waits cancels it: never detected, counted as client_closed and 499, in-flight back to 0', async () => {
    const image = await solidImage(32, 32, [1, 2, 3]);
    const running = await sendFrame(harness.port, image);
    await waitFor('the first frame to reach the detector', async () => (harness.detector.calls === 1 ? true : undefined), 5000, 10);
    const waiting = await Promise.all([1, 2, 3].map(() => sendFrame(harness.port, image)));
    await waitFor(
      'all four requests in flight',
      async () => ((await sample('http_requests_in_flight')) === 4 ? true : undefined),
      5000,
      10,
    );
    for (const socket of waiting) socket.destroy();
    await waitFor(
      'the three to be accounted for',
      async () => ((await sample('http_requests_in_flight')) === 1 ? true : undefined),
      5000,
      10,
    );
    harness.detector.releaseAll();
    await waitFor(
      'the running frame to finish',
      async () => ((await sample('http_requests_in_flight')) === 0 ? true : undefined),
      5000,
      10,
    );
    running.destroy();
    assert.equal(harness.detector.calls, 1, 'the cancelled frames never reached the detector');
    assert.equal(await sample('detection_errors_total{reason="client_closed"}'), 3);
    assert.equal(await sample('http_requests_total{method="POST",route="/api/v1/detect",status_code="499"}'), 3);
    assert.equal(await sample('http_requests_total{method="POST",route="/api/v1/detect",status_code="200"}'), 1);
    assert.equal(await sample('detection_total{camera_id="unknown",model_type="held"}'), 1);
    // The queue gave every slot back: a new frame runs at once.
    const next = fetch(`http://127.0.0.1:${harness.port}/api/v1/detect`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(image),
    });
    await waitFor('the next frame to reach the detector', async () => (harness.detector.calls === 2 ? true : undefined), 5000, 10);
    harness.detector.releaseAll();
    assert.equal((await next).status, 200);
  });
});

describe('overload logging', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness(0);
  });
  after(() => harness?.app.close());

  test('overload refusals log one warning, then a summary with the count, and no line per request', async () => {
    const image = await solidImage(32, 32, [1, 2, 3]);
    const url = `http://127.0.0.1:${harness.port}/api/v1/detect`;
    const post = (): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(image) });
    const running = post();
    await waitFor('the detector to be busy', async () => (harness.detector.calls === 1 ? true : undefined), 5000, 10);
    const refused = await Promise.all(Array.from({ length: 20 }, post));
    assert.deepEqual([...new Set(refused.map((response) => response.status))], [503]);
    for (const response of refused) {
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal(((await response.json()) as { code: string }).code, 'overloaded');
    }
    const overloadLines = (): typeof harness.logs.lines =>
      harness.logs.lines.filter((line) => line.statusCode === 503 || line.code === 'overloaded');
    assert.deepEqual(
      overloadLines().map((line) => [line.level, line.msg, line.code]),
      [[40, 'requests refused with 503', 'overloaded']],
      'only the first refusal',
    );
    harness.throttledLog.flush();
    const [, summary] = overloadLines();
    assert.deepEqual([summary?.level, summary?.msg, summary?.repeated], [40, 'requests refused with 503 (repeated)', 19]);
    assert.equal(harness.logs.lines.filter((line) => line.level >= 50).length, 0, 'nothing at error level');
    harness.detector.releaseAll();
    assert.equal((await running).status, 200);
  });
});
