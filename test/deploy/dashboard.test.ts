import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { DASHBOARD_PATH, renderDashboard } from '../../scripts/build-dashboard.js';
import { checkPromqlParses, exportedSeriesNames, metricNamesIn, substituteGrafanaVariables } from '../helpers/promql.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ expr: string; refId: string; datasource: { uid: string } }>;
}

async function dashboard(): Promise<{ uid: string; panels: Panel[]; templating: { list: Array<{ name: string }> } }> {
  return JSON.parse(await readFile(DASHBOARD_PATH, 'utf8'));
}

const queries = (panels: Panel[]): string[] => panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []);

describe('Grafana dashboard', () => {
  test('the committed JSON is what the generator writes (run npm run dashboard after editing)', async () => {
    assert.equal(await readFile(DASHBOARD_PATH, 'utf8'), renderDashboard());
  });

  test('structure: unique ids, panels inside the 24-column grid, every query on the provisioned datasource', async () => {
    const { uid, panels, templating } = await dashboard();
    assert.equal(uid, 'algo-overview');
    assert.deepEqual(
      templating.list.map((v) => v.name),
      ['instance'],
    );
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
    for (const panel of panels) {
      assert.ok(panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24, panel.title);
      if (panel.type === 'row') continue;
      assert.equal(panel.datasource?.uid, 'algo-prometheus');
      assert.ok((panel.targets?.length ?? 0) > 0, `${panel.title} has queries`);
      for (const target of panel.targets ?? []) assert.equal(target.datasource.uid, 'algo-prometheus');
    }
  });

  test('covers HTTP, detection, cameras, LLM, API keys, runtime and Kafka', async () => {
    const all = queries((await dashboard()).panels).join('\n');
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'detection_total',
      'detection_latency_seconds_bucket',
      'detection_objects_sum',
      'detection_groups_sum',
      'detection_errors_total',
      'llm_requests_total',
      'llm_latency_seconds_bucket',
      'llm_tokens_total',
      'llm_scenes_total',
      'llm_scene_failures_total',
      'api_key_success_rate',
      'api_key_state',
      'api_key_cooldown_until_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds_sum',
      'kafka_consumer_lag',
      'kafka_messages_consumed_total',
      'camera_up',
      'camera_frames_total',
      'camera_frames_processed_total',
      'camera_last_frame_timestamp_seconds',
      'camera_reconnects_total',
      'camera_stalls_total',
    ]) {
      assert.ok(all.includes(metric), metric);
    }
  });

  test('every panel query parses as PromQL (promtool, Grafana variables substituted)', async () => {
    const result = await checkPromqlParses(queries((await dashboard()).panels).map(substituteGrafanaVariables));
    assert.equal(result.code, 0, result.output);
  });

  test('every metric a panel queries is one algo exports', async () => {
    const exported = await exportedSeriesNames();
    for (const expr of queries((await dashboard()).panels)) {
      const names = metricNamesIn(substituteGrafanaVariables(expr));
      assert.ok(names.length > 0, expr);
      for (const name of names) assert.ok(exported.has(name), `${name} in ${expr}`);
    }
  });

  test('the metric-name check would catch a typo', () => {
    assert.deepEqual(metricNamesIn('sum by (route) (rate(http_request_totals{job="algo"}[5m])) / on(route) group_left up'), [
      'http_request_totals',
      'up',
    ]);
  });
});
