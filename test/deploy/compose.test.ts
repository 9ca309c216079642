import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { runTool } from '../helpers/promtool.js';

interface Service {
  image?: string;
  entrypoint?: string[];
  tmpfs?: string[];
  ports?: Array<string | { published: number | string; target: number }>;
  extra_hosts?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  build?: unknown;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Port mappings as "host:container", whichever syntax docker-compose config printed. */
const portPairs = (service: Service | undefined): string[] =>
  (service?.ports ?? []).map((port) => (typeof port === 'string' ? port.replace(/^"|"$/g, '') : `${port.published}:${port.target}`));

const INFRA = 'deploy/docker-compose.infra.yml';
const APP = 'deploy/docker-compose.app.yml';
/** What deploy/.env would hold (fake values; the real file is never read by these tests). */
const ENV = {
  ALGO_METRICS_TOKEN: 'compose-test-metrics-0c4f8a2e6b1d',
  ALGO_API_TOKENS: 'frontdoor:detect=compose-test-detect-7e1a5c9f3b0d',
};

/** docker-compose with `env` as its only variables: an empty --env-file stands in for deploy/.env. */
async function compose(files: string[], args: string[], env: Record<string, string> = ENV) {
  const envFile = join(await mkdtemp(join(tmpdir(), 'algo-compose-')), 'empty.env');
  await writeFile(envFile, '');
  const unset = Object.fromEntries(Object.keys(ENV).map((name) => [name, '']));
  return runTool('docker-compose', ['--env-file', envFile, ...files.flatMap((f) => ['-f', f]), ...args], undefined, { ...unset, ...env });
}

async function resolved(files: string[]): Promise<Compose> {
  const result = await compose(files, ['config']);
  assert.equal(result.code, 0, result.output);
  return parse(result.output) as Compose;
}

describe('compose files', () => {
  for (const files of [[INFRA], [INFRA, APP]]) {
    test(`docker-compose config -q accepts ${files.join(' + ')}`, async () => {
      const result = await compose(files, ['config', '-q']);
      assert.equal(result.code, 0, result.output);
    });
  }

  test('infra: Prometheus on 9100, Grafana on 3100 with admin/admin, KRaft Kafka, host gateway, named volumes', async () => {
    const { services, volumes } = await resolved([INFRA]);
    const { prometheus, grafana, kafka } = services;
    assert.ok(prometheus && grafana && kafka);
    assert.deepEqual(portPairs(prometheus), ['9100:9090']);
    assert.deepEqual(portPairs(grafana), ['3100:3000']);
    assert.deepEqual(prometheus.extra_hosts, ['host.docker.internal:host-gateway']);
    assert.equal(grafana.environment?.GF_SECURITY_ADMIN_USER, 'admin');
    assert.equal(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD, 'admin');
    assert.ok(grafana.volumes?.some((v) => v.endsWith(':/etc/grafana/provisioning:ro')));
    assert.ok(grafana.volumes?.some((v) => v.endsWith(':/var/lib/grafana/dashboards:ro')));
    assert.equal(kafka.environment?.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.deepEqual(Object.keys(volumes ?? {}).sort(), ['grafana-data', 'kafka-data', 'prometheus-data']);
    assert.ok(prometheus.volumes?.some((v) => v.endsWith('targets/host.yml:/etc/prometheus/targets/algo.yml:ro')));
  });

  test('with the app file, algo runs as a container and Prometheus scrapes it by service name', async () => {
    const { services } = await resolved([INFRA, APP]);
    assert.ok(services.algo?.build);
    const targetMounts = services.prometheus?.volumes?.filter((v) => v.includes('/etc/prometheus/targets/algo.yml')) ?? [];
    assert.equal(targetMounts.length, 1);
    assert.ok(targetMounts[0]?.includes('targets/container.yml'), targetMounts[0]);
  });

  test('the Dockerfile is multi-stage, installs production dependencies only, runs as non-root with ffmpeg for cameras and health-checks /healthz over HTTP or HTTPS', async () => {
    const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /^USER node$/m);
    // Cameras need ffmpeg in the running image.
    assert.match(dockerfile, /apt-get install -y --no-install-recommends ffmpeg/);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(dockerfile, /ALGO_TLS_CERT_FILE\?'node:https':'node:http'/);
    assert.match(dockerfile, /^CMD \["node", "dist\/cli\/serve\.js"\]$/m);
  });

  test('.dockerignore keeps node_modules, .git, dist, .reference and test artefacts out of the build context, and nothing the Dockerfile copies', async () => {
    const patterns = (await readFile('.dockerignore', 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const pattern = (glob: string): RegExp =>
      new RegExp(
        `^${glob
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '(?:.*/)?')
          .replace(/\*/g, '[^/]*')}(?:/.*)?$`,
      );
    const ignored = (path: string): boolean => patterns.some((glob) => pattern(glob).test(path));
    for (const path of [
      'node_modules',
      '.git',
      'dist',
      '.reference/model-golden',
      '.bench/yolov8n-cost.onnx',
      'npm-debug.log',
      'test/fixtures/images/kite.jpg',
    ]) {
      assert.ok(ignored(path), `${path} should be left out of the build context`);
    }
    const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    assert.ok(copied.includes('assets/models') && copied.includes('src') && copied.includes('package-lock.json'), JSON.stringify(copied));
    for (const path of copied)
      assert.ok(!ignored(path) && !ignored(`${path}/x`), `${path} is copied by the Dockerfile but .dockerignore leaves it out`);
  });

  test('the algo container requires tokens, read from deploy/.env: without them compose refuses, naming the file', async () => {
    const { services } = await resolved([INFRA, APP]);
    assert.equal(services.algo?.environment?.ALGO_API_AUTH, 'tokens');
    assert.equal(services.algo?.environment?.ALGO_API_TOKENS, ENV.ALGO_API_TOKENS);
    assert.equal(services.algo?.environment?.ALGO_METRICS_TOKEN, ENV.ALGO_METRICS_TOKEN);
    const missing = await compose([INFRA, APP], ['config', '-q'], {});
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.output,
      /set ALGO_API_TOKENS in deploy\/\.env \(copy deploy\/algo\.env\.example\)|set ALGO_METRICS_TOKEN in deploy\/\.env/,
    );
    // The infrastructure alone still comes up without deploy/.env (Prometheus then sends an empty token).
    assert.equal((await compose([INFRA], ['config', '-q'], {})).code, 0);
  });

  test('Prometheus gets the scrape token from deploy/.env into memory, where prometheus.yml reads it', async () => {
    const { prometheus } = (await resolved([INFRA])).services;
    assert.equal(prometheus?.environment?.ALGO_METRICS_TOKEN, ENV.ALGO_METRICS_TOKEN);
    assert.deepEqual(prometheus?.tmpfs, ['/etc/prometheus/secrets']);
    assert.match(prometheus?.entrypoint?.join(' ') ?? '', /> \/etc\/prometheus\/secrets\/algo-metrics\.token && exec \/bin\/prometheus/);
    const config = parse(await readFile('deploy/prometheus/prometheus.yml', 'utf8')) as {
      scrape_configs: Array<{ job_name: string; authorization?: { credentials_file?: string } }>;
    };
    // Relative to prometheus.yml: /etc/prometheus/secrets/ in the container.
    assert.equal(
      config.scrape_configs.find((job) => job.job_name === 'algo')?.authorization?.credentials_file,
      'secrets/algo-metrics.token',
    );
  });

  test('no secret is committed: compose files take tokens only as ${…} variables, deploy/.env is ignored, the example holds none', async () => {
    for (const file of [INFRA, APP]) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/^\s*(ALGO_[A-Z_]*TOKENS?):\s*(.*)$/gm))
        assert.ok(match[2]!.startsWith(`\${${match[1]}:`), `${file}: ${match[1]} must be a \${…} variable`);
    }
    assert.match(await readFile('.gitignore', 'utf8'), /^\/deploy\/\.env$/m);
    assert.match(await readFile('.dockerignore', 'utf8'), /^deploy\/\.env$/m);
    const example = await readFile('deploy/algo.env.example', 'utf8');
    const assignments = example.split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    assert.deepEqual(assignments, ['ALGO_METRICS_TOKEN=', 'ALGO_API_TOKENS=']);
  });

  test('the Grafana datasource uid is the one the dashboard uses', async () => {
    const datasources = parse(await readFile('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    assert.equal(datasources.datasources[0]?.uid, 'algo-prometheus');
    assert.equal(datasources.datasources[0]?.url, 'http://prometheus:9090');
    const providers = parse(await readFile('deploy/grafana/provisioning/dashboards/algo.yml', 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    assert.equal(providers.providers[0]?.options.path, '/var/lib/grafana/dashboards');
  });
});
