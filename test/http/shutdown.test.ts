import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleValue } from '../helpers/metrics-text.js';
import { openSocket, readAnswers } from '../helpers/raw-http.js';
import { startTestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

describe('graceful shutdown', () => {
  test('in-flight requests finish, readiness drops and new connections are refused', async () => {
    const service = await startTestService({ ALGO_SHUTDOWN_TIMEOUT_MS: '5000' }, (app) => {
      app.get('/test/slow', async () => {
        await sleep(600);
        return { done: true };
      });
    });
    const slow = fetch(`${service.url}/test/slow`).then(async (response) => ({ status: response.status, body: await response.json() }));
    await sleep(100);
    const stopped = service.stop('test');
    await sleep(50);
    assert.equal(service.app.server.listening, false, 'no longer accepting connections');
    assert.deepEqual(await slow, { status: 200, body: { done: true } });
    assert.equal(await stopped, 0);
    await assert.rejects(fetch(`${service.url}/healthz`));
  });

  test('a request that outlives the shutdown timeout is cut off and stop still resolves', async () => {
    const service = await startTestService({ ALGO_SHUTDOWN_TIMEOUT_MS: '200' }, (app) => {
      app.get('/test/hang', async () => {
        await sleep(5000);
        return { done: true };
      });
    });
    const hung = fetch(`${service.url}/test/hang`).then(
      () => 'answered',
      () => 'cut off',
    );
    await sleep(100);
    const started = Date.now();
    assert.equal(await service.stop('test'), 0);
    assert.ok(Date.now() - started < 4000);
    assert.equal(await hung, 'cut off');
  });

  test('a reply written after the listener closed carries Connection: close', async () => {
    let release: () => void = () => undefined;
    let running = false;
    const service = await startTestService({ ALGO_SHUTDOWN_TIMEOUT_MS: '5000' }, (app) => {
      app.get('/test/held', async () => {
        running = true;
        await new Promise<void>((resolve) => (release = resolve));
        return { done: true };
      });
    });
    const socket = await openSocket(Number(new URL(service.url).port));
    const answer = readAnswers(socket, 1);
    socket.write('GET /test/held HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor('the held request to run', async () => (running ? true : undefined), 5000, 10);
    const stopped = service.stop('test');
    await waitFor('the listener to close', async () => (service.app.server.listening ? undefined : true), 5000, 10);
    release();
    const {
      answers: [held],
    } = await answer;
    assert.equal(held?.status, 200);
    assert.equal(held?.headers.connection, 'close');
    socket.destroy();
    assert.equal(await stopped, 0);
  });

  test('SIGTERM: /readyz answers 503 draining while requests are still served, then the listener closes and late requests get algo 503s', async () => {
    let releaseSlow: () => void = () => undefined;
    let slowRunning = false;
    const service = await startTestService(
      { ALGO_SHUTDOWN_DELAY_MS: '400', ALGO_SHUTDOWN_TIMEOUT_MS: '5000', ALGO_LOG_LEVEL: 'debug' },
      (app) => {
        app.get('/test/held', async () => {
          slowRunning = true;
          await new Promise<void>((resolve) => {
            releaseSlow = resolve;
          });
          return { done: true };
        });
      },
    );
    const port = Number(new URL(service.url).port);
    // A kept-alive connection busy with a request when the listener closes stays open; the next
    // request on it arrives after the listener closed.
    const socket = await openSocket(port);
    socket.write('GET /test/held HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor('the held request to run', async () => (slowRunning ? true : undefined), 5000, 10);

    const stopped = service.stop('test');
    const readiness = await fetch(`${service.url}/readyz`);
    assert.equal(readiness.status, 503);
    assert.equal(readiness.headers.get('retry-after'), '5');
    const body = (await readiness.json()) as { status: string; code: string; phase: string };
    assert.deepEqual(
      { status: body.status, code: body.code, phase: body.phase },
      { status: 'draining', code: 'shutting_down', phase: 'draining' },
    );
    assert.equal((await fetch(`${service.url}/api/v1/info`)).status, 200, 'still serving while draining');
    assert.equal(service.app.server.listening, true);

    await waitFor('the listener to close', async () => (service.app.server.listening ? undefined : true), 5000, 10);
    const bothAnswers = readAnswers(socket, 2);
    // Pipelined behind the held request: it arrives after the listener closed.
    socket.write('GET /api/v1/info HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor(
      'the late request to arrive',
      async () => ((await sampleValue(service.metrics.registry, 'http_requests_in_flight')) === 2 ? true : undefined),
      5000,
      10,
    );
    releaseSlow();
    const {
      answers: [held, late],
    } = await bothAnswers;
    assert.equal(held?.status, 200);
    assert.equal(late?.status, 503);
    assert.equal(late?.headers['retry-after'], '5');
    assert.equal(late?.headers.connection, 'close');
    assert.equal((JSON.parse(late?.body ?? '{}') as { code: string }).code, 'shutting_down');
    socket.destroy();
    assert.equal(await stopped, 0);
    const probeLines = service.logs.lines.filter((line) => line.route === '/readyz');
    assert.ok(probeLines.length > 0);
    assert.ok(
      probeLines.every((line) => line.level === 20),
      '/readyz 503s are logged at debug only',
    );
  });
});
