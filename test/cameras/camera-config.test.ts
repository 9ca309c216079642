// The cameras file: defaults, and every kind of mistake stopping start-up with a message
// that names the camera and never shows credentials.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCameras, parseCamerasFile } from '../../src/cameras/camera-config.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';
import { writeCamerasFile } from '../helpers/cameras.js';

const parse = (yaml: string, max = 100) => parseCameras(yaml, '/etc/algo/cameras.yml', max);

function refused(yaml: string, pattern: RegExp, max = 100): string {
  let message = '';
  assert.throws(
    () => parse(yaml, max),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, 'ALGO_CAMERAS_FILE');
      message = error.message;
      return true;
    },
  );
  assert.match(message, pattern);
  return message;
}

test('a camera gets detect_fps 2, enabled and a 20 s stall timeout by default; the kind follows the URL', () => {
  const cameras = parse(`cameras:
  - id: door
    url: rtsp://user:pass@10.0.0.5:554/stream1
  - id: yard
    url: https://cam.example/mjpeg
    detect_fps: 0.5
    enabled: false
    stall_timeout_s: 5
`);
  assert.deepEqual(cameras, [
    { id: 'door', url: 'rtsp://user:pass@10.0.0.5:554/stream1', kind: 'rtsp', detectFps: 2, enabled: true, stallTimeoutSeconds: 20 },
    { id: 'yard', url: 'https://cam.example/mjpeg', kind: 'http', detectFps: 0.5, enabled: false, stallTimeoutSeconds: 5 },
  ]);
});

test('unknown keys, duplicate ids, bad ids and out-of-range values name the camera', () => {
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n    fps: 2\n', /camera "door": unknown key "fps"/);
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n  - id: door\n    url: rtsp://h/t\n', /camera "door": duplicate id/);
  refused('cameras:\n  - id: "bad id!"\n    url: rtsp://h/s\n', /cameras\[0\] id "bad id!"/);
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n    detect_fps: 0\n', /camera "door": detect_fps 0.*a number from 0.01 to 60/);
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n    enabled: "yes"\n', /camera "door": enabled "yes"/);
  refused('cameras:\n  - id: door\n    detect_fps: 2\n', /camera "door": detect_fps without a url/);
  refused('cameras:\n  - id: door\n    url: ""\n', /camera "door": url ""/);
  refused('cams: []\n', /no `cameras:` list/);
  refused('cameras: [\n', /not valid YAML/);
  refused('cameras:\n  - id: a\n    url: rtsp://h/a\n  - id: b\n    url: rtsp://h/b\n', /at most ALGO_MAX_CAMERAS \(1\)/, 1);
});

test('the reserved ids unknown and other are refused, as they are on every other entry point', () => {
  refused('cameras:\n  - id: other\n    url: rtsp://h/s\n', /camera "other": id is reserved/);
  refused('cameras:\n  - id: unknown\n    url: rtsp://h/s\n', /camera "unknown": id is reserved/);
});

test('a non-finite number (YAML .inf, .nan) is named as such, not as null', () => {
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n    stall_timeout_s: .inf\n', /camera "door": stall_timeout_s Infinity\)/);
  refused('cameras:\n  - id: door\n    url: rtsp://h/s\n    detect_fps: .nan\n', /camera "door": detect_fps NaN\)/);
});

test('bad URLs are refused with the credentials masked', () => {
  const scheme = refused(
    'cameras:\n  - id: door\n    url: ftp://admin:hunter2@cam/x\n',
    /camera "door": url "ftp:\/\/\*\*\*:\*\*\*@cam\/x"/,
  );
  assert.doesNotMatch(scheme, /hunter2|admin/);
  const noHost = refused('cameras:\n  - id: door\n    url: "rtsp://admin:hunter2@/x"\n', /camera "door": url/);
  assert.doesNotMatch(noHost, /hunter2/);
  refused('cameras:\n  - id: door\n    url: /no/such/video.mp4\n', /camera "door": file "\/no\/such\/video.mp4" not found/);
});

test('ALGO_CAMERAS_FILE is read at start-up; ALGO_ROLE=ingest needs cameras', async () => {
  const file = await writeCamerasFile([{ id: 'door', url: 'rtsp://127.0.0.1:1/s' }]);
  const config = loadConfig({ ALGO_CAMERAS_FILE: file, ALGO_ROLE: 'ingest' });
  assert.equal(config.role, 'ingest');
  assert.deepEqual(
    config.cameras.cameras.map((camera) => camera.id),
    ['door'],
  );
  assert.equal(config.cameras.ffmpegPath, 'ffmpeg');
  assert.throws(() => loadConfig({ ALGO_ROLE: 'ingest' }), /ALGO_ROLE="ingest" is not allowed; expected ingest only with cameras/);
  assert.throws(() => loadConfig({ ALGO_ROLE: 'detector' }), /ALGO_ROLE="detector" is not allowed; expected one of all, ingest/);
  assert.throws(() => loadConfig({ ALGO_CAMERAS_FILE: '/no/such/cameras.yml' }), /ALGO_CAMERAS_FILE="\/no\/such\/cameras.yml" \(ENOENT\)/);
});

test('every enabled camera algo reads has a scene; track: false turns it off, and zones or lines with it are refused', () => {
  const yaml = (extra: string): string => `cameras:\n  - id: a\n    url: rtsp://cam/a\n  - id: b\n    url: rtsp://cam/b\n${extra}`;
  const { scenes } = parseCamerasFile(yaml('    track: false\n'), 'cams.yml', 10);
  assert.deepEqual(
    scenes.map((scene) => scene.cameraId),
    ['a'],
  );
  assert.throws(
    () =>
      parseCamerasFile(
        yaml('    track: false\n    lines: [{name: door, from: [0.5, 0], to: [0.5, 1], in: left_to_right}]\n'),
        'cams.yml',
        10,
      ),
    (error: unknown) => error instanceof ConfigError && /camera "b": lines with track: false/.test(error.message),
  );
});
