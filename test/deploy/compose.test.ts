import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { runTool } from '../helpers/promtool.js';

interface Service {
  image?: string;
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

const compose = (files: string[], args: string[]) => runTool('docker-compose', [...files.flatMap((f) => ['-f', f]), ...args]);
const INFRA = 'deploy/docker-compose.infra.yml';
const APP = 'deploy/docker-compose.app.yml';

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

  test('the Dockerfile is multi-stage, installs production dependencies only, runs as non-root with ffmpeg for cameras and health-checks /healthz', async () => {
    const dockerfile = await readFile('deploy/Dockerfile', 'utf8');
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /^USER node$/m);
    // Cameras need ffmpeg in the running image.
    assert.match(dockerfile, /apt-get install -y --no-install-recommends ffmpeg/);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/healthz/m);
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
