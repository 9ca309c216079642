// The algo group against servers that are not a healthy algo: an HTML page on /metrics, a
// JSON answer, a redirect, and two processes behind one address whose counters disagree; and a
// real algo refusing the doctor's token (403 without the metrics scope, 429 when throttled).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { checkAlgo } from '../../src/doctor/algo-checks.js';
import { SHIPPED_FILES } from '../../src/doctor/doctor.js';
import { parseDoctorArgs } from '../../src/doctor/options.js';
import { TOKENS, TOKENS_ENV, WRONG_TOKEN } from '../helpers/access-matrix.js';
import { writeTestModel } from '../helpers/models.js';
import { startTestService } from '../helpers/service.js';

type Answer = { status: number; type?: string; body: string; location?: string };
let answers: Answer[] = [];
let server: Server;
let url: string;

const exposition = (requests: number, start: number): string =>
  `# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${start}\n# TYPE http_requests_total counter\nhttp_requests_total{route="/x"} ${requests}\n`;

async function algoChecks(metricsAnswers: Answer[]) {
  answers = metricsAnswers;
  const options = parseDoctorArgs(['--url', url, '--rescrape', '50', '--timeout', '2000'], SHIPPED_FILES);
  assert.ok(options);
  return (await checkAlgo(options)).results;
}

describe('doctor algo checks against impostors', () => {
  before(async () => {
    server = createServer((request, response) => {
      if (request.url !== '/metrics') return response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      const headers: Record<string, string> = {};
      if (answer.type !== undefined) headers['content-type'] = answer.type;
      if (answer.location !== undefined) headers.location = answer.location;
      response.writeHead(answer.status, headers).end(answer.body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  after(() => server.close());

  test('an HTML page answering 200 on /metrics fails with its cause', async () => {
    const results = await algoChecks([{ status: 200, type: 'text/html; charset=utf-8', body: '<html><body>Sign in</body></html>' }]);
    const type = results.find((r) => r.id === 'algo.metrics.content_type');
    assert.equal(type?.status, 'fail');
    assert.match(type?.cause ?? '', /an HTML page/);
    assert.equal(results.find((r) => r.id === 'algo.metrics.format')?.status, 'fail');
  });

  test('a JSON answer on /metrics fails with its cause', async () => {
    const results = await algoChecks([{ status: 200, type: 'application/json', body: '{"metrics":[]}' }]);
    assert.match(results.find((r) => r.id === 'algo.metrics.content_type')?.cause ?? '', /JSON \(application\/json\), not metrics/);
  });

  test('a redirect is not accepted as an answer', async () => {
    const results = await algoChecks([{ status: 302, body: '', location: '/login' }]);
    const status = results.find((r) => r.id === 'algo.metrics.status');
    assert.equal(status?.status, 'fail');
    assert.match(status?.cause ?? '', /302 redirect to \/login/);
  });

  test('a counter going backwards between two scrapes is a warning naming two processes', async () => {
    const results = await algoChecks([
      { status: 200, type: 'text/plain; version=0.0.4', body: exposition(10, 1700000000) },
      { status: 200, type: 'text/plain; version=0.0.4', body: exposition(3, 1700000500) },
    ]);
    const monotonic = results.find((r) => r.id === 'algo.metrics.monotonic');
    assert.equal(monotonic?.status, 'warn');
    assert.match(monotonic?.detail ?? '', /http_requests_total\{"route":"\/x"\}: 10 → 3/);
    assert.match(monotonic?.cause ?? '', /two different processes answered/);
    const families = results.find((r) => r.id === 'algo.metrics.families');
    assert.equal(families?.status, 'fail', 'a bare exporter is not algo');
  });
});

describe('doctor algo checks against an algo that refuses its token', () => {
  const metricsAuth = async (serviceUrl: string, token: string) => {
    const options = parseDoctorArgs(['--url', serviceUrl, '--token', token, '--rescrape', '50', '--timeout', '5000'], SHIPPED_FILES);
    assert.ok(options);
    return (await checkAlgo(options)).results.find((r) => r.id === 'algo.metrics.auth');
  };

  test('a token without the metrics scope (403) fails metrics.auth; a throttled address (429) is named', async () => {
    const service = await startTestService({
      ALGO_MODEL_PATH: await writeTestModel(),
      ALGO_API_TOKENS: TOKENS_ENV,
      ALGO_AUTH_MAX_FAILURES: '1',
    });
    try {
      const forbidden = await metricsAuth(service.url, TOKENS.read);
      assert.equal(forbidden?.status, 'fail', JSON.stringify(forbidden));
      assert.equal(forbidden?.cause, 'the token lacks the metrics scope');

      assert.equal((await metricsAuth(service.url, WRONG_TOKEN))?.status, 'fail');
      const throttled = await metricsAuth(service.url, TOKENS.metrics);
      assert.equal(throttled?.status, 'fail', JSON.stringify(throttled));
      assert.match(throttled?.cause ?? '', /the doctor's address is throttled/);
      assert.doesNotMatch(JSON.stringify([forbidden, throttled]), new RegExp(`${TOKENS.read}|${TOKENS.metrics}`));
    } finally {
      await service.stop('test');
    }
  });
});
