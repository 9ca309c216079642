// Pipelined HTTP/1.1 requests over one raw socket: each is answered in order with its real
// status, counted once, and nothing stays in flight. Only a request whose connection really
// closed before its answer is client_closed (499).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { solidImage } from '../helpers/images.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { writeTestModel } from '../helpers/models.js';
import { openSocket, readAnswers } from '../helpers/raw-http.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('pipelined requests', () => {
  let service: TestService;
  let port: number;
  // GET /test/hold answers only once the test releases it: what queues the requests behind it.
  let release: () => void = () => undefined;
  before(async () => {
    service = await startTestService({ ALGO_MODEL_PATH: await writeTestModel() }, (app) => {
      app.get('/test/hold', () => new Promise((resolve) => (release = () => resolve({ released: true }))));
    });
    port = Number(new URL(service.url).port);
  });
  after(() => service?.stop('test'));

  const sample = (series: string): Promise<number> => sampleValue(service.metrics.registry, series);
  const requests = (method: string, route: string, status: number): Promise<number> =>
    sample(`http_requests_total{method="${method}",route="${route}",status_code="${status}"}`);
  const inFlightIsZero = (): Promise<true> =>
    waitFor('in-flight back to 0', async () => ((await sample('http_requests_in_flight')) === 0 ? true : undefined), 5000, 20);
  const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

  async function exchange(payload: string | Buffer, count: number): Promise<{ statuses: number[]; closed: boolean }> {
    const socket = await openSocket(port);
    const reading = readAnswers(socket, count);
    socket.write(payload);
    const { answers, closed } = await reading;
    socket.destroy();
    await inFlightIsZero();
    return { statuses: answers.map((answer) => answer.status), closed };
  }

  test('a 404 queued behind a 200 is answered, not counted as client_closed', { timeout: 10_000 }, async () => {
    const before = {
      ok: await requests('GET', '/healthz', 200),
      missing: await requests('GET', 'unmatched', 404),
      gone: await requests('GET', 'unmatched', 499),
    };
    const { statuses } = await exchange(get('/healthz') + get('/nope'), 2);
    assert.deepEqual(statuses, [200, 404]);
    assert.equal(await requests('GET', '/healthz', 200), before.ok + 1);
    assert.equal(await requests('GET', 'unmatched', 404), before.missing + 1);
    assert.equal(await requests('GET', 'unmatched', 499), before.gone);
  });

  test('a 200 queued behind a 404 is answered, and nothing stays in flight', { timeout: 10_000 }, async () => {
    const before = { ok: await requests('GET', '/healthz', 200), missing: await requests('GET', 'unmatched', 404) };
    const { statuses } = await exchange(get('/nope') + get('/healthz'), 2);
    assert.deepEqual(statuses, [404, 200]);
    assert.equal(await requests('GET', '/healthz', 200), before.ok + 1);
    assert.equal(await requests('GET', 'unmatched', 404), before.missing + 1);
  });

  test('three pipelined detections are all detected and answered in order', { timeout: 10_000 }, async () => {
    const image = await solidImage(32, 32, [4, 4, 4]);
    const detect = (camera: string): Buffer =>
      Buffer.concat([
        Buffer.from(
          `POST /api/v1/detect?camera_id=${camera} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${image.length}\r\n\r\n`,
        ),
        image,
      ]);
    const before = {
      ok: await requests('POST', '/api/v1/detect', 200),
      closed: await sample('detection_errors_total{reason="client_closed"}'),
    };
    const socket = await openSocket(port);
    const reading = readAnswers(socket, 3);
    socket.write(Buffer.concat([detect('p1'), detect('p2'), detect('p3')]));
    const { answers } = await reading;
    socket.destroy();
    await inFlightIsZero();
    assert.deepEqual(
      answers.map((answer) => [answer.status, (JSON.parse(answer.body) as { camera_id: string }).camera_id]),
      [
        [200, 'p1'],
        [200, 'p2'],
        [200, 'p3'],
      ],
    );
    assert.equal(await requests('POST', '/api/v1/detect', 200), before.ok + 3);
    assert.equal(await sample('detection_errors_total{reason="client_closed"}'), before.closed);
  });

  test('queued requests whose client leaves are counted once as 499 and leave nothing in flight', { timeout: 10_000 }, async () => {
    const before = { held: await requests('GET', '/test/hold', 499), queued: await requests('GET', '/healthz', 499) };
    const socket = await openSocket(port);
    socket.write(get('/test/hold') + get('/healthz') + get('/healthz'));
    await waitFor(
      'all three requests to start',
      async () => ((await sample('http_requests_in_flight')) === 3 ? true : undefined),
      5000,
      10,
    );
    socket.destroy();
    await inFlightIsZero();
    release();
    assert.equal(await requests('GET', '/test/hold', 499), before.held + 1);
    assert.equal(await requests('GET', '/healthz', 499), before.queued + 2);
  });

  test('an answer already computed is delivered before a following malformed request is refused', { timeout: 10_000 }, async () => {
    const { statuses, closed } = await exchange(`${get('/healthz')}FOO / HTTP/1.1\r\n\r\n`, 2);
    assert.equal(statuses[0], 200);
    assert.equal(statuses[1], 400);
    assert.equal(closed, false);
  });
});
