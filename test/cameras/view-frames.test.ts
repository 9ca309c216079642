// The console's large picture: the same ffmpeg that feeds detection also writes JPEG frames at
// the camera's own resolution (long side at most 1280, never enlarged, about once a second), so
// /api/v1/cameras/:id/snapshot.jpg?size=full shows the camera as it is without a second
// connection to it; the default snapshot stays the frame detection saw.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { viewFilter } from '../../src/cameras/ffmpeg-args.js';
import { writeCamerasFile } from '../helpers/cameras.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { writeTestModel } from '../helpers/models.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { TEST_MODEL_SIZE } from '../helpers/yolo-test-model.js';

describe('view frames at the camera resolution', () => {
  let service: TestService;
  let wide: MjpegCameraProcess;
  let small: MjpegCameraProcess;
  let portrait: MjpegCameraProcess;

  before(async () => {
    [wide, small, portrait] = await Promise.all([
      spawnMjpegCamera({ fps: 5, width: 1600, height: 900 }),
      spawnMjpegCamera({ fps: 5, width: 400, height: 300 }),
      spawnMjpegCamera({ fps: 5, width: 720, height: 1440 }),
    ]);
    service = await startTestService({
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_CAMERAS_FILE: await writeCamerasFile([
        { id: 'wide', url: `http://127.0.0.1:${wide.port}/v`, detect_fps: 2 },
        { id: 'small', url: `http://127.0.0.1:${small.port}/v`, detect_fps: 2 },
        { id: 'portrait', url: `http://127.0.0.1:${portrait.port}/v`, detect_fps: 2 },
      ]),
    });
  });
  after(async () => {
    await service?.stop('test');
    await Promise.all([wide?.kill(), small?.kill(), portrait?.kill()]);
  });

  const size = async (path: string): Promise<{ status: number; width?: number; height?: number }> => {
    const response = await fetch(`${service.url}${path}`);
    if (response.status !== 200) return { status: response.status };
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    return { status: 200, width: meta.width, height: meta.height };
  };
  /** Waits for the view frame (until then size=full answers the detection frame), then its size. */
  const full = async (
    id: string,
    expectedWidth: number,
    annotate = false,
  ): Promise<{ status: number; width?: number; height?: number }> => {
    const path = `/api/v1/cameras/${id}/snapshot.jpg?size=full${annotate ? '&annotate=true' : ''}`;
    await waitFor(`${id}'s view frame`, async () => ((await size(path)).width === expectedWidth ? true : undefined), 30_000, 200);
    return size(path);
  };

  test('size=full is the camera at its own resolution, the long side at most 1280 and never enlarged; annotated too', async () => {
    assert.deepEqual(await full('wide', 1280), { status: 200, width: 1280, height: 720 });
    assert.deepEqual(await full('wide', 1280, true), { status: 200, width: 1280, height: 720 });
    assert.deepEqual(await full('small', 400), { status: 200, width: 400, height: 300 });
    assert.deepEqual(await full('portrait', 640), { status: 200, width: 640, height: 1280 });
  });

  test('the default snapshot is still the frame detection saw; a bad size is refused', async () => {
    const detected = await size('/api/v1/cameras/wide/snapshot.jpg');
    assert.equal(detected.width, TEST_MODEL_SIZE);
    assert.equal(detected.height, Math.round((TEST_MODEL_SIZE * 900) / 1600));
    assert.equal((await size('/api/v1/cameras/wide/snapshot.jpg?size=huge')).status, 400);
  });

  test('the view filter keeps the aspect ratio with even sizes', () => {
    assert.match(viewFilter({ maxSide: 1280, fps: 1, quality: 5 }), /^fps=1,scale=w=/);
  });
});
