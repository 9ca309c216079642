import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { exportedSeriesNames, metricNamesIn } from '../helpers/promql.js';
import { promtool } from '../helpers/promtool.js';

const DIR = 'deploy/prometheus';

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const readYaml = async <T>(path: string): Promise<T> => parse(await readFile(path, 'utf8')) as T;

describe('Prometheus configuration and alert rules', () => {
  test('promtool check config accepts prometheus.yml and finds the rule file', async () => {
    // As deployed: the scrape token file beside it (written at start by the compose file or
    // scripts/prometheus-local.sh; promtool checks it exists).
    const dir = await mkdtemp(join(tmpdir(), 'algo-promcheck-'));
    await mkdir(join(dir, 'secrets'));
    await writeFile(join(dir, 'secrets', 'algo-metrics.token'), 'token');
    for (const file of ['prometheus.yml', 'alerts.yml']) await copyFile(`${DIR}/${file}`, join(dir, file));
    const result = await promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS: 1 rule files found/);
  });

  test('the algo job scrapes /metrics every 15s with a 10s timeout from the layout target file', async () => {
    const config = await readYaml<{ scrape_configs: Array<Record<string, unknown>>; rule_files: string[] }>(`${DIR}/prometheus.yml`);
    const job = config.scrape_configs.find((c) => c.job_name === 'algo');
    assert.ok(job);
    assert.equal(job.scrape_interval, '15s');
    assert.equal(job.scrape_timeout, '10s');
    assert.equal(job.metrics_path, '/metrics');
    assert.deepEqual(job.file_sd_configs, [{ files: ['targets/algo.yml'], refresh_interval: '1m' }]);
    const host = await readYaml<Array<{ targets: string[] }>>(`${DIR}/targets/host.yml`);
    const container = await readYaml<Array<{ targets: string[] }>>(`${DIR}/targets/container.yml`);
    assert.deepEqual(host[0]?.targets, ['host.docker.internal:5000']);
    assert.deepEqual(container[0]?.targets, ['algo:5000']);
  });

  test('promtool check rules accepts alerts.yml', async () => {
    const result = await promtool(['check', 'rules', `${DIR}/alerts.yml`]);
    assert.equal(result.code, 0, result.output);
  });

  test('the example scene rules (crowding, loitering) pass promtool check and their unit tests', async () => {
    const checked = await promtool(['check', 'rules', `${DIR}/scene-rules.example.yml`]);
    assert.equal(checked.code, 0, checked.output);
    const tested = await promtool(['test', 'rules', `${DIR}/scene-rules.example.test.yml`]);
    assert.equal(tested.code, 0, tested.output);
    assert.match(tested.output, /SUCCESS/);
  });

  test('promtool test rules passes every alert unit test', async () => {
    const result = await promtool(['test', 'rules', `${DIR}/alerts.test.yml`]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });

  test('every alert has severity, summary, description and a runbook entry, and a firing test', async () => {
    const rules = (await readYaml<{ groups: Array<{ rules: Rule[] }> }>(`${DIR}/alerts.yml`)).groups.flatMap((g) => g.rules);
    const tests = await readFile(`${DIR}/alerts.test.yml`, 'utf8');
    const runbook = await readFile('docs/runbook.md', 'utf8');
    const required = [
      'AlgoTargetDown',
      'AlgoTargetAbsent',
      'AlgoHighErrorRatio',
      'AlgoDetectionLatencyHigh',
      'AlgoDetectionErrors',
      'AlgoLlmErrorRatioHigh',
      'AlgoLlmSummariesFallingBack',
      'AlgoLlmAllKeysDown',
      'AlgoApiKeyDisabled',
      'AlgoApiKeyFailing',
      'AlgoEventLoopLagHigh',
      'AlgoScrapeNearTimeout',
      'AlgoKafkaConsumerLagGrowing',
      'AlgoCameraDown',
      'AlgoCameraFramesDropped',
      'AlgoAuthFailures',
    ];
    assert.deepEqual(rules.map((r) => r.alert).sort(), [...required].sort());
    for (const rule of rules) {
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, rule.alert);
      assert.ok(rule.annotations?.summary && rule.annotations.description, rule.alert);
      const anchor = rule.annotations?.runbook?.split('#')[1];
      assert.equal(anchor, rule.alert?.toLowerCase());
      assert.ok(runbook.includes(`## ${rule.alert}`), `runbook section for ${rule.alert}`);
      assert.ok(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`).test(tests), `firing case for ${rule.alert}`);
    }
  });

  test('alert expressions only query metrics algo exports', async () => {
    const exported = await exportedSeriesNames();
    const rules = (await readYaml<{ groups: Array<{ rules: Rule[] }> }>(`${DIR}/alerts.yml`)).groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr))
        assert.ok(exported.has(name), `${rule.alert} queries ${name}, which algo does not export`);
    }
  });
});
