// Scene analytics end to end with the real detector: a video made here with ffmpeg of the
// fixture person walking left to right across a grey frame, read as a file camera, and the
// same walk posted frame by frame to a push camera over HTTP. A line and a zone lie across
// the path: one track per pass, one `in` crossing, one entry and one exit with a plausible
// dwell — in the answers, in /api/v1/events, over the event stream and in /metrics.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { renderMetrics } from '../../src/metrics/render.js';
import { sample, writeCamerasFile } from '../helpers/cameras.js';
import { freePort } from '../helpers/ports.js';
import { assertOnePass, makeWalk, pass, SCENE, SECONDS, serveWalkMjpeg, type ApiEvent, type TrackedAnswer } from '../helpers/walk.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

/** Reads Server-Sent Events from a real HTTP connection until stopped. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const events: ApiEvent[] = [];
  let text = '';
  const done = (async () => {
    const response = await fetch(url, { headers, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data !== undefined) events.push(JSON.parse(data.slice(6)) as ApiEvent);
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  return { events, stop: () => controller.abort(), done };
}

/** Asserts each event has a crop of its object: a small JPEG that is not the walk's plain grey background. */
async function assertCrops(service: TestService, events: readonly ApiEvent[]): Promise<void> {
  for (const event of events) {
    const response = await fetch(`${service.url}/api/v1/events/${event.id}/crop.jpg`);
    assert.equal(response.status, 200, `crop of ${event.type} ${event.id}`);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await response.arrayBuffer());
    const { width = 0, height = 0 } = await sharp(jpeg).metadata();
    assert.ok(width > 0 && Math.max(width, height) <= 160, `crop size ${width}x${height}`);
    const { channels } = await sharp(jpeg).stats();
    // The background is one flat grey; the person makes the crop's pixels vary.
    assert.ok(channels[0]!.stdev > 15, `the ${event.type} crop shows the person (stdev ${channels[0]!.stdev.toFixed(1)})`);
  }
}

async function eventsOf(service: TestService, query: string): Promise<ApiEvent[]> {
  const response = await fetch(`${service.url}/api/v1/events?${query}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { events: ApiEvent[] }).events;
}

describe('scene analytics with the real detector', () => {
  let service: TestService;
  let walk: { video: string; frames: string[] };
  let stream: ReturnType<typeof openStream>;
  let mjpeg: ReturnType<typeof serveWalkMjpeg> | undefined;

  before(async () => {
    walk = await makeWalk();
    mjpeg = serveWalkMjpeg(walk.video, await freePort());
    service = await startTestService({
      ALGO_CAMERAS_FILE: await writeCamerasFile([
        { id: 'walk', url: walk.video, detect_fps: 2, ...SCENE },
        { id: 'walk-mjpeg', url: mjpeg.url, detect_fps: 2, ...SCENE },
        { id: 'lobby', ...SCENE },
        { id: 'atrium', ...SCENE },
        { id: 'plain', url: walk.video, detect_fps: 1 },
      ]),
      ALGO_EVENTS_HEARTBEAT_MS: '200',
      ALGO_LOG_LEVEL: 'warn',
    });
    stream = openStream(`${service.url}/api/v1/events/stream`);
  });
  after(async () => {
    stream?.stop();
    mjpeg?.stop();
    await service?.stop('test');
  });

  test('every configured series exists at 0 from start-up, and every camera algo reads is tracked', async () => {
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    for (const camera of ['walk', 'lobby']) {
      assert.ok(text.includes(`scene_objects{camera_id="${camera}",zone="middle",label="person"} 0`));
      assert.ok(text.includes(`scene_objects{camera_id="${camera}",zone="frame",label="person"}`));
      assert.ok(text.includes(`scene_zone_entries_total{camera_id="${camera}",zone="middle",label="person"}`));
      assert.ok(text.includes(`scene_zone_dwell_seconds_count{camera_id="${camera}",zone="middle",label="person"}`));
      for (const direction of ['in', 'out'])
        assert.ok(text.includes(`scene_line_crossings_total{camera_id="${camera}",line="door",direction="${direction}",label="person"}`));
      assert.ok(text.includes(`scene_frames_untracked_total{camera_id="${camera}",reason="out_of_order"}`));
    }
    // A camera algo reads is tracked even without scene keys: its whole frame is the zone `frame`.
    assert.ok(text.includes('scene_tracks_active{camera_id="plain"} 0'), 'a camera without scene keys is tracked');
    assert.ok(!/scene_zone_entries_total\{camera_id="plain"/.test(text), 'it has no configured zone');
  });

  test('analyze tracks a push camera like detect; a frame posted under the id of a camera algo reads is not tracked', async () => {
    const start = Date.now() - 60_000;
    const answers: Array<TrackedAnswer & { summary: unknown }> = [];
    for (let k = 0; k < walk.frames.length; k++) {
      const response = await fetch(`${service.url}/api/v1/analyze?camera_id=atrium`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', 'x-capture-timestamp': String(start + k * 500) },
        body: await readFile(walk.frames[k]!),
      });
      assert.equal(response.status, 200);
      answers.push((await response.json()) as TrackedAnswer & { summary: unknown });
    }
    assert.ok(answers.every((answer) => answer.summary !== undefined));
    const ids = new Set(answers.flatMap((answer) => answer.objects.map((o) => o.track_id)));
    ids.delete(null);
    assert.equal(ids.size, 1, `track ids ${JSON.stringify(answers.map((a) => a.objects.map((o) => o.track_id)))}`);
    assertOnePass(await eventsOf(service, 'camera_id=atrium'), [2, 4]);

    const posted = await fetch(`${service.url}/api/v1/detect?camera_id=walk`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: await readFile(walk.frames[5]!),
    });
    assert.equal(posted.status, 200);
    const answer = (await posted.json()) as TrackedAnswer;
    assert.ok(answer.objects.length > 0 && answer.objects.every((object) => object.track_id === null));
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.equal(sample(text, 'scene_frames_untracked_total', 'camera_id="walk",reason="pulled_camera"'), 1);
  });

  test('a push camera over HTTP: one track for the walk, one in crossing, one entry and one exit', async () => {
    const start = Date.now() - 60_000;
    const answers: TrackedAnswer[] = [];
    for (let k = 0; k < walk.frames.length; k++) {
      const response = await fetch(`${service.url}/api/v1/detect?camera_id=lobby`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', 'x-capture-timestamp': String(start + k * 500) },
        body: await readFile(walk.frames[k]!),
      });
      assert.equal(response.status, 200);
      answers.push((await response.json()) as TrackedAnswer);
    }
    const ids = new Set(answers.flatMap((answer) => answer.objects.filter((o) => o.label === 'person').map((o) => o.track_id)));
    ids.delete(null);
    assert.equal(ids.size, 1, `track ids ${JSON.stringify(answers.map((a) => a.objects.map((o) => o.track_id)))}`);
    const events = await eventsOf(service, 'camera_id=lobby');
    // The zone is 0.4 of the frame wide, walked at 85 px/s of 640 (capture times 0.5 s apart): about 3 s.
    assertOnePass(events, [2, 4]);
    assert.equal(events[0]!.track_id, [...ids][0]);
    await assertCrops(service, events);

    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.equal(sample(text, 'scene_zone_entries_total', 'camera_id="lobby",zone="middle",label="person"'), 1);
    assert.equal(sample(text, 'scene_line_crossings_total', 'camera_id="lobby",line="door",direction="in",label="person"'), 1);
    assert.equal(sample(text, 'scene_line_crossings_total', 'camera_id="lobby",line="door",direction="out",label="person"'), 0);
    assert.equal(sample(text, 'scene_zone_dwell_seconds_count', 'camera_id="lobby",zone="middle",label="person"'), 1);
    assert.equal(sample(text, 'scene_tracks_total', 'camera_id="lobby",label="person"'), 1);

    // A frame older than the last tracked one is detected but not tracked, and counted.
    const late = await fetch(`${service.url}/api/v1/detect?camera_id=lobby`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', 'x-capture-timestamp': String(start) },
      body: await readFile(walk.frames[5]!),
    });
    assert.equal(late.status, 200);
    const lateAnswer = (await late.json()) as TrackedAnswer;
    assert.ok(lateAnswer.objects.length > 0 && lateAnswer.objects.every((object) => object.track_id === null));
    const after = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.equal(sample(after, 'scene_frames_untracked_total', 'camera_id="lobby",reason="out_of_order"'), 1);

    // The stream delivered the same events.
    const streamed = await waitFor('the lobby events on the stream', async () => {
      const got = stream.events.filter((event) => event.camera_id === 'lobby');
      return got.length >= 3 ? got : undefined;
    });
    assert.deepEqual(
      streamed.map((event) => event.id),
      events.map((event) => event.id),
    );
  });

  test('a file camera: the walk keeps one track through the zone and over the line, in the API, the stream and the camera result', async () => {
    const events = await waitFor(
      'a whole pass of the walk camera',
      async () => pass(await eventsOf(service, 'camera_id=walk&limit=1000')),
      90_000,
      500,
    );
    // A camera frame's time is when algo received it: ffmpeg's pace on a busy machine, so only bounded by the walk.
    assertOnePass(events, [0.1, SECONDS]);
    await assertCrops(service, events);
    const streamed = await waitFor('the pass on the stream', async () => {
      const got = pass(stream.events.filter((event) => event.camera_id === 'walk'));
      return got !== undefined && got.length === 3 ? got : undefined;
    });
    assert.deepEqual(
      streamed.map((event) => event.id),
      events.map((event) => event.id),
    );
    const camera = (await (await fetch(`${service.url}/api/v1/cameras/walk`)).json()) as { last_result: TrackedAnswer };
    assert.ok(camera.last_result.objects.every((object) => 'track_id' in object));
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.ok(sample(text, 'scene_line_crossings_total', 'camera_id="walk",line="door",direction="in",label="person"') >= 1);
    assert.equal(sample(text, 'scene_line_crossings_total', 'camera_id="walk",line="door",direction="out",label="person"'), 0);
  });

  test('an MJPEG camera over HTTP: the walk keeps one track, one entry, one in crossing and one exit', async () => {
    const events = await waitFor(
      'a whole pass of the MJPEG camera',
      async () => pass(await eventsOf(service, 'camera_id=walk-mjpeg&limit=1000')),
      90_000,
      500,
    );
    assertOnePass(events, [0.1, SECONDS]);
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.equal(sample(text, 'scene_zone_entries_total', 'camera_id="walk-mjpeg",zone="middle",label="person"'), 1);
    assert.equal(sample(text, 'scene_line_crossings_total', 'camera_id="walk-mjpeg",line="door",direction="in",label="person"'), 1);
    assert.equal(sample(text, 'scene_tracks_total', 'camera_id="walk-mjpeg",label="person"'), 1, 'one person, one track');
  });

  test('X-Capture-Timestamp that is no time is refused with invalid_capture_time', async () => {
    const response = await fetch(`${service.url}/api/v1/detect?camera_id=lobby`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', 'x-capture-timestamp': 'yesterday' },
      body: await readFile(walk.frames[0]!),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'invalid_capture_time');
  });

  test('a stream resumes after its Last-Event-ID; an unusable one starts from now', async () => {
    const lobby = await eventsOf(service, 'camera_id=lobby');
    const resumed = openStream(`${service.url}/api/v1/events/stream?camera_id=lobby`, { 'last-event-id': lobby[0]!.id });
    const fresh = openStream(`${service.url}/api/v1/events/stream?camera_id=lobby`, { 'last-event-id': 'not-an-id' });
    try {
      const got = await waitFor('the resumed events', async () => (resumed.events.length >= 2 ? resumed.events : undefined));
      assert.deepEqual(
        got.map((event) => event.id),
        lobby.slice(1).map((event) => event.id),
      );
      // Several heartbeats later, the fresh stream has still been sent nothing of the past.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(fresh.events, []);
    } finally {
      resumed.stop();
      fresh.stop();
    }
  });

  test('bad query values are refused with invalid_request', async () => {
    for (const query of ['type=jumped', 'limit=0', 'since_id=-1', 'camera_id=bad%20id']) {
      const response = await fetch(`${service.url}/api/v1/events?${query}`);
      assert.equal(response.status, 400, query);
    }
  });

  test('a crop of no held event is refused with no_crop, whatever the id', async () => {
    for (const id of ['1', '99999999999999999', 'abc', '-1', '1.5', 'x'.repeat(90)]) {
      const response = await fetch(`${service.url}/api/v1/events/${id}/crop.jpg`);
      assert.equal(response.status, 404, id);
      const body = (await response.json()) as { code: string; message: string };
      assert.equal(body.code, 'no_crop');
      assert.ok(!body.message.includes('x'.repeat(40)), 'the id is not echoed at length');
      assert.match(body.message, /^\d{1,16}$/.test(id) ? /^No crop is held for event/ : /is not an event id/, id);
    }
    // Past Fastify's 100-character parameter limit: refused before the route, without echoing it whole.
    const long = await fetch(`${service.url}/api/v1/events/${'x'.repeat(5000)}/crop.jpg`);
    assert.equal(long.status, 400);
    assert.ok((await long.text()).length < 600);
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.ok(sample(text, 'scene_event_crops_total', 'outcome="stored"') >= 3);
    assert.equal(sample(text, 'scene_event_crops_total', 'outcome="failed"'), 0);
  });
});
