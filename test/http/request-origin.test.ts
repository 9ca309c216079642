// Browsers' requests from other sites: a cross-site POST is refused (403 cross_site) before any
// body is read, and a loopback browser request addressed to a name not this machine's (DNS
// rebinding) is refused (403 untrusted_host) unless the name is in ALGO_ALLOWED_HOSTS. Tools
// that are not browsers are unaffected. Against a real algo in its default loopback mode.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { hostOf, trustedHosts } from '../../src/http/request-origin.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** fetch cannot set Host: a raw request can. */
function send(url: string, method: string, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(body) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: response.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('requests browsers send from other sites', () => {
  let service: TestService;
  let proxied: TestService;
  before(async () => {
    service = await startTestService({});
    proxied = await startTestService({ ALGO_ALLOWED_HOSTS: 'cameras.example.org' });
  });
  after(async () => {
    await service?.stop('test');
    await proxied?.stop('test');
  });

  test('a cross-site POST is refused with cross_site; the same POST from algo’s own origin or from a tool is not', async () => {
    const url = `${service.url}/api/v1/detect`;
    const host = new URL(service.url).host;
    assert.deepEqual(await send(url, 'POST', { 'sec-fetch-site': 'cross-site', 'content-length': '0' }), {
      status: 403,
      code: 'cross_site',
    });
    assert.deepEqual(await send(url, 'POST', { origin: 'http://evil.example', 'content-length': '0' }), {
      status: 403,
      code: 'cross_site',
    });
    // Same origin, or no browser headers at all: it reaches the route (which refuses the empty body).
    const sameOrigin: Array<Record<string, string>> = [{ 'sec-fetch-site': 'same-origin' }, { origin: `http://${host}` }, {}];
    for (const headers of sameOrigin) {
      const answer = await send(url, 'POST', { ...headers, 'content-length': '0' });
      assert.notEqual(answer.code, 'cross_site', JSON.stringify(headers));
    }
  });

  test('a loopback browser request addressed to another name is refused (DNS rebinding); tools and allowed names are not', async () => {
    const browser = { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' };
    const port = new URL(service.url).port;
    assert.deepEqual(await send(`${service.url}/api/v1/info`, 'GET', { ...browser, host: `evil.example:${port}` }), {
      status: 403,
      code: 'untrusted_host',
    });
    assert.equal((await send(`${service.url}/api/v1/info`, 'GET', { ...browser, host: `localhost:${port}` })).status, 200);
    assert.equal((await send(`${service.url}/api/v1/info`, 'GET', { ...browser, host: `127.0.0.1:${port}` })).status, 200);
    assert.equal((await send(`${service.url}/api/v1/info`, 'GET', { host: `evil.example:${port}` })).status, 200, 'a tool');
    assert.equal((await send(`${service.url}/healthz`, 'GET', { ...browser, host: `evil.example:${port}` })).status, 200, 'public');
    const proxiedPort = new URL(proxied.url).port;
    assert.equal((await send(`${proxied.url}/api/v1/info`, 'GET', { ...browser, host: `cameras.example.org:${proxiedPort}` })).status, 200);
  });
});

test('Host names: port and IPv6 brackets removed; localhost, IP literals, the machine and configured names trusted', () => {
  assert.equal(hostOf('Example.ORG:5000'), 'example.org');
  assert.equal(hostOf('[::1]:5000'), '::1');
  const trusted = trustedHosts(['cams.example.org'], 'box1');
  for (const host of ['localhost:5000', 'app.localhost', '127.0.0.1:5000', '[::1]:5000', '10.1.2.3', 'BOX1:5000', 'cams.example.org'])
    assert.equal(trusted(host), true, host);
  for (const host of ['evil.example:5000', 'localhost.evil.example', '127.0.0.1.nip.io', 'box1.evil.example'])
    assert.equal(trusted(host), false, host);
});
