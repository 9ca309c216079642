// HTTPS with a certificate made by openssl in the test: both listeners serve it, a real
// Prometheus scrapes over it with the CA file and a metrics-scope token, the doctor checks it
// with --ca-file, SIGHUP rotates it without dropping open connections, and a bad pair stops
// start-up naming the file.
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { before, describe, test } from 'node:test';
import { makeTestCa, type TestCa } from '../helpers/certificates.js';
import { freePort } from '../helpers/ports.js';
import { runAlgoCommand, spawnAlgo } from '../helpers/process.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { assertNoKeyText } from '../helpers/secrets.js';
import { startTestService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait.js';
import { portOf } from '../../src/service.js';

const SCRAPER = 'tls-scraper-token-0b7e3d9a5c1f';
const READER = 'tls-reader-token-6f2a8c4e0d9b';
const TOKENS = `scraper:metrics=${SCRAPER},reader:read=${READER}`;

interface Answer {
  status: number;
  body: string;
  /** The local port of the connection that carried the request. */
  localPort: number | undefined;
}

function httpsGet(url: string, options: { ca: Buffer; token?: string; agent?: Agent }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: options.ca, agent: options.agent, headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` } },
      (response) => {
        // Read now: once the body has ended, a keep-alive socket may already be back in the
        // agent's pool and detached from the response.
        const localPort = response.socket?.localPort;
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, localPort }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function peerCertificate(port: number, ca: Buffer): Promise<PeerCertificate> {
  const socket = connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
  await once(socket, 'secureConnect');
  const certificate = socket.getPeerCertificate();
  socket.destroy();
  return certificate;
}

const doctor = (args: string[]) => runAlgoCommand(['doctor', ...args]);

describe('HTTPS', () => {
  let ca: TestCa;
  let caPem: Buffer;
  let pair: { certFile: string; keyFile: string };
  before(async () => {
    ca = await makeTestCa();
    caPem = await readFile(ca.caFile);
    pair = await ca.issue('server');
  });

  test('both listeners serve HTTPS; a real Prometheus scrapes with the CA file and a metrics-scope token; the doctor checks it with --ca-file', async () => {
    const service = await startTestService({
      ALGO_TLS_CERT_FILE: pair.certFile,
      ALGO_TLS_KEY_FILE: pair.keyFile,
      ALGO_METRICS_PORT: '0',
      ALGO_API_TOKENS: TOKENS,
    });
    const prometheus = await startPrometheus([
      { address: `127.0.0.1:${portOf(service.metricsApp!)}`, job: 'algo', bearerToken: SCRAPER, caFile: ca.caFile },
    ]);
    try {
      const main = `https://127.0.0.1:${portOf(service.app)}`;
      const scrapeUrl = `https://127.0.0.1:${portOf(service.metricsApp!)}`;
      assert.equal((await httpsGet(`${main}/api/v1/info`, { ca: caPem, token: READER })).status, 200);
      assert.equal((await httpsGet(`${scrapeUrl}/metrics`, { ca: caPem })).status, 401);
      assert.equal((await httpsGet(`${scrapeUrl}/metrics`, { ca: caPem, token: SCRAPER })).status, 200);
      await assert.rejects(fetch(`${main}/healthz`), 'the system CAs do not trust the test CA');

      const up = await waitFor(
        'prometheus to scrape algo over HTTPS',
        async () => {
          const [sample] = await prometheus.query('up{job="algo"}');
          return sample?.value[1] === '1' ? sample : undefined;
        },
        30_000,
      );
      assert.equal(up.metric.instance, `127.0.0.1:${portOf(service.metricsApp!)}`);
      const [target] = await prometheus.targets();
      assert.match(target!.scrapeUrl, /^https:/);

      const tokenFile = join(ca.dir, 'scrape-token');
      await writeFile(tokenFile, `${SCRAPER}\n`);
      const common = ['--url', main, '--metrics-url', `${scrapeUrl}/metrics`, '--prometheus', prometheus.url, '--grafana', prometheus.url];
      const checked = await doctor([...common, '--ca-file', ca.caFile, '--token-file', tokenFile, '--json', '--rescrape', '100']);
      const report = JSON.parse(checked.stdout) as { checks: Array<{ id: string; status: string; cause?: string; fix?: string }> };
      const status = new Map(report.checks.map((check) => [check.id, check.status]));
      for (const id of [
        'algo.healthz',
        'algo.readyz',
        'algo.metrics.auth',
        'algo.metrics.status',
        'algo.metrics.format',
        'prometheus.target',
        'prometheus.up',
      ])
        assert.equal(status.get(id), 'pass', `${id}: ${checked.stdout}`);

      const untrusted = await doctor([...common, '--token-file', tokenFile, '--json']);
      const healthz = (JSON.parse(untrusted.stdout) as typeof report).checks.find((check) => check.id === 'algo.healthz');
      assert.equal(healthz?.status, 'fail');
      assert.match(healthz?.fix ?? '', /--ca-file/);
      assertNoKeyText(
        checked.stdout + checked.stderr + untrusted.stdout + service.logs.raw.join('\n'),
        [SCRAPER, READER],
        'doctor output and logs',
      );
    } finally {
      await prometheus.stop();
      await service.stop('test');
    }
  });

  test('SIGHUP re-reads the pair: new connections get the new certificate, an open connection is kept', async () => {
    const live = { certFile: join(ca.dir, 'live.crt'), keyFile: join(ca.dir, 'live.key') };
    await copyFile(pair.certFile, live.certFile);
    await copyFile(pair.keyFile, live.keyFile);
    const port = await freePort();
    const run = spawnAlgo({ PORT: String(port), ALGO_TLS_CERT_FILE: live.certFile, ALGO_TLS_KEY_FILE: live.keyFile });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await waitFor('start-up', async () => (run.output().includes('algo is ready') ? true : undefined), 30_000);
      const url = `https://127.0.0.1:${port}/healthz`;
      const first = await httpsGet(url, { ca: caPem, agent });
      const before = (await peerCertificate(port, caPem)).fingerprint256;

      const next = await ca.issue('rotated');
      await copyFile(next.certFile, live.certFile);
      await copyFile(next.keyFile, live.keyFile);
      run.child.kill('SIGHUP');
      await waitFor('certificate reloaded', async () => (run.output().includes('TLS certificate reloaded') ? true : undefined), 10_000, 50);

      const again = await httpsGet(url, { ca: caPem, agent });
      assert.equal(again.status, 200);
      assert.equal(again.localPort, first.localPort, 'the open connection carried on');
      const after = (await peerCertificate(port, caPem)).fingerprint256;
      assert.notEqual(after, before);

      // A broken pair on the next SIGHUP: logged, and the current certificate stays.
      await writeFile(live.keyFile, 'not a key\n');
      run.child.kill('SIGHUP');
      await waitFor(
        'bad pair reported',
        async () => (run.output().includes('TLS certificate not reloaded') ? true : undefined),
        10_000,
        50,
      );
      assert.equal((await peerCertificate(port, caPem)).fingerprint256, after);
      assert.equal(run.child.exitCode, null);
    } finally {
      agent.destroy();
      run.child.kill('SIGTERM');
      await run.exit;
    }
  });

  test('a missing, malformed or mismatched pair stops start-up naming the file', async () => {
    const other = await ca.issue('other');
    const garbage = join(ca.dir, 'garbage.pem');
    await writeFile(garbage, 'hello\n');
    for (const [env, pattern] of [
      [{ ALGO_TLS_CERT_FILE: join(ca.dir, 'absent.crt'), ALGO_TLS_KEY_FILE: pair.keyFile }, /ALGO_TLS_CERT_FILE=".*absent\.crt".*ENOENT/],
      [{ ALGO_TLS_CERT_FILE: garbage, ALGO_TLS_KEY_FILE: pair.keyFile }, /ALGO_TLS_CERT_FILE=".*garbage\.pem".*a PEM certificate/],
      [{ ALGO_TLS_CERT_FILE: pair.certFile, ALGO_TLS_KEY_FILE: garbage }, /ALGO_TLS_KEY_FILE=".*garbage\.pem".*a PEM private key/],
      [
        { ALGO_TLS_CERT_FILE: pair.certFile, ALGO_TLS_KEY_FILE: other.keyFile },
        /ALGO_TLS_KEY_FILE=".*other\.key".*the private key of the certificate in ALGO_TLS_CERT_FILE=".*server\.crt"/,
      ],
    ] as const) {
      const run = spawnAlgo({ PORT: String(await freePort()), ...env });
      assert.equal(await run.exit, 2, run.output());
      assert.match(run.output(), pattern);
    }
  });
});
