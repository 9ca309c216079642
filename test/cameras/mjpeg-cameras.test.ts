// Cameras pulled over HTTP (MJPEG, multipart/x-mixed-replace) from real camera processes:
// detections under the camera's id, health in the API and /metrics, lost, frozen, refused and
// wrongly authenticated cameras, and credentials masked everywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { renderMetrics } from '../../src/metrics/render.js';
import { cameraSample, writeCamerasFile } from '../helpers/cameras.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { writeTestModel } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { TEST_MODEL_SIZE } from '../helpers/yolo-test-model.js';

interface CameraView {
  id: string;
  state: string;
  url: string;
  detect_fps: number;
  frames: number;
  detected: number;
  dropped: number;
  failed: number;
  reconnects: number;
  stalls: number;
  since: string;
  down_reason: string | null;
  error: string | null;
  source_size: { width: number; height: number } | null;
  last_frame_at: string | null;
  last_result: {
    camera_id: string;
    objects: Array<{ label: string; box: { x: number; y: number; width: number; height: number } }>;
    at: string;
  } | null;
}

const SECRET = 's3cret-Pa55';
const WRONG = 'wrong-Pa55';

describe('MJPEG cameras', () => {
  let service: TestService;
  let door: MjpegCameraProcess;
  let lost: MjpegCameraProcess;
  let frozen: MjpegCameraProcess;
  let lostPort: number;
  const apiAnswers: string[] = [];

  before(async () => {
    [door, lost, frozen] = await Promise.all([
      spawnMjpegCamera({ fps: 12, width: 320, height: 240, credentials: `bob:${SECRET}`, colours: [[90, 90, 90]] }),
      spawnMjpegCamera({ fps: 10, width: 160, height: 120 }),
      spawnMjpegCamera({ fps: 10, width: 160, height: 120 }),
    ]);
    lostPort = lost.port;
    const closed = await freePort();
    const file = await writeCamerasFile([
      { id: 'door', url: `http://bob:${SECRET}@127.0.0.1:${door.port}/video`, detect_fps: 4, stall_timeout_s: 3 },
      { id: 'badauth', url: `http://bob:${WRONG}@127.0.0.1:${door.port}/video`, detect_fps: 2, stall_timeout_s: 3 },
      { id: 'refused', url: `http://127.0.0.1:${closed}/video`, stall_timeout_s: 3 },
      { id: 'nowhere', url: 'http://camera.invalid/video', stall_timeout_s: 2 },
      { id: 'lost', url: `http://127.0.0.1:${lost.port}/video`, detect_fps: 5, stall_timeout_s: 3 },
      { id: 'frozen', url: `http://127.0.0.1:${frozen.port}/video`, detect_fps: 5, stall_timeout_s: 2 },
      { id: 'spare', url: `http://127.0.0.1:${closed}/video`, enabled: false },
    ]);
    service = await startTestService({ ALGO_MODEL_PATH: await writeTestModel(), ALGO_CAMERAS_FILE: file });
  });
  after(async () => {
    await service?.stop('test');
    frozen?.child.kill('SIGCONT');
    await Promise.all([door?.kill(), lost?.kill(), frozen?.kill()]);
  });

  async function api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
    const response = await fetch(`${service.url}${path}`, init);
    const text = await response.text();
    apiAnswers.push(text);
    return { status: response.status, body: JSON.parse(text) as T };
  }
  const camera = async (id: string): Promise<CameraView> => (await api<CameraView>(`/api/v1/cameras/${id}`)).body;
  const until = (id: string, what: string, check: (view: CameraView) => boolean, timeoutMs = 20_000): Promise<CameraView> =>
    waitFor(
      `${id} ${what}`,
      async () => {
        const view = await camera(id);
        return check(view) ? view : undefined;
      },
      timeoutMs,
    );
  const warnings = (id: string): string[] =>
    service.logs.lines.filter((line) => line.camera_id === id && line.level === 40).map((line) => line.msg);

  test('detections flow under the camera id, boxes in camera pixels, at detect_fps', async () => {
    const first = await until('door', 'detected', (view) => view.detected >= 2);
    assert.equal(first.state, 'up');
    assert.deepEqual(first.source_size, { width: 320, height: 240 });
    assert.equal(first.last_result?.camera_id, 'door');
    // The test model's person A is at (80, 70)-(120, 170) in its 320x320 input: the 320x240
    // frame is letterboxed with 40 px on top, so in camera pixels it starts at y = 30.
    assert.equal(TEST_MODEL_SIZE, 320);
    assert.deepEqual(first.last_result?.objects[0]?.box, { x: 80, y: 30, width: 40, height: 100 });
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^detection_total\{camera_id="door",model_type="yolov8n"\} [1-9]/m);
    assert.match(text, /^camera_up\{camera_id="door"\} 1$/m);
    assert.match(text, /^camera_last_frame_timestamp_seconds\{camera_id="door"\} 1\d{9}/m);
    assert.doesNotMatch(text, /camera_id="spare"/, 'a disabled camera has no series');

    // detect_fps 4 from a 12 fps source, over a measured interval: thinned well below the
    // source's rate (a loaded machine may deliver fewer, so no lower bound beyond "frames flow").
    const start = await camera('door');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const end = await camera('door');
    const seconds = (Date.parse(end.last_frame_at!) - Date.parse(start.last_frame_at!)) / 1000;
    const rate = (end.frames - start.frames - 1) / seconds;
    assert.ok(rate > 0 && rate < 8, `received ${rate.toFixed(2)} frames/s at detect_fps 4 from a 12 fps source`);
  });

  test('the snapshot is the latest frame as JPEG; annotate=true draws the last result', async () => {
    const plain = await fetch(`${service.url}/api/v1/cameras/door/snapshot.jpg`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'image/jpeg');
    const plainBytes = Buffer.from(await plain.arrayBuffer());
    // The picture without the letterbox padding: the camera's view at the detector's scale.
    assert.deepEqual(
      await sharp(plainBytes)
        .metadata()
        .then((m) => [m.format, m.width, m.height]),
      ['jpeg', 320, 240],
    );
    const annotated = Buffer.from(await (await fetch(`${service.url}/api/v1/cameras/door/snapshot.jpg?annotate=true`)).arrayBuffer());
    // Person A's box edge (x = 80, y from 30 to 130) is drawn in red over the gray frame.
    const { data, info } = await sharp(annotated).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [r, g, b] = at(80, 80);
    assert.ok(r! > 150 && r! > g! + 60, `box edge pixel is red: ${[r, g, b]}`);
    assert.equal((await api('/api/v1/cameras/door/snapshot.jpg?annotate=maybe')).status, 400);
    const none = await api<{ code: string }>('/api/v1/cameras/refused/snapshot.jpg');
    assert.deepEqual([none.status, none.body.code], [503, 'no_frame']);
    const unknown = await api<{ code: string }>('/api/v1/cameras/garage');
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'unknown_camera']);
  });

  test('wrong credentials, a refused port and an unresolvable host: down with a clear reason, logged once, others unaffected', async () => {
    const badauth = await until('badauth', 'down', (view) => view.down_reason !== null);
    assert.equal(badauth.state, 'down');
    assert.equal(badauth.down_reason, 'auth_failed');
    assert.match(badauth.error!, /401 Unauthorized/);
    const refused = await until('refused', 'down', (view) => view.down_reason !== null);
    assert.equal(refused.down_reason, 'unreachable');
    assert.match(refused.error!, /Connection refused/);
    const nowhere = await until('nowhere', 'down', (view) => view.down_reason !== null);
    assert.equal(nowhere.down_reason, 'unreachable');
    assert.match(nowhere.error!, /camera\.invalid/);
    await until('refused', 'retrying', (view) => view.reconnects >= 2);
    for (const id of ['badauth', 'refused', 'nowhere'])
      assert.equal(warnings(id).length, 1, `${id}: one warning for the outage: ${warnings(id).join(' | ')}`);
    assert.deepEqual(warnings('badauth'), ['camera is down: auth_failed']);
    assert.equal(await cameraSample(service, 'camera_up', 'camera_id="badauth"'), 0);
    assert.equal((await camera('door')).state, 'up');
    const ready = await fetch(`${service.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  test('a killed camera goes down with one log line and comes back by itself when it returns', async () => {
    await until('lost', 'up', (view) => view.state === 'up');
    const warned = warnings('lost').length;
    await lost.kill();
    const down = await until('lost', 'down', (view) => view.state !== 'up' && view.down_reason !== null);
    assert.equal(await cameraSample(service, 'camera_up', 'camera_id="lost"'), 0);
    assert.ok(['ended', 'unreachable'].includes(down.down_reason!), down.down_reason!);
    lost = await spawnMjpegCamera({ port: lostPort, fps: 10, width: 160, height: 120 });
    const back = await until('lost', 'back up', (view) => view.state === 'up', 40_000);
    assert.ok(back.reconnects >= 1);
    assert.ok((await cameraSample(service, 'camera_reconnects_total', 'camera_id="lost"')) >= 1);
    assert.equal(await cameraSample(service, 'camera_up', 'camera_id="lost"'), 1);
    assert.equal(warnings('lost').length, warned + 1, warnings('lost').join(' | '));
    assert.ok(service.logs.lines.some((line) => line.camera_id === 'lost' && line.msg === 'camera is back up'));
  });

  test('a frozen camera is detected as stalled after stall_timeout_s and restarted', async () => {
    const running = await until('frozen', 'up', (view) => view.state === 'up');
    frozen.child.kill('SIGSTOP');
    // The stall is counted when algo kills ffmpeg, the state changes once ffmpeg has exited.
    const stalled = await until('frozen', 'stalled', (view) => view.stalls > running.stalls && view.state === 'down');
    assert.equal(stalled.down_reason, 'stalled');
    assert.equal(stalled.error, 'no frame for 2 s');
    const silentSeconds = (Date.parse(stalled.since) - Date.parse(stalled.last_frame_at!)) / 1000;
    assert.ok(silentSeconds >= 2 && silentSeconds < 5, `marked down ${silentSeconds} s after the last frame (stall_timeout_s 2)`);
    assert.ok((await cameraSample(service, 'camera_stalls_total', 'camera_id="frozen"')) >= stalled.stalls);
    frozen.child.kill('SIGCONT');
    await until('frozen', 'up again', (view) => view.state === 'up', 40_000);
  });

  test('POST reconnect restarts a camera at once, answers connecting and counts it; unknown cameras are 404', async () => {
    const before = await camera('door');
    const answer = await api<{ id: string; state: string }>('/api/v1/cameras/door/reconnect', { method: 'POST' });
    assert.equal(answer.status, 202);
    assert.deepEqual(answer.body, { id: 'door', state: 'connecting' });
    await until('door', 'reconnected', (view) => view.reconnects === before.reconnects + 1 && view.state === 'up');
    assert.equal((await api('/api/v1/cameras/garage/reconnect', { method: 'POST' })).status, 404);
  });

  test('the camera list shows every camera, URLs masked; no credential appears in answers, logs or metrics', async () => {
    const { body } = await api<{ cameras: CameraView[] }>('/api/v1/cameras');
    assert.deepEqual(
      body.cameras.map((view) => view.id),
      ['door', 'badauth', 'refused', 'nowhere', 'lost', 'frozen', 'spare'],
    );
    assert.equal(body.cameras[0]!.url, `http://***:***@127.0.0.1:${door.port}/video`);
    assert.equal(body.cameras.find((view) => view.id === 'spare')!.state, 'disabled');
    const everything = [...apiAnswers, ...service.logs.raw, await renderMetrics(service.metrics.registry, 'prometheus')].join('\n');
    for (const secret of [SECRET, WRONG, 'bob']) assert.ok(!everything.includes(secret), `${secret} leaked`);
  });
});
