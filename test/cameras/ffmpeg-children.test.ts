// algo as users run it (a separate process) with cameras: no ffmpeg is left behind after
// SIGTERM, nor after SIGKILL of algo while its ffmpeg children wait on a frozen camera; and a
// missing ffmpeg stops start-up with a clear message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ffmpegPids, writeCamerasFile } from '../helpers/cameras.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { writeTestModel } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

describe('ffmpeg children', () => {
  const cameras: MjpegCameraProcess[] = [];
  // Two algo processes started side by side (start-up is most of this file's time).
  let terminated: Awaited<ReturnType<typeof algoWithCameras>>;
  let killed: Awaited<ReturnType<typeof algoWithCameras>>;
  before(async () => {
    [terminated, killed] = await Promise.all([algoWithCameras(), algoWithCameras()]);
  });
  after(async () => {
    for (const run of [terminated?.run, killed?.run]) run?.child.kill('SIGKILL');
    for (const camera of cameras) {
      camera.child.kill('SIGCONT');
      await camera.kill();
    }
  });

  /** algo with one live and one frozen camera, once both ffmpeg children are reading. */
  async function algoWithCameras(): Promise<{ run: AlgoProcess; needle: string; pids: number[] }> {
    const [live, frozen] = await Promise.all([
      spawnMjpegCamera({ fps: 5, width: 160, height: 120 }),
      spawnMjpegCamera({ fps: 5, width: 160, height: 120 }),
    ]);
    cameras.push(live, frozen);
    const needle = `algo-children-${live.port}`;
    const file = await writeCamerasFile([
      { id: 'live', url: `http://127.0.0.1:${live.port}/${needle}`, stall_timeout_s: 120 },
      { id: 'frozen', url: `http://127.0.0.1:${frozen.port}/${needle}`, stall_timeout_s: 120 },
    ]);
    const port = await freePort();
    const run = spawnAlgo({ PORT: String(port), ALGO_MODEL_PATH: await writeTestModel(), ALGO_CAMERAS_FILE: file, ALGO_LOG_LEVEL: 'warn' });
    await waitFor(
      'both cameras up',
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/cameras`)).json()) as { cameras: Array<{ state: string }> };
        return body.cameras.every((camera) => camera.state === 'up') ? true : undefined;
      },
      60_000,
    );
    // The frozen camera stops sending: its ffmpeg now blocks reading, writing nothing.
    frozen.child.kill('SIGSTOP');
    const pids = await ffmpegPids(needle);
    assert.equal(pids.length, 2, 'one ffmpeg per camera');
    return { run, needle, pids };
  }

  test('SIGTERM stops every ffmpeg child before algo exits', async () => {
    const { run, needle } = terminated;
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
    assert.deepEqual(await ffmpegPids(needle), []);
  });

  test('SIGKILL of algo takes its ffmpeg children with it (parent-death signal), even one waiting on a frozen camera', async () => {
    const { run, needle, pids } = killed;
    run.child.kill('SIGKILL');
    await run.exit;
    await waitFor(`ffmpeg ${pids.join(', ')} gone`, async () => ((await ffmpegPids(needle)).length === 0 ? true : undefined), 10_000);
  });

  test('cameras configured but no ffmpeg: start-up stops with a message saying so', async () => {
    const file = await writeCamerasFile([{ id: 'door', url: 'rtsp://127.0.0.1:1/stream' }]);
    const run = spawnAlgo({ PORT: '0', ALGO_CAMERAS_FILE: file, ALGO_FFMPEG_PATH: '/nonexistent/ffmpeg' });
    assert.equal(await run.exit, 1);
    assert.match(
      run.output(),
      /failed to start: Cameras are configured \(ALGO_CAMERAS_FILE\) but cannot be read: \/nonexistent\/ffmpeg cannot be run \(ENOENT\)\. Install ffmpeg/,
    );
  });
});
