// /events: the live feed over Server-Sent Events (/api/v1/events/stream). The camera and type
// filters go to the server; the label filter is applied here. After a dropped connection the
// browser reconnects with Last-Event-ID and algo resumes after it; ids already shown are
// skipped, so nothing appears twice.
import { el, eventText, getJson, type ApiEvent } from './common.js';

const MAX_SHOWN = 200;
const feed = document.getElementById('feed') as HTMLOListElement;
const status = document.getElementById('status') as HTMLElement;
const form = document.getElementById('filters') as HTMLFormElement;
let source: EventSource | undefined;
let shown = new Set<string>();

function show(event: ApiEvent, label: string): void {
  if (shown.has(event.id) || (label !== '' && event.label !== label)) return;
  shown.add(event.id);
  feed.prepend(el('li', { 'data-id': event.id, 'data-type': event.type }, eventText(event)));
  while (feed.childElementCount > MAX_SHOWN) feed.lastElementChild?.remove();
}

async function open(): Promise<void> {
  source?.close();
  feed.replaceChildren();
  shown = new Set();
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const key of ['camera_id', 'type']) {
    const value = String(data.get(key) ?? '');
    if (value !== '') query.set(key, value);
  }
  const label = String(data.get('label') ?? '').trim();
  const recent = await getJson<{ events: ApiEvent[] }>(`/api/v1/events?${query}&limit=100`);
  const events = recent?.events ?? [];
  for (const event of events) show(event, label);
  source = new EventSource(`/api/v1/events/stream?${query}`);
  source.addEventListener('open', () => {
    status.textContent = 'Live.';
    document.body.dataset.live = 'true';
  });
  source.addEventListener('error', () => {
    status.textContent = 'Connection lost; reconnecting…';
    document.body.dataset.live = 'false';
  });
  source.addEventListener('message', (message: MessageEvent<string>) => show(JSON.parse(message.data) as ApiEvent, label));
}

form.addEventListener('change', () => void open());
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void open();
});
void open();
