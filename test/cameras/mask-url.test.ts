// Credentials in camera URLs are masked wherever a URL or ffmpeg's words are shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskUrl, redactor } from '../../src/cameras/mask-url.js';

test('userinfo and secret-looking query values are masked; the rest of the URL stays', () => {
  assert.equal(maskUrl('rtsp://admin:hunter2@10.0.0.5:554/stream1'), 'rtsp://***:***@10.0.0.5:554/stream1');
  assert.equal(maskUrl('http://viewer@cam.local/video'), 'http://***@cam.local/video');
  assert.equal(maskUrl('http://cam.local/video.cgi?user=admin&pwd=hunter2&res=hd'), 'http://cam.local/video.cgi?user=***&pwd=***&res=hd');
  assert.equal(maskUrl('rtsp://cam.local/stream'), 'rtsp://cam.local/stream');
  assert.equal(maskUrl('/videos/lobby.mp4'), '/videos/lobby.mp4');
});

test("the redactor scrubs the URL and each secret, raw or %-encoded, from ffmpeg's stderr", () => {
  const redact = redactor('rtsp://admin:p%40ss word@10.0.0.5/s?token=abc123xyz');
  const line = redact(
    '[rtsp @ 0x1] rtsp://admin:p%40ss word@10.0.0.5/s?token=abc123xyz: 401 Unauthorized; tried p@ss word and abc123xyz as admin',
  );
  assert.doesNotMatch(line, /p%40ss|p@ss|abc123xyz|admin/);
  assert.match(line, /rtsp:\/\/\*\*\*:\*\*\*@10\.0\.0\.5\/s\?token=\*\*\*: 401 Unauthorized/);
});
