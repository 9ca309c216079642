// Shared by the console's page modules: DOM building without innerHTML (text is always text),
// JSON reads, a loop that runs only while the tab is visible, and a frame that is swapped only
// once the next one has loaded (a camera without a frame keeps its last picture).

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export async function getJson<T>(url: string): Promise<T | undefined> {
  const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  if (response.status === 401) {
    location.assign('/login');
    return undefined;
  }
  return response.ok ? ((await response.json()) as T) : undefined;
}

/** Runs `tick` every `ms` while the page is visible (not while hidden), never two at once. */
export function whileVisible(tick: () => Promise<void>, ms: number): void {
  let timer: number | undefined;
  let running = false;
  const run = async (): Promise<void> => {
    timer = undefined;
    if (document.hidden || running) return;
    running = true;
    try {
      await tick();
    } catch {
      // A failed refresh is retried at the next tick.
    } finally {
      running = false;
    }
    if (!document.hidden) timer = window.setTimeout(() => void run(), ms);
  };
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && timer === undefined && !running) void run();
  });
  void run();
}

/** Loads the next frame of `img` (its data-src) and shows it once complete. */
export async function refreshFrame(img: HTMLImageElement): Promise<void> {
  const source = img.dataset.src;
  if (source === undefined || source === '') return;
  const response = await fetch(source, { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const previous = img.src;
  await new Promise<void>((resolve) => {
    img.addEventListener('load', () => resolve(), { once: true });
    img.addEventListener('error', () => resolve(), { once: true });
    img.src = url;
  });
  img.dataset.loaded = 'true';
  if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
}

export interface CameraView {
  id: string;
  state: string;
  down_reason: string | null;
  frames: number;
  dropped: number;
  reconnects: number;
  source_size: { width: number; height: number } | null;
  /** Frames received per second over the last 5 whole seconds. */
  fps: number;
}

export interface SceneView {
  camera_id: string;
  zones: Array<{ name: string; points: Array<[number, number]>; objects: Record<string, number> }>;
  lines: Array<{ name: string; from: [number, number]; to: [number, number]; crossings: { in: number; out: number } }>;
  frame: Record<string, number>;
}

export interface ApiEvent {
  id: string;
  type: string;
  camera_id: string;
  label: string;
  track_id: number;
  zone?: string;
  line?: string;
  direction?: string;
  dwell_s?: number;
  at: string;
  box?: { x: number; y: number; width: number; height: number };
}

export function stateNode(view: CameraView | undefined): HTMLElement {
  if (view === undefined) return el('span', { class: 'state', 'data-state': 'push' }, 'push camera');
  return el(
    'span',
    { class: 'state', 'data-state': view.state },
    view.down_reason === null ? view.state : `${view.state}: ${view.down_reason}`,
  );
}

export function countsList(scene: SceneView | undefined): HTMLElement {
  const list = el('ul', { class: 'counts', 'data-field': 'counts' });
  if (scene === undefined) return el('p', { class: 'muted' }, 'Not tracked.');
  for (const zone of scene.zones) {
    const text = Object.entries(zone.objects)
      .map(([label, count]) => `${count} ${label}`)
      .join(', ');
    list.append(el('li', {}, 'zone ', el('b', {}, zone.name), `: ${text || '0'}`));
  }
  for (const line of scene.lines)
    list.append(el('li', {}, 'line ', el('b', {}, line.name), `: ${line.crossings.in} in, ${line.crossings.out} out`));
  if (list.childElementCount === 0) list.append(el('li', {}, 'no zones or lines'));
  return list;
}

/** The events page's label filter: case-insensitive, surrounding spaces ignored; empty passes every label. */
export function labelMatches(filter: string, label: string): boolean {
  const wanted = filter.trim().toLowerCase();
  return wanted === '' || label.toLowerCase() === wanted;
}

/** One event as a line of text. */
export function eventText(event: ApiEvent): string {
  const where = event.zone !== undefined ? `zone ${event.zone}` : `line ${event.line ?? ''} (${event.direction ?? ''})`;
  const dwell = event.dwell_s === undefined ? '' : ` after ${event.dwell_s.toFixed(1)} s`;
  return `${new Date(event.at).toLocaleTimeString()} ${event.camera_id}: ${event.label} #${event.track_id} ${event.type} ${where}${dwell}`;
}

/**
 * Follows the events matching `query`: first those algo holds (oldest first), then the live
 * stream. Whenever the stream (re)opens, what happened since the newest event seen is read
 * from the buffer too: nothing is lost between the first read and the stream, or while
 * disconnected (an EventSource that got no event yet resumes without a Last-Event-ID). On a
 * stream error a small JSON read checks the session (a 401 goes to /login).
 * `show` may be given an event twice; it keeps its own set of ids.
 */
export function followEvents(
  query: URLSearchParams,
  show: (event: ApiEvent) => void,
  onState: (live: boolean) => void = () => undefined,
): () => void {
  let newest = 0;
  let closed = false;
  const take = (event: ApiEvent): void => {
    newest = Math.max(newest, Number(event.id));
    show(event);
  };
  const catchUp = async (): Promise<void> => {
    for (let page = 0; page < 100 && !closed; page++) {
      const held = await getJson<{ events: ApiEvent[] }>(`/api/v1/events?${query}&since_id=${newest}&limit=1000`);
      const events = held?.events ?? [];
      for (const event of events) take(event);
      if (events.length < 1000) return;
    }
  };
  let source: EventSource | undefined;
  void catchUp().then(() => {
    if (closed) return;
    source = new EventSource(`/api/v1/events/stream?${query}`);
    source.addEventListener('open', () => {
      onState(true);
      void catchUp();
    });
    source.addEventListener('error', () => {
      onState(false);
      // EventSource gives up on a 401 (the session ended: algo restarted, idle expiry) without
      // saying why: a small read tells, and sends the browser to the login form then.
      void getJson('/api/v1/scenes').catch(() => undefined);
    });
    source.addEventListener('message', (message: MessageEvent<string>) => take(JSON.parse(message.data) as ApiEvent));
  });
  return () => {
    closed = true;
    source?.close();
  };
}
