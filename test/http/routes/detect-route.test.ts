// POST /api/v1/detect through the real HTTP server, good and bad input alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { renderMetrics } from '../../../src/metrics/render.js';
import { jpegClaimingSize, readFixture } from '../../helpers/images.js';
import { writeTestModel } from '../../helpers/models.js';
import { startTestService, type TestService } from '../../helpers/service.js';

/** fetch's types want an ArrayBuffer-backed view. */
const bodyOf = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);

interface ErrorAnswer {
  statusCode: number;
  code: string;
  message: string;
}

describe('POST /api/v1/detect', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ ALGO_MODEL_PATH: await writeTestModel(), ALGO_MAX_BODY_BYTES: String(2 * 1024 * 1024) });
  });
  after(() => service?.stop('test'));

  const post = (body: BodyInit | Buffer | undefined, headers: Record<string, string> = {}, query = ''): Promise<Response> =>
    fetch(`${service.url}/api/v1/detect${query}`, { method: 'POST', headers, body: Buffer.isBuffer(body) ? bodyOf(body) : body });
  const errorCount = async (reason: string): Promise<number> => {
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    const line = text.split('\n').find((l) => l.startsWith(`detection_errors_total{reason="${reason}"}`));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  test('a JPEG body answers objects, groups and timings in original pixels, and is recorded', async () => {
    const response = await post(await readFixture('person'), { 'content-type': 'image/jpeg' }, '?camera_id=lobby-1');
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown> & {
      objects: unknown[];
      groups: Array<{ members: number[]; size: number }>;
      timings_ms: Record<string, number>;
    };
    assert.equal(body.camera_id, 'lobby-1');
    assert.equal(body.model_type, 'yolov8n');
    assert.deepEqual(body.image, { width: 640, height: 424 });
    assert.deepEqual(body.objects[0], { label: 'person', class_id: 0, score: 0.9, box: { x: 160, y: 32, width: 80, height: 200 } });
    assert.deepEqual(
      body.groups.map((g) => g.size),
      [3],
    );
    assert.deepEqual(Object.keys(body.timings_ms).sort(), ['decode', 'inference', 'postprocess', 'preprocess', 'total']);
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^detection_total\{camera_id="lobby-1",model_type="yolov8n"\} 1$/m);
    assert.match(text, /^detection_objects_count\{model_type="yolov8n"\} [1-9]/m);
    assert.match(text, /^detection_groups_sum\{model_type="yolov8n"\} [1-9]/m);
  });

  test('PNG and WebP bodies, camera id from X-Camera-Id', async () => {
    const photo = await readFixture('dog');
    for (const [type, body] of [
      ['image/png', await sharp(photo).png().toBuffer()],
      ['image/webp', await sharp(photo).webp().toBuffer()],
    ] as const) {
      const response = await post(body, { 'content-type': type, 'x-camera-id': 'gate' });
      assert.equal(response.status, 200, type);
      assert.equal(((await response.json()) as { camera_id: string }).camera_id, 'gate');
    }
  });

  test('a multipart form with an image field', async () => {
    const form = new FormData();
    form.append('camera_id', 'yard');
    form.append('image', new Blob([bodyOf(await readFixture('horses'))], { type: 'image/jpeg' }), 'horses.jpg');
    const response = await post(form);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { camera_id: string; image: unknown };
    assert.equal(body.camera_id, 'yard');
    assert.deepEqual(body.image, { width: 773, height: 512 });
  });

  const bad: Array<
    [string, () => Promise<{ body: BodyInit | Buffer | undefined; headers: Record<string, string>; query?: string }>, number, string]
  > = [
    ['an empty body', async () => ({ body: Buffer.alloc(0), headers: { 'content-type': 'image/jpeg' } }), 400, 'empty_body'],
    ['no body and no content type', async () => ({ body: undefined, headers: {} }), 400, 'empty_body'],
    [
      'a truncated JPEG',
      async () => ({ body: (await readFixture('person')).subarray(0, 20_000), headers: { 'content-type': 'image/jpeg' } }),
      400,
      'decode_failed',
    ],
    ['random bytes', async () => ({ body: randomBytes(10_000), headers: { 'content-type': 'image/png' } }), 400, 'decode_failed'],
    ['a JSON body', async () => ({ body: '{"image":"x"}', headers: { 'content-type': 'application/json' } }), 415, 'unsupported_type'],
    ['a text body', async () => ({ body: 'hello', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_type'],
    [
      'a GIF sent as image/jpeg',
      async () => ({
        body: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
          .gif()
          .toBuffer(),
        headers: { 'content-type': 'image/jpeg' },
      }),
      415,
      'unsupported_type',
    ],
    [
      'a body over ALGO_MAX_BODY_BYTES',
      async () => ({ body: randomBytes(3 * 1024 * 1024), headers: { 'content-type': 'image/jpeg' } }),
      413,
      'too_large',
    ],
    [
      'a decompression bomb',
      async () => ({ body: await jpegClaimingSize(50_000, 50_000), headers: { 'content-type': 'image/jpeg' } }),
      413,
      'too_large',
    ],
    [
      'an invalid camera id',
      async () => ({ body: await readFixture('person'), headers: { 'content-type': 'image/jpeg' }, query: '?camera_id=%3Cscript%3E' }),
      400,
      'invalid_camera_id',
    ],
    [
      'a multipart form without an image field',
      async () => {
        const form = new FormData();
        form.append('photo', new Blob([bodyOf(await readFixture('person'))]), 'p.jpg');
        return { body: form, headers: {} };
      },
      400,
      'invalid_request',
    ],
  ];
  for (const [what, make, status, code] of bad) {
    test(`${what} answers ${status} ${code} and is counted`, async () => {
      const before = await errorCount(code);
      const { body, headers, query } = await make();
      const response = await post(body, headers, query ?? '');
      assert.equal(response.status, status);
      const answer = (await response.json()) as ErrorAnswer;
      assert.equal(answer.code, code, answer.message);
      assert.equal(answer.statusCode, status);
      assert.equal(await errorCount(code), before + 1);
    });
  }

  test('a text body is answered with its type and the types accepted, not just "Unsupported Media Type"', async () => {
    const response = await post('hello', { 'content-type': 'text/plain; charset=utf-8' });
    assert.equal(response.status, 415);
    assert.equal(
      ((await response.json()) as ErrorAnswer).message,
      'Unsupported content type "text/plain"; expected one of image/jpeg, image/png, image/webp, multipart/form-data',
    );
  });

  test('GIF bytes sent as image/jpeg are named as GIF, beside the type they were sent as', async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    const response = await post(gif, { 'content-type': 'image/jpeg' });
    assert.equal(response.status, 415);
    assert.equal(
      ((await response.json()) as ErrorAnswer).message,
      'The image bytes are GIF, though sent as "image/jpeg"; algo decodes only image/jpeg, image/png, image/webp',
    );
  });

  test('after all the bad input the service still detects', async () => {
    const response = await post(await readFixture('person'), { 'content-type': 'image/jpeg' });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { camera_id: string }).camera_id, 'unknown');
  });
});

describe('POST /api/v1/detect with no model configured', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ ALGO_LOG_LEVEL: 'warn' });
  });
  after(() => service?.stop('test'));

  test('the built-in COCO model finds the people on the beach in kite.jpg, and groups form from them', async () => {
    const response = await fetch(`${service.url}/api/v1/detect?camera_id=beach`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: bodyOf(await readFixture('kite')),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      model_type: string;
      objects: Array<{ label: string }>;
      groups: Array<{ members: number[]; size: number }>;
    };
    assert.equal(body.model_type, 'centernet-mbv3-coco');
    assert.ok(body.objects.filter((object) => object.label === 'person').length >= 3);
    assert.ok(body.objects.some((object) => object.label === 'kite'));
    assert.ok(body.groups.length >= 1, JSON.stringify(body.groups));
    for (const group of body.groups) {
      assert.equal(group.size, group.members.length);
      assert.ok(group.members.every((index) => body.objects[index]?.label === 'person'));
    }
    const text = await renderMetrics(service.metrics.registry, 'prometheus');
    assert.match(text, /^detection_total\{camera_id="beach",model_type="centernet-mbv3-coco"\} 1$/m);
  });
});
