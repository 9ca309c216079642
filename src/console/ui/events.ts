// /events: the live feed over Server-Sent Events (/api/v1/events/stream). The camera and type
// filters go to the server; the label filter is applied here (case-insensitive). After a dropped connection the
// feed resumes where it was (common.ts, followEvents); ids already shown are skipped, so
// nothing appears twice.
import { el, eventText, followEvents, labelMatches, type ApiEvent } from './common.js';

const MAX_SHOWN = 200;
const feed = document.getElementById('feed') as HTMLOListElement;
const status = document.getElementById('status') as HTMLElement;
const form = document.getElementById('filters') as HTMLFormElement;
let stop: () => void = () => undefined;

function open(): void {
  stop();
  feed.replaceChildren();
  const shown = new Set<string>();
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const key of ['camera_id', 'type']) {
    const value = String(data.get(key) ?? '');
    if (value !== '') query.set(key, value);
  }
  const label = String(data.get('label') ?? '');
  const show = (event: ApiEvent): void => {
    if (shown.has(event.id) || !labelMatches(label, event.label)) return;
    shown.add(event.id);
    feed.prepend(el('li', { 'data-id': event.id, 'data-type': event.type }, eventText(event)));
    while (feed.childElementCount > MAX_SHOWN) feed.lastElementChild?.remove();
  };
  stop = followEvents(query, show, (live) => {
    status.textContent = live ? 'Live.' : 'Connection lost; reconnecting…';
    document.body.dataset.live = String(live);
  });
}

form.addEventListener('change', open);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  open();
});
open();
