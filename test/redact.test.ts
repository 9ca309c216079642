// Credentials in camera URLs are masked wherever a URL or ffmpeg's words are shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCameras } from '../src/cameras/camera-config.js';
import { maskUrl, redactor, redactValue } from '../src/redact.js';
import { loadConfig } from '../src/config/config.js';
import { parseDoctorArgs } from '../src/doctor/options.js';

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

// Real-world camera URL shapes, each with every piece of its credentials that must not be shown.
const CAMERA_URLS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['rtsp://hikuser:Hik12345@192.168.1.64:554/Streaming/Channels/101', ['hikuser', 'Hik12345']],
  ['rtsp://dahuser:Dahua!2024@192.168.1.108:554/cam/realmonitor?channel=1&subtype=0', ['dahuser', 'Dahua!2024']],
  ['rtsp://axisuser:AxPass55@192.168.0.90/axis-media/media.amp?videocodec=h264', ['axisuser', 'AxPass55']],
  ['rtsp://hashuser:Pw#Hash77@cam.local/stream', ['hashuser', 'Pw#Hash77', 'Hash77']],
  ['rtsp://slashuser:Sl/ash99@10.0.0.7/live', ['slashuser', 'Sl/ash99', 'ash99']],
  ['rtsp://askuser:Qu?est55@10.0.0.7/live', ['askuser', 'Qu?est55', 'est55']],
  ['rtsp://numuser:1234#5678@10.0.0.9:554/h264', ['numuser', '1234#5678', '#5678']],
  ['rtsp://numuser:4321/8765@10.0.0.9:554/h264', ['numuser', '4321/8765', '8765@']],
  ['rtsp://atuser:p@ssAt42@10.0.0.5/s', ['atuser', 'p@ssAt42', 'ssAt42']],
  ['rtsp://mixuser:a#b/c?d@e42@10.0.0.5/s', ['mixuser', 'a#b/c?d@e42', 'c?d@e42', 'd@e42']],
  ['rtsp://encuser:p%23ss%2Fenc@10.0.0.5/s', ['encuser', 'p%23ss%2Fenc', 'p#ss/enc']],
  ['rtsp://v6user:V6Pass77@[fe80::1]:554/s', ['v6user', 'V6Pass77']],
  ['rtsp://emptyhost:NoHost33@/x', ['emptyhost', 'NoHost33']],
  ['rtsp://tokenonly8@cam.local/s', ['tokenonly8']],
  ['http://192.168.1.20:88/cgi-bin/CGIProxy.fcgi?cmd=snapPicture2&usr=fosuser&pwd=FosPw123', ['fosuser', 'FosPw123']],
  ['http://192.168.1.30:81/videostream.cgi?loginuse=lguser&loginpas=LgPas456', ['lguser', 'LgPas456']],
  ['http://cam.local/cgi-bin/snapshot.cgi?USER=upuser&PWD=UpPw22&chn=1', ['upuser', 'UpPw22']],
  ['http://cam.local/video.cgi?username=longuser&password=LongPw11', ['longuser', 'LongPw11']],
  ['http://cam.local/video.cgi?pw=ShortPw3&passwd=Passwd44&pass=PassVal5', ['ShortPw3', 'Passwd44', 'PassVal5']],
  ['rtsp://192.168.1.10:554/user=xmadmin_password=XmPw789_channel=1_stream=0.sdp?real_stream', ['xmadmin', 'XmPw789']],
  ['rtsp://192.168.1.11:554/user=xmuser&password=XmAmp321&channel=1&stream=0.sdp', ['xmuser', 'XmAmp321']],
  ['https://cam.example.com/live/stream.m3u8?token=TkValue999&expires=1700000000', ['TkValue999']],
  ['https://cam.example.com/snapshot.jpg?api_key=KeyVal1234', ['KeyVal1234']],
  ['http://cam.local/mjpg/video.mjpg?auth=YWRtaW46c2VjcmV0', ['YWRtaW46c2VjcmV0']],
  ['https://store.example.com/cam1.mp4?X-Amz-Date=20260101T000000Z&X-Amz-Signature=SigVal0001', ['SigVal0001']],
  ['https://cam.example.com/live?secret=SecVal0002&sig=SigVal0003&key=KeyVal0004', ['SecVal0002', 'SigVal0003', 'KeyVal0004']],
  ['http://cam.local/live#access_token=FragTok66', ['FragTok66']],
];

function thrownMessage(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

test('no credential of any camera URL shape survives anywhere algo prints the URL', () => {
  for (const [url, secrets] of CAMERA_URLS) {
    const cameraFile = `cameras:\n  - id: door\n    url: ${JSON.stringify(url)}\n`;
    const printed = {
      'logs and API answers': maskUrl(url),
      "ffmpeg's stderr": redactor(url)(`[rtsp @ 0x1] ${url}: 401 Unauthorized`),
      'configuration errors': redactValue(url),
      'cameras file errors': thrownMessage(() => parseCameras(cameraFile, '/etc/algo/cameras.yml', 10)) ?? maskUrl(url),
      'LLM base URL errors': thrownMessage(() => loadConfig({ ALGO_LLM_BASE_URL: url })) ?? '',
      'doctor flag errors': thrownMessage(() => parseDoctorArgs(['--prometheus', url], { rulesFile: 'r', dashboardFile: 'd' })) ?? '',
    };
    for (const [where, text] of Object.entries(printed)) {
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `${where} show ${JSON.stringify(secret)} of ${maskUrl(url)}: ${maskUrl(text)}`);
    }
    assert.match(maskUrl(url), /\*\*\*/, url);
  }
});

test('masking keeps the host, the path and harmless parameters readable', () => {
  assert.equal(maskUrl('rtsp://admin:pa#ss1@host/stream'), 'rtsp://***:***@host/stream');
  assert.equal(maskUrl('rtsp://admin:p@ss@10.0.0.5:554/s?channel=1'), 'rtsp://***:***@10.0.0.5:554/s?channel=1');
  assert.equal(
    maskUrl('rtsp://192.168.1.10:554/user=admin_password=tl_Jw7_channel=1_stream=0.sdp?real_stream'),
    'rtsp://192.168.1.10:554/user=***_password=***_channel=1_stream=0.sdp?real_stream',
  );
  assert.equal(maskUrl('http://cam.local/cgi?cmd=snap&PWD=x&Key=y'), 'http://cam.local/cgi?cmd=snap&PWD=***&Key=***');
  assert.equal(maskUrl('kafka:9092,admin:s3cret@kafka2:9092'), 'kafka:9092,***:***@kafka2:9092');
  assert.equal(maskUrl('/videos/lobby.mp4'), '/videos/lobby.mp4');
});

test('a password with a raw #, / or ? is refused at start-up, asking for percent-encoding without echoing it', () => {
  for (const url of [
    'rtsp://admin:pa#ss1@host/stream',
    'rtsp://admin:1234#5678@10.0.0.9:554/h264',
    'rtsp://admin:ab/cd@host/s',
    'rtsp://admin:12?34@host/s',
  ]) {
    const message = thrownMessage(() => parseCameras(`cameras:\n  - id: door\n    url: ${JSON.stringify(url)}\n`, 'cameras.yml', 10));
    assert.ok(message !== undefined, `${maskUrl(url)} accepted`);
    assert.match(message, /percent-encoded \(# as %23, \/ as %2F, \? as %3F/);
    assert.match(message, /url "rtsp:\/\/\*\*\*:\*\*\*@[^"]+"/);
    assert.doesNotMatch(message, /pa#ss1|ss1|5678|ab\/cd|cd@|12\?34|34@/);
  }
  // An @ in a query value is not userinfo: the URL is fine as written.
  const [camera] = parseCameras('cameras:\n  - id: door\n    url: "http://cam.local/notify.cgi?mail=ops@example.com"\n', 'cameras.yml', 10);
  assert.equal(camera?.url, 'http://cam.local/notify.cgi?mail=ops@example.com');
});
