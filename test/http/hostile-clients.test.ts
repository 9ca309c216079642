// What a hostile or broken client can send, through the real server over raw sockets: bodies
// that stall or stop, malformed and oversized forms, requests Node's parser refuses. Each one
// gets algo's JSON answer with a code and a 4xx, is counted, and leaves nothing in flight.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFixture, solidImage } from '../helpers/images.js';
import { sampleValue } from '../helpers/metrics-text.js';
import { writeTestModel } from '../helpers/models.js';
import { openSocket, rawExchange, readAnswers, type RawAnswer } from '../helpers/raw-http.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';

const REQUEST_TIMEOUT_MS = 400;
const DETECT = '/api/v1/detect';

describe('hostile clients', () => {
  let service: TestService;
  let port: number;
  before(async () => {
    service = await startTestService({
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_MAX_BODY_BYTES: '50000',
      ALGO_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      ALGO_HEADERS_TIMEOUT_MS: '300',
    });
    port = Number(new URL(service.url).port);
  });
  after(() => service?.stop('test'));

  const sample = (series: string): Promise<number> => sampleValue(service.metrics.registry, series);
  const detectRequests = (status: number): Promise<number> =>
    sample(`http_requests_total{method="POST",route="${DETECT}",status_code="${status}"}`);
  const detectErrors = (reason: string): Promise<number> => sample(`detection_errors_total{reason="${reason}"}`);
  const inFlightIsZero = (): Promise<true> =>
    waitFor('in-flight back to 0', async () => ((await sample('http_requests_in_flight')) === 0 ? true : undefined), 5000, 20);
  const errorLines = (): unknown[] => service.logs.lines.filter((line) => line.level >= 50);
  const codeOf = (answer: RawAnswer | undefined): string | undefined =>
    answer === undefined ? undefined : (JSON.parse(answer.body) as { code: string }).code;

  function head(headers: Record<string, string | number>, path = DETECT, method = 'POST'): string {
    return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
  }

  function multipart(parts: Array<{ name: string; value: Buffer | string; filename?: string }>, boundary = 'algo-test-boundary'): Buffer {
    const chunks: Buffer[] = [];
    for (const part of parts) {
      const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
      const type = part.filename === undefined ? '' : 'Content-Type: image/png\r\n';
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`),
        Buffer.from(part.value),
        Buffer.from('\r\n'),
      );
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return Buffer.concat(chunks);
  }
  const formType = 'multipart/form-data; boundary=algo-test-boundary';

  describe('a body that stalls is cut with 408 request_timeout, counted, and its connection closed', () => {
    const stalls: Array<[string, () => Promise<Buffer>]> = [
      [
        'a Content-Length larger than what is sent',
        async () => Buffer.concat([Buffer.from(head({ 'content-type': 'image/jpeg', 'content-length': 1000 })), Buffer.alloc(10)]),
      ],
      [
        'a chunked body that never ends',
        async () => Buffer.from(`${head({ 'content-type': 'image/jpeg', 'transfer-encoding': 'chunked' })}a\r\n0123456789\r\n`),
      ],
      [
        'a multipart form that stalls',
        async () => {
          const form = multipart([{ name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' }]);
          return Buffer.concat([
            Buffer.from(head({ 'content-type': formType, 'content-length': form.length })),
            form.subarray(0, form.length - 20),
          ]);
        },
      ],
    ];
    for (const [what, make] of stalls) {
      test(what, { timeout: REQUEST_TIMEOUT_MS * 20 }, async () => {
        const [requests, errors] = [await detectRequests(408), await detectErrors('request_timeout')];
        const socket = await openSocket(port);
        const reading = readAnswers(socket);
        socket.write(await make());
        const { answers } = await reading;
        assert.equal(answers[0]?.status, 408);
        assert.equal(codeOf(answers[0]), 'request_timeout');
        assert.equal(answers[0]?.headers.connection, 'close');
        await new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)));
        await inFlightIsZero();
        assert.equal(await detectRequests(408), requests + 1);
        assert.equal(await detectErrors('request_timeout'), errors + 1);
      });
    }

    test('one byte at a time, slower than the request timeout allows', { timeout: REQUEST_TIMEOUT_MS * 20 }, async () => {
      const socket = await openSocket(port);
      const reading = readAnswers(socket);
      socket.write(head({ 'content-type': 'image/jpeg', 'content-length': 1000 }));
      const drip = setInterval(() => socket.writable && socket.write('x'), REQUEST_TIMEOUT_MS / 8);
      const { answers } = await reading;
      clearInterval(drip);
      socket.destroy();
      assert.equal(answers[0]?.status, 408);
      assert.equal(codeOf(answers[0]), 'request_timeout');
      await inFlightIsZero();
    });

    test('headers that never finish get algo 408 and are counted', { timeout: REQUEST_TIMEOUT_MS * 20 }, async () => {
      const before = await sample('http_requests_total{method="UNKNOWN",route="unmatched",status_code="408"}');
      const { answer, closed } = await rawExchange(port, `POST ${DETECT} HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\n`);
      assert.equal(closed, false);
      assert.equal(answer?.status, 408);
      assert.equal(codeOf(answer), 'request_timeout');
      assert.equal(await sample('http_requests_total{method="UNKNOWN",route="unmatched",status_code="408"}'), before + 1);
    });
  });

  describe('a client that goes away mid-upload is client_closed (499), not a client or server error', () => {
    const cuts: Array<[string, () => Promise<Buffer>]> = [
      [
        'a raw body cut short',
        async () => Buffer.concat([Buffer.from(head({ 'content-type': 'image/jpeg', 'content-length': 100 })), Buffer.alloc(10)]),
      ],
      [
        'a multipart upload cut short',
        async () => {
          const form = multipart([{ name: 'image', value: (await readFixture('person')).subarray(0, 40_000), filename: 'p.jpg' }]);
          return Buffer.concat([Buffer.from(head({ 'content-type': formType, 'content-length': form.length })), form.subarray(0, 3000)]);
        },
      ],
    ];
    for (const [what, make] of cuts) {
      test(what, async () => {
        const refusedBeforeRouting = 'http_requests_total{method="UNKNOWN",route="unmatched",status_code="400"}';
        const before = {
          closed: await detectErrors('client_closed'),
          invalid: await detectErrors('invalid_request'),
          internal: await detectErrors('internal'),
          r499: await detectRequests(499),
          unmatched: await sample(refusedBeforeRouting),
        };
        const errorsBefore = errorLines().length;
        const socket = await openSocket(port);
        socket.write(await make());
        await waitFor('the request to start', async () => ((await sample('http_requests_in_flight')) === 1 ? true : undefined), 5000, 10);
        socket.destroy();
        await inFlightIsZero();
        await waitFor(
          'client_closed to be counted',
          async () => ((await detectErrors('client_closed')) === before.closed + 1 ? true : undefined),
          5000,
          20,
        );
        assert.equal(await detectRequests(499), before.r499 + 1);
        assert.equal(await detectErrors('invalid_request'), before.invalid);
        assert.equal(await detectErrors('internal'), before.internal);
        assert.equal(await sample(refusedBeforeRouting), before.unmatched, 'counted once, as 499 only');
        assert.equal(errorLines().length, errorsBefore, 'nothing logged at error level');
      });
    }
  });

  describe('multipart forms: malformed is 400, the whole form is bounded by ALGO_MAX_BODY_BYTES', () => {
    const forms: Array<[string, () => Promise<{ type: string; body: Buffer; chunked?: boolean }>, number, string]> = [
      [
        'multipart without a boundary',
        async () => ({ type: 'multipart/form-data', body: await readFixture('person').then((b) => b.subarray(0, 20_000)) }),
        400,
        'invalid_request',
      ],
      [
        'multipart data that ends early',
        async () => ({
          type: formType,
          body: multipart([{ name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' }]).subarray(0, 150),
        }),
        400,
        'invalid_request',
      ],
      [
        'a text field larger than the body limit',
        async () => ({
          type: formType,
          body: multipart([
            { name: 'note', value: 'x'.repeat(300_000) },
            { name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' },
          ]),
        }),
        413,
        'too_large',
      ],
      [
        'the same form sent chunked (no Content-Length)',
        async () => ({
          type: formType,
          chunked: true,
          body: multipart([
            { name: 'note', value: 'x'.repeat(300_000) },
            { name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' },
          ]),
        }),
        413,
        'too_large',
      ],
      [
        'two files in one form',
        async () => ({
          type: formType,
          body: multipart([
            { name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' },
            { name: 'image', value: await solidImage(32, 32, [3, 2, 1]), filename: 'b.png' },
          ]),
        }),
        400,
        'invalid_request',
      ],
      [
        'more than ten fields',
        async () => ({
          type: formType,
          body: multipart([
            ...Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, value: 'v' })),
            { name: 'image', value: await solidImage(32, 32, [1, 2, 3]), filename: 'a.png' },
          ]),
        }),
        413,
        'too_large',
      ],
    ];
    for (const [what, make, status, code] of forms) {
      test(`${what}: ${status} ${code}`, async () => {
        const errorsBefore = errorLines().length;
        const counted = await detectErrors(code);
        const { type, body, chunked } = await make();
        const response = await fetch(`${service.url}${DETECT}`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: chunked === true ? new Blob([new Uint8Array(body)]).stream() : new Uint8Array(body),
          ...(chunked === true ? { duplex: 'half' } : {}),
        } as RequestInit);
        assert.equal(response.status, status);
        const answer = (await response.json()) as { code: string; statusCode: number };
        assert.equal(answer.code, code);
        assert.equal(answer.statusCode, status);
        assert.equal(await detectErrors(code), counted + 1);
        assert.equal(await detectErrors('internal'), 0);
        assert.equal(errorLines().length, errorsBefore, 'nothing logged at error level');
      });
    }

    test('a form within the limits is still detected', async () => {
      const form = new FormData();
      form.append('camera_id', 'yard');
      form.append('image', new Blob([new Uint8Array(await solidImage(64, 64, [9, 9, 9]))], { type: 'image/png' }), 'a.png');
      const response = await fetch(`${service.url}${DETECT}`, { method: 'POST', body: form });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { camera_id: string }).camera_id, 'yard');
    });
  });

  describe('camera ids are parsed the same strict way everywhere', () => {
    const image = (): Promise<Buffer> => solidImage(32, 32, [5, 5, 5]);
    const post = async (
      query: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: { camera_id?: string; code?: string } }> => {
      const response = await fetch(`${service.url}${DETECT}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', ...headers },
        body: new Uint8Array(await image()),
      });
      return { status: response.status, body: (await response.json()) as { camera_id?: string; code?: string } };
    };

    test('an empty ?camera_id= does not override X-Camera-Id', async () => {
      const { status, body } = await post('?camera_id=', { 'x-camera-id': 'gate-2' });
      assert.equal(status, 200);
      assert.equal(body.camera_id, 'gate-2');
    });

    for (const [what, query, headers] of [
      ['a repeated camera_id', '?camera_id=a&camera_id=b', {}],
      ['a bracketed camera_id', '?camera_id[]=a', {}],
      ['a bracketed camera_id with a key', '?camera_id[x]=a', {}],
      ['the reserved id other', '?camera_id=other', {}],
      ['the reserved id unknown', '', { 'x-camera-id': 'unknown' }],
    ] as Array<[string, string, Record<string, string>]>) {
      test(`${what} is refused with 400 invalid_camera_id`, async () => {
        const { status, body } = await post(query, headers);
        assert.equal(status, 400);
        assert.equal(body.code, 'invalid_camera_id');
      });
    }
  });

  describe('a camera id given twice is refused the same way from every source', () => {
    const givenOnce = /camera_id must be given once/;
    const refuses = async (request: Buffer | string): Promise<void> => {
      const { answer } = await rawExchange(port, request);
      assert.equal(answer?.status, 400);
      assert.equal(codeOf(answer), 'invalid_camera_id');
      assert.match((JSON.parse(answer?.body ?? '{}') as { message: string }).message, givenOnce);
    };
    test('in the query', async () => {
      const image = await solidImage(32, 32, [5, 5, 5]);
      await refuses(
        Buffer.concat([
          Buffer.from(head({ 'content-type': 'image/png', 'content-length': image.length }, `${DETECT}?camera_id=a&camera_id=b`)),
          image,
        ]),
      );
    });
    test('as two X-Camera-Id headers', async () => {
      const image = await solidImage(32, 32, [5, 5, 5]);
      await refuses(
        Buffer.concat([
          Buffer.from(
            head({ 'content-type': 'image/png', 'content-length': image.length, 'x-camera-id': 'a' }).replace(
              '\r\n\r\n',
              '\r\nX-Camera-Id: b\r\n\r\n',
            ),
          ),
          image,
        ]),
      );
    });
    test('as two camera_id form fields', async () => {
      const form = multipart([
        { name: 'camera_id', value: 'a' },
        { name: 'camera_id', value: 'b' },
        { name: 'image', value: await solidImage(32, 32, [5, 5, 5]), filename: 'a.png' },
      ]);
      await refuses(Buffer.concat([Buffer.from(head({ 'content-type': formType, 'content-length': form.length })), form]));
    });
  });

  describe('requests Node refuses before routing answer algo JSON with a code and are counted', () => {
    const refused: Array<[string, string, number, string]> = [
      ['an invalid Content-Length', `${head({ 'content-type': 'image/jpeg', 'content-length': 'abc' })}`, 400, 'invalid_request'],
      ['an unknown method', 'BREW /api/v1/detect HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, 'invalid_request'],
      ['a URL longer than the header limit', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431, 'too_large'],
      ['CONNECT (algo is not a proxy)', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, 'invalid_request'],
    ];
    for (const [what, request, status, code] of refused) {
      test(what, async () => {
        const series = `http_requests_total{method="UNKNOWN",route="unmatched",status_code="${status}"}`;
        const before = await sample(series);
        const { answer } = await rawExchange(port, request);
        assert.equal(answer?.status, status);
        assert.equal(codeOf(answer), code);
        assert.equal(await sample(series), before + 1);
      });
    }
  });

  describe('the parser error names what was wrong', () => {
    for (const [what, request, message] of [
      [
        'a duplicate Content-Length',
        `${head({ 'content-type': 'image/jpeg', 'content-length': 3 })}`.replace('\r\n\r\n', '\r\nContent-Length: 4\r\n\r\nabcd'),
        /Content-Length given more than once/,
      ],
      [
        'Content-Length together with Transfer-Encoding',
        `${head({ 'content-type': 'image/jpeg', 'content-length': 3, 'transfer-encoding': 'chunked' })}0\r\n\r\n`,
        /Transfer-Encoding/,
      ],
    ] as Array<[string, string, RegExp]>) {
      test(what, async () => {
        const { answer } = await rawExchange(port, request);
        assert.equal(answer?.status, 400);
        assert.match((JSON.parse(answer?.body ?? '{}') as { message: string }).message, message);
      });
    }
  });

  describe('a malformed body after valid headers is 400 invalid_request through its route, not client_closed', () => {
    for (const [what, route, method, status, code, encoding] of [
      ['a bad chunk size on a detection', DETECT, 'POST', 400, 'invalid_request', 'chunked'],
      ['Transfer-Encoding gzip on a detection', DETECT, 'POST', 400, 'invalid_request', 'gzip'],
      ['a bad chunk size on POST /metrics (no such route: 404, still answered)', '/metrics', 'POST', 404, 'not_found', 'chunked'],
    ] as Array<[string, string, string, number, string, string]>) {
      test(what, { timeout: 10_000 }, async () => {
        const series = (s: number): string =>
          `http_requests_total{method="${method}",route="${route === DETECT ? DETECT : 'unmatched'}",status_code="${s}"}`;
        const before = {
          answered: await sample(series(status)),
          gone: await sample(series(499)),
          closed: await detectErrors('client_closed'),
          invalid: await detectErrors('invalid_request'),
        };
        const { answer } = await rawExchange(
          port,
          `${head({ 'content-type': 'image/jpeg', 'transfer-encoding': encoding }, route, method)}zz\r\nab\r\n`,
        );
        assert.equal(answer?.status, status);
        assert.equal(codeOf(answer), code);
        assert.equal(answer?.headers.connection, 'close');
        await inFlightIsZero();
        assert.equal(await sample(series(status)), before.answered + 1);
        assert.equal(await sample(series(499)), before.gone);
        assert.equal(await detectErrors('client_closed'), before.closed);
        if (route === DETECT) assert.equal(await detectErrors('invalid_request'), before.invalid + 1);
      });
    }
  });

  test('an HTTP/1.1 request without Host is 400 invalid_request with algo JSON, and counted', async () => {
    const series = 'http_requests_total{method="GET",route="/healthz",status_code="400"}';
    const before = await sample(series);
    const { answer } = await rawExchange(port, 'GET /healthz HTTP/1.1\r\n\r\n');
    assert.equal(answer?.status, 400);
    assert.equal(codeOf(answer), 'invalid_request');
    await inFlightIsZero();
    assert.equal(await sample(series), before + 1);
  });

  test('after all of it nothing is in flight and the service still detects', async () => {
    await sleep(10);
    await inFlightIsZero();
    const response = await fetch(`${service.url}${DETECT}?camera_id=after`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(await solidImage(32, 32, [7, 7, 7])),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(
      service.logs.lines.filter((line) => line.level >= 40),
      [],
      'no warnings or errors from any of it',
    );
  });
});
