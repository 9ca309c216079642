// /cameras/:id: the large frame (once a second while visible), the zones' and lines' counts,
// recent events (held and live, each with the crop of its object algo cut from the frame it was
// found in), the health history, and the zone and line helper.
import {
  countsList,
  el,
  eventText,
  followEvents,
  getJson,
  refreshFrame,
  stateNode,
  whileVisible,
  type ApiEvent,
  type CameraView,
  type SceneView,
} from './common.js';
import { startHelper } from './zone-helper.js';

interface HealthSample {
  at: string;
  state: string;
  down_reason: string | null;
  fps: number;
  dropped_share: number;
}

const section = document.querySelector<HTMLElement>('section.camera')!;
const id = section.dataset.camera ?? '';
const path = encodeURIComponent(id);
const img = document.getElementById('frame') as HTMLImageElement;
const eventsList = document.getElementById('events') as HTMLOListElement;
const shown = new Set<string>();

/** The event's object, cut by algo from the frame the event was found in; removed when algo holds none. */
function crop(event: ApiEvent): HTMLElement {
  const image = el('img', {
    class: 'crop',
    src: `/api/v1/events/${encodeURIComponent(event.id)}/crop.jpg`,
    alt: `${event.label} #${event.track_id}`,
    loading: 'lazy',
  }) as HTMLImageElement;
  image.addEventListener('error', () => image.remove(), { once: true });
  return image;
}

function addEvent(event: ApiEvent): void {
  if (shown.has(event.id)) return;
  shown.add(event.id);
  eventsList.prepend(el('li', { 'data-id': event.id, 'data-type': event.type }, crop(event), eventText(event)));
  while (eventsList.childElementCount > 30) eventsList.lastElementChild?.remove();
}

function renderHealth(samples: HealthSample[]): void {
  const strip = el('div', { class: 'strip', 'aria-hidden': 'true' });
  for (const sample of samples) strip.append(el('span', { 'data-state': sample.state, title: `${sample.at} ${sample.state}` }));
  const rows = samples
    .slice(-6)
    .reverse()
    .map((sample) =>
      el(
        'tr',
        {},
        el('td', {}, new Date(sample.at).toLocaleTimeString()),
        el(
          'td',
          {},
          el(
            'span',
            { class: 'state', 'data-state': sample.state },
            sample.down_reason === null ? sample.state : `${sample.state}: ${sample.down_reason}`,
          ),
        ),
        el('td', {}, sample.fps.toFixed(1)),
        el('td', {}, `${Math.round(sample.dropped_share * 1000) / 10}%`),
      ),
    );
  const head = el('tr', {}, ...['time', 'state', 'fps', 'dropped'].map((name) => el('th', { scope: 'col' }, name)));
  const downs = samples.filter((sample) => sample.state !== 'up').length;
  const summary = el('p', {}, `${samples.length} samples over the last ${Math.round((samples.length * 5) / 60)} min; not up in ${downs}.`);
  document.getElementById('health')!.replaceChildren(summary, strip, el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
}

async function tick(): Promise<void> {
  const [view, scenes] = await Promise.all([
    section.dataset.kind === 'read' ? getJson<CameraView>(`/api/v1/cameras/${path}`) : Promise.resolve(undefined),
    getJson<{ scenes: SceneView[] }>('/api/v1/scenes'),
  ]);
  if (view !== undefined) {
    section.querySelector('[data-field="state"]')?.replaceChildren(stateNode(view));
  }
  const scene = scenes?.scenes.find((candidate) => candidate.camera_id === id);
  document.querySelector('[data-field="counts"]')?.replaceWith(countsList(scene));
  await refreshFrame(img);
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? '0') + 1);
}

async function healthTick(): Promise<void> {
  if (section.dataset.kind !== 'read') return;
  const history = await getJson<{ samples: HealthSample[] }>(`/api/v1/cameras/${path}/history`);
  if (history !== undefined) renderHealth(history.samples);
}

whileVisible(tick, 1000);
whileVisible(healthTick, 5000);
followEvents(new URLSearchParams({ camera_id: id }), addEvent);
startHelper(img, document.getElementById('drawing') as unknown as SVGSVGElement);
