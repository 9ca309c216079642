// A camera that switches resolution mid-stream (320×240 → 640×360, as between day and night
// profiles) is followed: boxes, source_size and snapshots take the new size, the change is logged
// once and counted. In the detector role boxes are compared with the same picture POSTed alone;
// in the ingest role the frames themselves must come out at the new size, not stretched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { cameraSample, writeCamerasFile } from '../helpers/cameras.js';
import { makeFrames, spawnMjpegCamera, type MjpegCameraProcess } from '../helpers/mjpeg-camera.js';
import { writeTestModel } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Detection {
  image: { width: number; height: number };
  objects: Array<{ label: string; box: Box }>;
}
interface CameraView {
  state: string;
  frames: number;
  detected: number;
  reconnects: number;
  source_size: { width: number; height: number } | null;
  last_result: Detection | null;
}

const GRAY: [number, number, number] = [90, 90, 90];
const BEFORE = { width: 320, height: 240 };
const AFTER = { width: 640, height: 360 };

describe('a camera that changes resolution mid-stream', () => {
  let camera: MjpegCameraProcess;
  let detector: TestService;
  let ingest: TestService;

  before(async () => {
    camera = await spawnMjpegCamera({ fps: 10, ...BEFORE, colours: [GRAY], switchTo: AFTER });
    detector = await startTestService({
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'gate', url: `http://127.0.0.1:${camera.port}/gate`, detect_fps: 5 }]),
    });
    // Nothing needs to reach Kafka here: the frames the ingest role would send are its snapshots.
    ingest = await startTestService({
      ALGO_ROLE: 'ingest',
      ALGO_KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      ALGO_CAMERAS_FILE: await writeCamerasFile([{ id: 'gate', url: `http://127.0.0.1:${camera.port}/gate`, detect_fps: 5 }]),
    });
  });
  after(async () => {
    await detector?.stop('test');
    await ingest?.stop('test');
    await camera?.kill();
  });

  const view = async (service: TestService): Promise<CameraView> =>
    (await (await fetch(`${service.url}/api/v1/cameras/gate`)).json()) as CameraView;
  const snapshotSize = async (service: TestService, annotate: boolean): Promise<[number, number]> => {
    const jpeg = Buffer.from(await (await fetch(`${service.url}/api/v1/cameras/gate/snapshot.jpg?annotate=${annotate}`)).arrayBuffer());
    const meta = await sharp(jpeg).metadata();
    return [meta.width ?? 0, meta.height ?? 0];
  };
  const boxes = (detection: Detection | null | undefined): Array<[string, Box]> =>
    (detection?.objects ?? []).map((object) => [object.label, object.box]);
  const changeLines = (service: TestService): unknown[] =>
    service.logs.lines.filter((line) => line.msg === 'camera resolution changed').map((line) => [line.camera_id, line.from, line.to]);

  test('boxes, source_size and snapshots follow the new size; the change is logged once and counted', async () => {
    const [frame] = await makeFrames({ ...AFTER, colours: [GRAY] });
    const alone = await fetch(`${detector.url}/api/v1/detect?camera_id=gate`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: new Uint8Array(frame!),
    });
    assert.equal(alone.status, 200);
    const expected = (await alone.json()) as Detection;
    assert.deepEqual(expected.image, AFTER);

    const old = await waitFor('detections at the first size', async () => {
      const current = await view(detector);
      return current.detected >= 2 && current.last_result !== null ? current : undefined;
    });
    assert.deepEqual(old.source_size, BEFORE);
    assert.notDeepEqual(boxes(old.last_result), boxes(expected), 'the two sizes give different boxes');
    await waitFor('the ingest role reading the camera', async () => ((await view(ingest)).frames >= 2 ? true : undefined));
    assert.equal(await cameraSample(detector, 'camera_resolution_changes_total', 'camera_id="gate"'), 0);

    camera.switchSize();
    const followed = await waitFor(
      'results at the new size',
      async () => {
        const current = await view(detector);
        return current.last_result?.image.width === AFTER.width ? current : undefined;
      },
      60_000,
    );
    assert.deepEqual(followed.source_size, AFTER);
    // Once followed, every later result is the picture's own: frames carry the size they were taken at.
    const later = await waitFor('three more results', async () => {
      const current = await view(detector);
      return current.detected >= followed.detected + 3 ? current : undefined;
    });
    assert.deepEqual(later.last_result?.image, AFTER);
    assert.deepEqual(boxes(later.last_result), boxes(expected));
    assert.equal(later.state, 'up');
    assert.equal(later.reconnects, 0, 'followed without restarting the stream');

    // The snapshot is the camera's view at the detector's scale: 640×360 letterboxed into 320×320 is 320×180.
    assert.deepEqual(await snapshotSize(detector, false), [320, 180]);
    const annotated = Buffer.from(await (await fetch(`${detector.url}/api/v1/cameras/gate/snapshot.jpg?annotate=true`)).arrayBuffer());
    const { data, info } = await sharp(annotated).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [320, 180]);
    // Person A's left edge: x = 160 camera pixels, 80 at the snapshot's scale, from y = 0 to 100.
    const [r, g, b] = [...data.subarray((50 * info.width + 80) * 3, (50 * info.width + 80) * 3 + 3)];
    assert.ok(r! > 150 && r! > g! + 60, `box edge pixel is red: ${[r, g, b]}`);

    assert.equal(await cameraSample(detector, 'camera_resolution_changes_total', 'camera_id="gate"'), 1);
    assert.deepEqual(changeLines(detector), [['gate', '320x240', '640x360']]);
  });

  test('in the ingest role the frames come out at the new size, not stretched to the old one', async () => {
    const followed = await waitFor(
      'ingest frames at the new size',
      async () => ((await snapshotSize(ingest, false)).join('x') === '640x360' ? await view(ingest) : undefined),
      60_000,
    );
    assert.deepEqual(followed.source_size, AFTER);
    assert.equal(followed.reconnects, 0, 'a new ffmpeg for the new size is not a reconnect');
    const later = await waitFor('more frames', async () => {
      const current = await view(ingest);
      return current.frames >= followed.frames + 3 ? current : undefined;
    });
    assert.equal(later.state, 'up');
    assert.deepEqual(await snapshotSize(ingest, false), [640, 360]);
    assert.equal(await cameraSample(ingest, 'camera_resolution_changes_total', 'camera_id="gate"'), 1);
    assert.deepEqual(changeLines(ingest), [['gate', '320x240', '640x360']]);
  });
});
