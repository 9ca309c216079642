// npm run dashboard — writes deploy/grafana/dashboards/algo-overview.json from the panel
// list below, so the dashboard is reviewed as code and a test keeps the two in step.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const DATASOURCE = { type: 'prometheus', uid: 'algo-prometheus' } as const;
const SEL = 'job="algo", instance=~"$instance"';

interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  unit: string;
  queries: Query[];
  description?: string;
  max?: number;
}

interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const q = (expr: string, legend: string): Query => ({ expr, legend });

export const ROWS: RowSpec[] = [
  {
    title: 'HTTP',
    panels: [
      {
        title: 'Request rate by route',
        unit: 'reqps',
        queries: [q(`sum by (route, method) (rate(http_requests_total{${SEL}}[$__rate_interval]))`, '{{method}} {{route}}')],
      },
      {
        title: 'Error ratio (5xx) by route',
        unit: 'percentunit',
        queries: [
          q(
            `sum by (route) (rate(http_requests_total{${SEL}, status_code=~"5.."}[$__rate_interval])) / sum by (route) (rate(http_requests_total{${SEL}}[$__rate_interval]))`,
            '{{route}}',
          ),
        ],
      },
      {
        title: 'Latency p50 / p95 / p99 by route',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((p) =>
          q(
            `histogram_quantile(${p}, sum by (le, route) (rate(http_request_duration_seconds_bucket{${SEL}}[$__rate_interval])))`,
            `p${p * 100} {{route}}`,
          ),
        ),
      },
      { title: 'Requests in flight', unit: 'short', queries: [q(`sum by (instance) (http_requests_in_flight{${SEL}})`, '{{instance}}')] },
    ],
  },
  {
    title: 'Detection',
    panels: [
      {
        title: 'Detections per second by camera and model',
        unit: 'ops',
        queries: [q(`sum by (camera_id, model_type) (rate(detection_total{${SEL}}[$__rate_interval]))`, '{{camera_id}} {{model_type}}')],
      },
      {
        title: 'Detection latency p50 / p95 / p99',
        unit: 's',
        queries: [0.5, 0.95, 0.99].map((p) =>
          q(
            `histogram_quantile(${p}, sum by (le, model_type) (rate(detection_latency_seconds_bucket{${SEL}}[$__rate_interval])))`,
            `p${p * 100} {{model_type}}`,
          ),
        ),
      },
      {
        title: 'Objects and groups per frame (mean)',
        unit: 'short',
        queries: [
          q(
            `sum by (model_type) (rate(detection_objects_sum{${SEL}}[$__rate_interval])) / sum by (model_type) (rate(detection_objects_count{${SEL}}[$__rate_interval]))`,
            'objects {{model_type}}',
          ),
          q(
            `sum by (model_type) (rate(detection_groups_sum{${SEL}}[$__rate_interval])) / sum by (model_type) (rate(detection_groups_count{${SEL}}[$__rate_interval]))`,
            'groups {{model_type}}',
          ),
        ],
      },
      {
        title: 'Detection errors by reason',
        unit: 'ops',
        queries: [q(`sum by (reason) (rate(detection_errors_total{${SEL}}[$__rate_interval]))`, '{{reason}}')],
      },
    ],
  },
  {
    title: 'Cameras',
    panels: [
      { title: 'Camera up', unit: 'short', max: 1, queries: [q(`max by (camera_id) (camera_up{${SEL}})`, '{{camera_id}}')] },
      {
        title: 'Camera frames per second by outcome',
        unit: 'ops',
        queries: [
          q(`sum by (camera_id) (rate(camera_frames_total{${SEL}}[$__rate_interval]))`, 'received {{camera_id}}'),
          q(`sum by (camera_id, outcome) (rate(camera_frames_processed_total{${SEL}}[$__rate_interval]))`, '{{outcome}} {{camera_id}}'),
        ],
      },
      {
        title: 'Share of camera frames dropped',
        unit: 'percentunit',
        queries: [
          q(
            `sum by (camera_id) (rate(camera_frames_processed_total{${SEL}, outcome="dropped"}[$__rate_interval])) / sum by (camera_id) (rate(camera_frames_total{${SEL}}[$__rate_interval]))`,
            '{{camera_id}}',
          ),
        ],
      },
      {
        title: 'Seconds since the last camera frame',
        unit: 's',
        queries: [q(`time() - max by (camera_id) (camera_last_frame_timestamp_seconds{${SEL}})`, '{{camera_id}}')],
      },
      {
        title: 'Camera reconnects and stalls',
        unit: 'short',
        queries: [
          q(`sum by (camera_id) (increase(camera_reconnects_total{${SEL}}[$__rate_interval]))`, 'reconnects {{camera_id}}'),
          q(`sum by (camera_id) (increase(camera_stalls_total{${SEL}}[$__rate_interval]))`, 'stalls {{camera_id}}'),
        ],
      },
    ],
  },
  {
    title: 'LLM and API keys',
    panels: [
      {
        title: 'LLM requests by status',
        unit: 'reqps',
        queries: [
          q(`sum by (provider, model, status) (rate(llm_requests_total{${SEL}}[$__rate_interval]))`, '{{provider}}/{{model}} {{status}}'),
        ],
      },
      {
        title: 'LLM latency p50 / p95',
        unit: 's',
        queries: [0.5, 0.95].map((p) =>
          q(
            `histogram_quantile(${p}, sum by (le, provider, model) (rate(llm_latency_seconds_bucket{${SEL}}[$__rate_interval])))`,
            `p${p * 100} {{provider}}/{{model}}`,
          ),
        ),
      },
      {
        title: 'LLM error ratio',
        unit: 'percentunit',
        queries: [
          q(
            `sum by (provider, model) (rate(llm_requests_total{${SEL}, status!="success"}[$__rate_interval])) / sum by (provider, model) (rate(llm_requests_total{${SEL}}[$__rate_interval]))`,
            '{{provider}}/{{model}}',
          ),
        ],
      },
      {
        title: 'API key success rate',
        unit: 'percentunit',
        max: 1,
        queries: [q(`avg by (key_id) (api_key_success_rate{${SEL}})`, '{{key_id}}')],
      },
      {
        title: 'API key requests by outcome',
        unit: 'reqps',
        queries: [q(`sum by (key_id, outcome) (rate(api_key_requests_total{${SEL}}[$__rate_interval]))`, '{{key_id}} {{outcome}}')],
      },
      {
        title: 'API key state (0 healthy, 1 cooling down, 2 disabled)',
        unit: 'short',
        max: 2,
        queries: [q(`max by (key_id) (api_key_state{${SEL}})`, '{{key_id}}')],
      },
      {
        title: 'API key cooldown remaining',
        unit: 's',
        queries: [q(`max by (key_id) (api_key_cooldown_until_seconds{${SEL}}) - time()`, '{{key_id}}')],
      },
      {
        title: 'Scene summaries by source, fallbacks by reason',
        unit: 'ops',
        queries: [
          q(`sum by (source) (rate(llm_scenes_total{${SEL}}[$__rate_interval]))`, '{{source}}'),
          q(`sum by (reason) (rate(llm_scene_failures_total{${SEL}}[$__rate_interval])) > 0`, 'failed: {{reason}}'),
        ],
      },
      {
        title: 'LLM tokens',
        unit: 'short',
        queries: [
          q(`sum by (provider, model, type) (rate(llm_tokens_total{${SEL}}[$__rate_interval]))`, '{{provider}}/{{model}} {{type}}/s'),
        ],
      },
    ],
  },
  {
    title: 'Scene',
    panels: [
      {
        title: 'Objects in each zone now',
        unit: 'short',
        description: 'Confirmed tracked objects per zone and label; zone "frame" is the whole frame.',
        queries: [q(`sum by (camera_id, zone, label) (scene_objects{${SEL}})`, '{{camera_id}} {{zone}} {{label}}')],
      },
      {
        title: 'Line crossings per hour by direction',
        unit: 'short',
        queries: [
          q(
            `sum by (camera_id, line, direction) (increase(scene_line_crossings_total{${SEL}}[1h]))`,
            '{{camera_id}} {{line}} {{direction}}',
          ),
        ],
      },
      {
        title: 'Zone entries per hour',
        unit: 'short',
        queries: [q(`sum by (camera_id, zone) (increase(scene_zone_entries_total{${SEL}}[1h]))`, '{{camera_id}} {{zone}}')],
      },
      {
        title: 'Dwell p50 / p95',
        unit: 's',
        queries: [
          q(
            `histogram_quantile(0.5, sum by (camera_id, zone, le) (rate(scene_zone_dwell_seconds_bucket{${SEL}}[$__rate_interval])))`,
            'p50 {{camera_id}} {{zone}}',
          ),
          q(
            `histogram_quantile(0.95, sum by (camera_id, zone, le) (rate(scene_zone_dwell_seconds_bucket{${SEL}}[$__rate_interval])))`,
            'p95 {{camera_id}} {{zone}}',
          ),
        ],
      },
      {
        title: 'Active tracks and frames not tracked',
        unit: 'short',
        queries: [
          q(`sum by (camera_id) (scene_tracks_active{${SEL}})`, 'active {{camera_id}}'),
          q(
            `sum by (camera_id, reason) (rate(scene_frames_untracked_total{${SEL}}[$__rate_interval]))`,
            'untracked/s {{camera_id}} {{reason}}',
          ),
        ],
      },
    ],
  },
  {
    title: 'Process and runtime',
    panels: [
      { title: 'CPU', unit: 'percentunit', queries: [q(`rate(process_cpu_seconds_total{${SEL}}[$__rate_interval])`, '{{instance}}')] },
      {
        title: 'Memory',
        unit: 'bytes',
        queries: [
          q(`process_resident_memory_bytes{${SEL}}`, 'rss {{instance}}'),
          q(`nodejs_heap_size_used_bytes{${SEL}}`, 'heap used {{instance}}'),
        ],
      },
      { title: 'Event-loop lag p99', unit: 's', queries: [q(`nodejs_eventloop_lag_p99_seconds{${SEL}}`, '{{instance}}')] },
      {
        title: 'GC time by kind',
        unit: 'percentunit',
        queries: [q(`sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${SEL}}[$__rate_interval]))`, '{{kind}}')],
      },
      { title: 'Scrape duration', unit: 's', queries: [q(`scrape_duration_seconds{${SEL}}`, '{{instance}}')] },
    ],
  },
  {
    title: 'Kafka streaming',
    panels: [
      {
        title: 'Consumer lag by partition',
        unit: 'short',
        queries: [q(`sum by (topic, partition) (kafka_consumer_lag{${SEL}})`, '{{topic}}/{{partition}}')],
      },
      {
        title: 'Messages per second',
        unit: 'ops',
        queries: [
          q(`sum by (topic) (rate(kafka_messages_consumed_total{${SEL}}[$__rate_interval]))`, 'consumed {{topic}}'),
          q(`sum by (topic) (rate(kafka_messages_produced_total{${SEL}}[$__rate_interval]))`, 'produced {{topic}}'),
          q(`sum by (topic, reason) (rate(kafka_messages_failed_total{${SEL}}[$__rate_interval]))`, 'failed {{topic}} {{reason}}'),
        ],
      },
      {
        title: 'Processing time and frame age p95',
        unit: 's',
        queries: [
          q(`histogram_quantile(0.95, sum by (le) (rate(kafka_processing_seconds_bucket{${SEL}}[$__rate_interval])))`, 'processing p95'),
          q(`histogram_quantile(0.95, sum by (le) (rate(kafka_frame_age_seconds_bucket{${SEL}}[$__rate_interval])))`, 'frame age p95'),
        ],
      },
      {
        title: 'Rebalances',
        unit: 'short',
        queries: [q(`sum(increase(kafka_consumer_rebalances_total{${SEL}}[$__range]))`, 'rebalances')],
      },
    ],
  },
];

export function buildDashboard(): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    const width = row.panels.length >= 4 ? 6 : 8;
    row.panels.forEach((panel, index) => {
      const perLine = 24 / width;
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panel.title,
        datasource: DATASOURCE,
        gridPos: { h: 8, w: width, x: (index % perLine) * width, y: y + Math.floor(index / perLine) * 8 },
        fieldConfig: { defaults: { unit: panel.unit, ...(panel.max === undefined ? {} : { min: 0, max: panel.max }) }, overrides: [] },
        options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
        targets: panel.queries.map((query, index) => ({
          refId: String.fromCharCode(65 + index),
          datasource: DATASOURCE,
          expr: query.expr,
          legendFormat: query.legend,
          range: true,
        })),
      });
    });
    y += Math.ceil(row.panels.length / (24 / width)) * 8;
  }
  return {
    uid: 'algo-overview',
    title: 'algo overview',
    description: 'algo camera analytics: HTTP, detection, cameras, LLM and API keys, runtime, Kafka streaming.',
    tags: ['algo'],
    timezone: 'browser',
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        {
          name: 'instance',
          label: 'Instance',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: 'label_values(algo_build_info{job="algo"}, instance)', refId: 'instance' },
          definition: 'label_values(algo_build_info{job="algo"}, instance)',
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: { selected: true, text: ['All'], value: ['$__all'] },
          refresh: 2,
          sort: 1,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

export const DASHBOARD_PATH = fileURLToPath(new URL('../deploy/grafana/dashboards/algo-overview.json', import.meta.url));

export const renderDashboard = (): string => `${JSON.stringify(buildDashboard(), null, 2)}\n`;

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(DASHBOARD_PATH, renderDashboard());
  console.log(`wrote ${DASHBOARD_PATH}`);
}
