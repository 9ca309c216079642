// A real RTSP camera (GStreamer's RTSP server, H.264 over TCP) and an H.264 MP4 file as
// cameras: detections with their ids and boxes in their own pixels; the RTSP server going
// away and coming back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { renderMetrics } from '../../src/metrics/render.js';
import { writeCamerasFile } from '../helpers/cameras.js';
import { writeTestModel } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { startRtspServer, type RtspServer } from '../helpers/rtsp-server.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

interface View {
  state: string;
  frames: number;
  detected: number;
  reconnects: number;
  down_reason: string | null;
  source_size: { width: number; height: number } | null;
  last_result: {
    camera_id: string;
    image: { width: number; height: number };
    objects: Array<{ box: { x: number; y: number; width: number; height: number } }>;
  } | null;
}

async function writeH264File(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'algo-video-')), 'lobby.mp4');
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=480x270:rate=10:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  return file;
}

describe('RTSP and file cameras', () => {
  let service: TestService;
  let rtsp: RtspServer;
  let rtspPort: number;

  before(async () => {
    rtspPort = await freePort();
    const [server, video] = await Promise.all([startRtspServer(rtspPort), writeH264File()]);
    rtsp = server;
    const file = await writeCamerasFile([
      { id: 'gate', url: rtsp.url, detect_fps: 2, stall_timeout_s: 3 },
      { id: 'lobby', url: video, detect_fps: 2 },
    ]);
    service = await startTestService({ ALGO_MODEL_PATH: await writeTestModel(), ALGO_CAMERAS_FILE: file });
  });
  after(async () => {
    await service?.stop('test');
    await rtsp?.kill();
  });

  const view = async (id: string): Promise<View> => (await (await fetch(`${service.url}/api/v1/cameras/${id}`)).json()) as View;
  const until = (id: string, what: string, check: (v: View) => boolean, timeoutMs = 30_000): Promise<View> =>
    waitFor(
      `${id} ${what}`,
      async () => {
        const v = await view(id);
        return check(v) ? v : undefined;
      },
      timeoutMs,
    );

  test('RTSP over TCP: detections flow under the camera id, boxes in the stream pixels', async () => {
    const gate = await until('gate', 'detected', (v) => v.detected >= 2);
    assert.deepEqual(gate.source_size, { width: 320, height: 240 });
    assert.equal(gate.last_result?.camera_id, 'gate');
    assert.deepEqual(gate.last_result?.image, { width: 320, height: 240 });
    assert.deepEqual(gate.last_result?.objects[0]?.box, { x: 80, y: 30, width: 40, height: 100 });
    assert.match(
      await renderMetrics(service.metrics.registry, 'prometheus'),
      /^detection_total\{camera_id="gate",model_type="yolov8n"\} [1-9]/m,
    );
  });

  test('an H.264 MP4 file plays as a camera, looping', async () => {
    // 2 s of video at detect_fps 2: more than 5 frames means it looped.
    const lobby = await until('lobby', 'looped', (v) => v.frames > 5);
    assert.equal(lobby.state, 'up');
    assert.equal(lobby.reconnects, 0);
    assert.deepEqual(lobby.source_size, { width: 480, height: 270 });
    // 480x270 letterboxed into 320x320 is scaled by 2/3 with 70 px on top: person A maps to (120, 0)-(180, 150).
    assert.deepEqual(lobby.last_result?.objects[0]?.box, { x: 120, y: 0, width: 60, height: 150 });
  });

  test('the RTSP server going away marks the camera down; it comes back by itself', async () => {
    await rtsp.kill();
    const down = await until('gate', 'down', (v) => v.state === 'down');
    assert.ok(['ended', 'unreachable', 'stalled', 'error'].includes(down.down_reason!), down.down_reason!);
    rtsp = await startRtspServer(rtspPort);
    const back = await until('gate', 'back up', (v) => v.state === 'up', 45_000);
    assert.ok(back.reconnects >= 1);
    assert.equal((await view('lobby')).state, 'up', 'the other camera was not disturbed');
  });
});
