// When detection is slower than the cameras' detect_fps, stale frames are dropped and
// counted, cameras are served in turn, and every frame received has exactly one outcome:
// camera_frames_total = detected + dropped + failed, per camera.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderMetrics } from '../../src/metrics/render.js';
import { sample, writeCamerasFile } from '../helpers/cameras.js';
import { fixturePath } from '../helpers/images.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const IDS = ['north', 'south', 'east'];

describe('frame outcomes under a slow detector', () => {
  let camera: MjpegCameraProcess;
  let service: TestService;
  before(async () => {
    camera = await spawnMjpegCamera({ fps: 15, width: 320, height: 240, photo: fixturePath('person') });
    const file = await writeCamerasFile(IDS.map((id) => ({ id, url: `http://127.0.0.1:${camera.port}/${id}`, detect_fps: 10 })));
    // The built-in CenterNet detector is far slower than 3 cameras x 10 frames/s.
    service = await startTestService({ ALGO_DETECTOR: 'centernet', ALGO_CAMERAS_FILE: file, ALGO_LOG_LEVEL: 'warn' });
  });
  after(async () => {
    await service?.stop('test');
    await camera?.kill();
  });

  test('stale frames are dropped and counted, cameras take turns, and outcomes add up to the frames received', async () => {
    const counts = (text: string, id: string) => ({
      frames: sample(text, 'camera_frames_total', `camera_id="${id}"`),
      detected: sample(text, 'camera_frames_processed_total', `camera_id="${id}",outcome="detected"`),
      dropped: sample(text, 'camera_frames_processed_total', `camera_id="${id}",outcome="dropped"`),
      failed: sample(text, 'camera_frames_processed_total', `camera_id="${id}",outcome="failed"`),
    });
    await waitFor(
      'two detections and a dropped frame per camera',
      async () => {
        const text = await renderMetrics(service.metrics.registry, 'prometheus');
        return IDS.every((id) => counts(text, id).detected >= 2 && counts(text, id).dropped >= 1) ? true : undefined;
      },
      90_000,
    );
    // Stopping drops the frames still waiting (counted) and finishes those in flight.
    await service.stop('test');
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    const all = IDS.map((id) => counts(text, id));
    for (const [i, c] of all.entries()) {
      assert.equal(c.detected + c.dropped + c.failed, c.frames, `${IDS[i]}: ${JSON.stringify(c)}`);
      assert.ok(c.dropped > 0, `${IDS[i]}: frames are dropped when the detector is slow: ${JSON.stringify(c)}`);
      assert.equal(c.failed, 0);
    }
    const detected = all.map((c) => c.detected);
    assert.ok(Math.max(...detected) - Math.min(...detected) <= 2, `round-robin: ${detected.join(', ')}`);
    assert.match(text, new RegExp(`^detection_total\\{camera_id="north",model_type="${service.pipeline!.modelType}"\\} [1-9]`, 'm'));
  });
});
