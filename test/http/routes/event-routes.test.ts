// The event routes on their own: paging through the buffer, and a stream client that stops
// reading is cut once its unsent bytes pass the bound — counted, never buffered without bound.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { eventRoutes } from '../../../src/http/routes/event-routes.js';
import { createSceneMetrics } from '../../../src/metrics/recorders/scene-metrics.js';
import { renderMetrics } from '../../../src/metrics/render.js';
import { EventBuffer } from '../../../src/scene/event-buffer.js';
import type { SceneEvent } from '../../../src/scene/camera-scene.js';
import { waitFor } from '../../helpers/wait.js';

const event = (k: number, camera = 'shop'): SceneEvent => ({
  type: 'crossed',
  line: 'door',
  direction: 'in',
  camera_id: camera,
  label: 'person',
  track_id: k,
  at: 1_700_000_000 + k,
  box: { x: 1, y: 2, width: 3, height: 4 },
  score: 0.9,
});

/** The value of an unlabelled series. */
async function value(registry: Registry, name: string): Promise<number> {
  const line = (await renderMetrics(registry, 'prometheus')).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

async function app(buffer: EventBuffer, maxPendingBytes = 64 * 1024) {
  const registry = new Registry();
  const server = Fastify();
  await server.register(eventRoutes, { buffer, metrics: createSceneMetrics(registry), heartbeatMs: 60_000, maxPendingBytes });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  return { server, registry, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

test('the buffer keeps the newest events; pages follow last_id and filter by camera and type', async () => {
  const buffer = new EventBuffer(5, 1000);
  for (let k = 1; k <= 8; k++) buffer.add(event(k, k % 2 === 0 ? 'shop' : 'lobby'));
  const { server, port } = await app(buffer);
  try {
    const page = (await (await fetch(`http://127.0.0.1:${port}/api/v1/events?limit=2`)).json()) as {
      events: Array<{ id: string; track_id: number; at: string }>;
      last_id: string;
      oldest_id: string;
    };
    assert.deepEqual(
      page.events.map((e) => e.track_id),
      [4, 5],
    );
    assert.equal(page.oldest_id, page.events[0]!.id);
    assert.equal(page.events[0]!.at, new Date((1_700_000_000 + 4) * 1000).toISOString());
    const next = (await (await fetch(`http://127.0.0.1:${port}/api/v1/events?since_id=${page.last_id}&camera_id=shop`)).json()) as {
      events: Array<{ track_id: number }>;
    };
    assert.deepEqual(
      next.events.map((e) => e.track_id),
      [6, 8],
    );
  } finally {
    await server.close();
  }
});

test('a stream client that stops reading is cut once its unsent bytes pass the bound, and counted', async () => {
  const buffer = new EventBuffer(10);
  const { server, registry, port } = await app(buffer, 16 * 1024);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await once(socket, 'data');
  socket.pause();
  const closed = once(socket, 'close');
  try {
    // Far more than the socket buffers hold: the client falls behind and is cut.
    await waitFor(
      'the slow client cut',
      async () => {
        for (let k = 0; k < 2000; k++) buffer.add(event(k));
        return (await value(registry, 'scene_event_stream_clients_cut_total')) === 1 ? true : undefined;
      },
      30_000,
      10,
    );
    socket.resume();
    await closed;
    assert.equal(await value(registry, 'scene_event_stream_clients'), 0);
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('a client resuming from an id far more than the bound behind gets every event after it, then live ones, in order', async () => {
  const buffer = new EventBuffer(10_000);
  const first = buffer.add(event(0));
  for (let k = 1; k < 5000; k++) buffer.add(event(k));
  // About 1.3 MB of backlog against a 16 KiB bound.
  const { server, registry, port } = await app(buffer, 16 * 1024);
  const controller = new AbortController();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events/stream`, {
      headers: { 'last-event-id': first.id },
      signal: controller.signal,
    });
    assert.ok(response.body !== null);
    const decoder = new TextDecoder();
    const ids: number[] = [];
    let text = '';
    let live = false;
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      const frames = text.split('\n\n');
      text = frames.pop()!;
      for (const part of frames) {
        const data = /^data: (.*)$/m.exec(part);
        if (data !== null) ids.push((JSON.parse(data[1]!) as { track_id: number }).track_id);
      }
      if (!live && ids.length === 4999) {
        live = true;
        buffer.add(event(5000));
        buffer.add(event(5001));
      }
      if (ids.length >= 5001) break;
    }
    assert.deepEqual(
      ids,
      Array.from({ length: 5001 }, (_, k) => k + 1),
    );
    assert.equal(await value(registry, 'scene_event_stream_clients_cut_total'), 0);
  } finally {
    controller.abort();
    await server.close();
  }
});
