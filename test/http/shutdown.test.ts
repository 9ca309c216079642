import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestService } from '../helpers/service.js';

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
    const hung = fetch(`${service.url}/test/hang`).then(() => 'answered', () => 'cut off');
    await sleep(100);
    const started = Date.now();
    assert.equal(await service.stop('test'), 0);
    assert.ok(Date.now() - started < 4000);
    assert.equal(await hung, 'cut off');
  });
});
