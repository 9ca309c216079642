// The console's pages as pure functions of their data (so tests can feed hostile names):
// the camera grid, one camera with the zone and line helper, the event feed, /system, login
// and not-found. Every outside value goes through html`` (escaped); live parts are filled by
// the page's module (src/console/ui/), which reads ids from data- attributes.
import type { CameraView } from '../cameras/camera-view.js';
import type { SceneView } from '../scene/scenes.js';
import { EVENT_TYPES } from '../scene/event-buffer.js';
import { LINE_DIRECTIONS } from '../scene/line.js';
import { html, page, type Html } from './html.js';
import type { SystemInfo } from './system-info.js';

/** A camera on the grid: one algo reads (its view), or a push camera (tracked, frames over HTTP/Kafka). */
export type GridCamera = { kind: 'read'; view: CameraView; scene: SceneView | undefined } | { kind: 'push'; scene: SceneView };

const cameraHref = (id: string): string => `/cameras/${encodeURIComponent(id)}`;
const frameSrc = (id: string, push: boolean, full = false): string =>
  push
    ? `/api/v1/scenes/${encodeURIComponent(id)}/snapshot.jpg`
    : `/api/v1/cameras/${encodeURIComponent(id)}/snapshot.jpg?annotate=true${full ? '&size=full' : ''}`;

function stateText(view: CameraView | undefined): Html {
  if (view === undefined) return html`<span class="state" data-state="push">push camera</span>`;
  return html`<span class="state" data-state="${view.state}"
    >${view.state}${view.down_reason === null ? '' : `: ${view.down_reason}`}</span
  >`;
}

function countsOf(scene: SceneView | undefined): Html {
  if (scene === undefined) return html`<p class="muted">Not tracked.</p>`;
  const zones = scene.zones.map(
    (zone) =>
      html`<li>
        zone <b>${zone.name}</b>:
        ${
          Object.entries(zone.objects)
            .map(([label, count]) => `${count} ${label}`)
            .join(', ') || '0'
        }
      </li>`,
  );
  const lines = scene.lines.map((line) => html`<li>line <b>${line.name}</b>: ${line.crossings.in} in, ${line.crossings.out} out</li>`);
  return html`<ul class="counts" data-field="counts">
    ${zones}${lines}${zones.length + lines.length === 0 ? html`<li>no zones or lines</li>` : html``}
  </ul>`;
}

function card(camera: GridCamera): Html {
  const id = camera.kind === 'read' ? camera.view.id : camera.scene.camera_id;
  const view = camera.kind === 'read' ? camera.view : undefined;
  return html`<li class="card" data-camera="${id}" data-kind="${camera.kind}">
    <h2><a href="${cameraHref(id)}">${id}</a></h2>
    <div class="frame">
      <img
        data-field="frame"
        data-src="${frameSrc(id, view === undefined)}"
        alt="Latest frame of camera ${id} with detected objects, tracks, zones and lines"
        width="640"
        height="360"
      />
    </div>
    <p data-field="state">${stateText(view)}</p>
    <dl class="stats">
      <div>
        <dt>fps</dt>
        <dd data-field="fps">${view === undefined ? '–' : view.fps.toFixed(1)}</dd>
      </div>
      <div>
        <dt>dropped</dt>
        <dd data-field="dropped">${view === undefined ? '–' : share(view.dropped, view.frames)}</dd>
      </div>
      <div>
        <dt>reconnects</dt>
        <dd data-field="reconnects">${view === undefined ? '–' : view.reconnects}</dd>
      </div>
    </dl>
    ${countsOf(camera.scene)}
  </li>`;
}

const share = (part: number, whole: number): string => (whole === 0 ? '0%' : `${Math.round((part / whole) * 1000) / 10}%`);

export function gridPage(cameras: readonly GridCamera[], session: boolean): string {
  const body =
    cameras.length === 0
      ? html`<p>No cameras are configured. List them in the cameras file (<code>ALGO_CAMERAS_FILE</code>, see docs/cameras.md).</p>`
      : html`<p class="muted" id="status" role="status">Live: frames and counts refresh every second while this tab is visible.</p>
          <ul class="grid" id="cameras">
            ${cameras.map(card)}
          </ul>`;
  return page({ title: 'Cameras', page: 'cameras', body, script: 'grid.js', session });
}

export interface CameraPageData {
  id: string;
  view: CameraView | undefined;
  scene: SceneView | undefined;
  /** The helper's label picker: the labels the camera tracks (all the model's when it lists none). */
  labels: readonly string[];
}

/** The labels the helper offers: those the camera tracks (`track: {labels}`), all the model's when it lists none. */
export function helperLabels(modelLabels: readonly string[], tracked: readonly string[] | null | undefined): readonly string[] {
  return tracked === null || tracked === undefined || tracked.length === 0 ? modelLabels : tracked;
}

export function cameraPage({ id, view, scene, labels }: CameraPageData, session: boolean): string {
  const size = view?.source_size;
  const body = html`<section class="camera" data-camera="${id}" data-kind="${view === undefined ? 'push' : 'read'}">
      <p data-field="state">${stateText(view)}</p>
      <div class="large frame" id="stage">
        <img
          id="frame"
          data-field="frame"
          data-src="${frameSrc(id, view === undefined, true)}"
          alt="Latest frame of camera ${id} with detected objects, tracks, zones and lines${size ? ` (${size.width}×${size.height})` : ''}"
          width="${size?.width ?? 1280}"
          height="${size?.height ?? 720}"
        />
        <svg id="drawing" aria-hidden="true" viewBox="0 0 1 1" preserveAspectRatio="none"></svg>
      </div>
      ${view === undefined ? html`` : html`<p class="muted">Source: <span class="url">${view.url}</span>, ${view.detect_fps} detections per second.</p>`}
    </section>
    <section aria-labelledby="counts-h">
      <h2 id="counts-h">Zones and lines</h2>
      ${countsOf(scene)}
    </section>
    <section aria-labelledby="events-h">
      <h2 id="events-h">Recent events</h2>
      <ol id="events" class="events" aria-live="polite"></ol>
    </section>
    <section aria-labelledby="health-h">
      <h2 id="health-h">Health, last minutes</h2>
      <div id="health">
        ${
          view === undefined
            ? html`<p>Push cameras have no health history: algo does not read them, it tracks the frames sent to it.</p>`
            : html`<p class="muted">Sampled every few seconds.</p>`
        }
      </div>
    </section>
    ${helper(
      id,
      labels,
      [...(scene?.zones ?? []), ...(scene?.lines ?? [])].map((shape) => shape.name),
    )}`;
  return page({ title: `Camera ${id}`, page: 'cameras', body, script: 'camera.js', session });
}

function helper(camera: string, labels: readonly string[], taken: readonly string[]): Html {
  return html`<section aria-labelledby="helper-h" class="helper">
    <h2 id="helper-h">Draw a zone or a line</h2>
    <p>
      Click points on the frame (or type them as x,y fractions), name the shape and pick its labels: the snippet below goes under this
      camera's <code>- id: ${camera}</code> entry in the cameras file, indented as it is. Nothing is saved on the server.
    </p>
    <form id="helper" autocomplete="off" data-camera="${camera}" data-taken="${taken.join(' ')}">
      <fieldset>
        <legend>Shape</legend>
        <label><input type="radio" name="kind" value="zone" checked /> zone (polygon, 3 or more points)</label>
        <label><input type="radio" name="kind" value="line" /> line (2 points)</label>
      </fieldset>
      <label for="shape-name">Name</label><input id="shape-name" name="name" pattern="[A-Za-z0-9._:\\-]{1,64}" value="new_zone" required />
      <label for="shape-points">Points (x,y fractions separated by spaces)</label
      ><input id="shape-points" name="points" inputmode="decimal" />
      <label for="shape-labels">Labels (none selected: every label tracked)</label>
      <select id="shape-labels" name="labels" multiple size="5">
        ${labels.map((label) => html`<option value="${label}">${label}</option>`)}
      </select>
      <label for="shape-in">Which crossing is <i>in</i> (lines)</label>
      <select id="shape-in" name="in">
        ${LINE_DIRECTIONS.map((direction) => html`<option>${direction}</option>`)}
      </select>
      <div class="buttons">
        <button type="button" id="undo">Undo last point</button><button type="button" id="clear">Clear</button
        ><button type="button" id="copy">Copy YAML</button>
      </div>
    </form>
    <p id="helper-problem" role="alert" class="problem"></p>
    <pre><code id="yaml"></code></pre>
  </section>`;
}

export function eventsPage(cameraIds: readonly string[], session: boolean): string {
  const body = html`<form id="filters" class="filters">
      <label for="f-camera">Camera</label
      ><select id="f-camera" name="camera_id">
        <option value="">all</option>
        ${cameraIds.map((id) => html`<option value="${id}">${id}</option>`)}
      </select>
      <label for="f-type">Type</label
      ><select id="f-type" name="type">
        <option value="">all</option>
        ${EVENT_TYPES.map((type) => html`<option>${type}</option>`)}
      </select>
      <label for="f-label">Label</label><input id="f-label" name="label" placeholder="e.g. person" />
    </form>
    <p id="status" role="status" class="muted">Connecting…</p>
    <ol id="feed" class="events" aria-live="polite"></ol>`;
  return page({ title: 'Events', page: 'events', body, script: 'events.js', session });
}

export function systemPage(info: SystemInfo, session: boolean): string {
  const d = info.detector;
  const row = (name: string, value: string | number | Html): Html =>
    html`<tr>
      <th scope="row">${name}</th>
      <td>${value}</td>
    </tr>`;
  const detector =
    d === undefined
      ? html`<p>No detector in this role (ingest).</p>`
      : html`<table>
          ${row('model', `${d.model_type} (${d.model_file}, ${d.detector})`)}${row('inference p50', d.inference_p50_ms === null ? 'no frame yet' : `${d.inference_p50_ms} ms`)}${row('frames detected', d.frames_detected)}${row('concurrency', d.concurrency)}${row('queue', `${d.running} running, ${d.waiting} waiting (at most ${d.max_waiting})`)}
        </table>`;
  const kafka = info.kafka.enabled
    ? html`<table>
        ${row('consumer lag', info.kafka.lag === null ? 'not measured yet' : `${info.kafka.lag} messages`)}${row('rebalances', info.kafka.rebalances)}
      </table>`
    : html`<p>Kafka is off (<code>ALGO_ENABLE_KAFKA_STREAMING</code>).</p>`;
  const keys =
    info.llm_keys.length === 0
      ? html`<p>No LLM key is configured.</p>`
      : html`<table>
          <thead>
            <tr>
              <th scope="col">key</th>
              <th scope="col">state</th>
              <th scope="col">cooling down until</th>
            </tr>
          </thead>
          <tbody>
            ${info.llm_keys.map(
              (key) =>
                html`<tr>
                  <td>${key.alias}</td>
                  <td><span class="state" data-state="${key.state}">${key.state}</span></td>
                  <td>${key.cooldown_until ?? '–'}</td>
                </tr>`,
            )}
          </tbody>
        </table>`;
  const links = html`<ul>
    ${info.links.metrics === undefined ? html`<li>Metrics are served elsewhere or off.</li>` : html`<li><a href="${info.links.metrics}">${info.links.metrics}</a>: Prometheus metrics</li>`}
    <li>Check the monitoring set-up: <code>${info.links.doctor}</code></li>
    ${info.links.grafana === undefined ? html`` : html`<li><a href="${info.links.grafana}" rel="noreferrer">Grafana dashboard</a></li>`}
  </ul>`;
  const body = html`<section aria-labelledby="det-h">
      <h2 id="det-h">Detector</h2>
      ${detector}
    </section>
    <section aria-labelledby="kafka-h">
      <h2 id="kafka-h">Kafka</h2>
      ${kafka}
    </section>
    <section aria-labelledby="llm-h">
      <h2 id="llm-h">LLM keys</h2>
      ${keys}
    </section>
    <section aria-labelledby="build-h">
      <h2 id="build-h">Build</h2>
      <table>
        ${row('algo', info.build.version)}${row('Node.js', info.build.node)}
      </table>
    </section>
    <section aria-labelledby="links-h">
      <h2 id="links-h">Links</h2>
      ${links}
    </section>`;
  return page({ title: 'System', page: 'system', body, script: 'system.js', session });
}

export type LoginProblem = 'invalid' | 'throttled' | 'no_read_scope' | 'empty' | 'cross_site' | undefined;

const PROBLEMS: Readonly<Record<Exclude<LoginProblem, undefined>, string>> = {
  invalid: 'That token is not valid.',
  throttled: 'Too many failed attempts from this address: wait a little and try again.',
  no_read_scope: 'That token has no read scope: the console needs one.',
  empty: 'Enter a token.',
  cross_site: 'That form did not come from this algo page: log in again here.',
};

export function loginPage(problem: LoginProblem): string {
  const body = html`<form method="post" action="/login" class="login">
    <p>
      This algo needs an API token with the <code>read</code> scope. It is checked once; your browser then keeps a session cookie, never the
      token.
    </p>
    ${problem === undefined ? html`` : html`<p role="alert" class="problem">${PROBLEMS[problem]}</p>`}
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" required maxlength="4096" />
    <button type="submit">Log in</button>
  </form>`;
  return page({ title: 'Log in', page: 'login', body, session: false });
}

export function notFoundPage(what: string, session: boolean): string {
  return page({
    title: 'Not found',
    page: 'cameras',
    body: html`<p>${what}</p>
      <p><a href="/">Back to the cameras</a></p>`,
    session,
  });
}
