// A tracked camera that goes down ends its tracks: no one stays "in the zone" of a camera that
// cannot see. A real MJPEG camera shows the fixture person standing in a zone, read by algo with
// the real detector; the camera process is killed: occupancy drops to 0 with the camera down,
// the visit ends with a `left` event whose dwell runs to the last sighting, and the reset is
// counted as camera_down. When the camera returns, the person is a new track and a new entry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cameraSample, writeCamerasFile } from '../helpers/cameras.js';
import { fixturePath } from '../helpers/images.js';
import { spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

interface ApiEvent {
  id: string;
  type: string;
  zone?: string;
  label: string;
  track_id: number;
  dwell_s?: number;
}

const WHOLE_FRAME = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

describe('a tracked camera that goes down', () => {
  let service: TestService;
  let camera: MjpegCameraProcess;
  const options = { fps: 5, width: 320, height: 240, photo: fixturePath('person') };

  before(async () => {
    camera = await spawnMjpegCamera(options);
    const file = await writeCamerasFile([
      {
        id: 'hall',
        url: `http://127.0.0.1:${camera.port}/video`,
        detect_fps: 4,
        stall_timeout_s: 3,
        zones: [{ name: 'hall', points: WHOLE_FRAME, labels: ['person'] }],
      },
    ]);
    service = await startTestService({ ALGO_CAMERAS_FILE: file });
  });
  after(async () => {
    await service?.stop('test');
    await camera?.kill();
  });

  const occupancy = (): Promise<number> => cameraSample(service, 'scene_objects', 'camera_id="hall",zone="hall",label="person"');
  const events = async (): Promise<ApiEvent[]> =>
    ((await (await fetch(`${service.url}/api/v1/events?camera_id=hall`)).json()) as { events: ApiEvent[] }).events;
  const state = async (): Promise<string> =>
    ((await (await fetch(`${service.url}/api/v1/cameras/hall`)).json()) as { state: string }).state;

  test('ends its tracks: occupancy 0, the visit left with its dwell, counted as camera_down; back up, a new entry', async () => {
    await waitFor('the person in the zone', async () => ((await occupancy()) >= 1 ? true : undefined), 30_000, 100);
    const entered = (await events()).find((event) => event.type === 'entered' && event.zone === 'hall');
    assert.ok(entered, 'an entered event');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // some dwell

    await camera.kill();
    await waitFor('the camera down', async () => ((await state()) === 'down' ? true : undefined), 30_000, 100);
    assert.equal(await occupancy(), 0);
    assert.equal(await cameraSample(service, 'scene_tracks_active', 'camera_id="hall"'), 0);
    assert.equal(await cameraSample(service, 'scene_track_resets_total', 'camera_id="hall",reason="camera_down"'), 1);
    const left = (await events()).filter((event) => event.type === 'left' && event.track_id === entered.track_id);
    assert.equal(left.length, 1, JSON.stringify(left));
    assert.ok((left[0]!.dwell_s ?? 0) >= 1, `dwell ${left[0]!.dwell_s}`);
    // With no frame of its own, the left shows the track's newest crop: the one of its entry.
    const crop = async (id: string): Promise<Buffer> => {
      const response = await fetch(`${service.url}/api/v1/events/${id}/crop.jpg`);
      assert.equal(response.status, 200, `crop of event ${id}`);
      return Buffer.from(await response.arrayBuffer());
    };
    assert.deepEqual(await crop(left[0]!.id), await crop(entered.id));
    assert.equal(await cameraSample(service, 'scene_zone_dwell_seconds_count', 'camera_id="hall",zone="hall",label="person"'), 1);

    camera = await spawnMjpegCamera({ ...options, port: camera.port });
    await waitFor('the person back in the zone', async () => ((await occupancy()) >= 1 ? true : undefined), 60_000, 200);
    const entries = (await events()).filter((event) => event.type === 'entered' && event.zone === 'hall');
    assert.equal(entries.length, 2);
    assert.notEqual(entries[1]!.track_id, entered.track_id);
    // One reset per outage, not one per failed retry.
    assert.equal(await cameraSample(service, 'scene_track_resets_total', 'camera_id="hall",reason="camera_down"'), 1);
  });
});
