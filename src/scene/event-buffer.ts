// The scene events of every camera, newest last, in a bounded in-memory ring
// (ALGO_EVENTS_BUFFER): what GET /api/v1/events pages through and what a reconnecting event
// stream resumes from. Lost on restart. Ids are increasing integers (as strings), starting at
// the process's start time in milliseconds × 1000, so ids of a later run are higher than any
// of an earlier one. Listeners (the live streams) hear each event as it is added.
import type { LineEvent, SceneEvent, ZoneEvent } from './camera-scene.js';

/** An event as the API and Kafka show it: its id, and `at` as an ISO 8601 time. */
export type PublishedEvent =
  (Omit<ZoneEvent, 'id' | 'at'> & { id: string; at: string }) | (Omit<LineEvent, 'id' | 'at'> & { id: string; at: string });

export type EventType = SceneEvent['type'];
export const EVENT_TYPES: readonly EventType[] = ['entered', 'left', 'loitering', 'crossed'];

export interface EventFilter {
  cameraId?: string | undefined;
  type?: EventType | undefined;
}

export type EventListener = (event: PublishedEvent) => void;

export const matches = (event: PublishedEvent, filter: EventFilter): boolean =>
  (filter.cameraId === undefined || event.camera_id === filter.cameraId) && (filter.type === undefined || event.type === filter.type);

export class EventBuffer {
  private readonly ring: (PublishedEvent | undefined)[];
  /** Number of the next event; the ring holds numbers [next - size, next). */
  private next: number;
  private size = 0;
  private readonly listeners = new Set<EventListener>();

  constructor(
    readonly capacity: number,
    startMs = Date.now(),
  ) {
    this.ring = new Array<PublishedEvent | undefined>(capacity);
    this.next = Math.floor(startMs) * 1000 + 1;
  }

  /** Gives the event its id and ISO time (`at` in Unix seconds), stores it, tells the listeners. */
  add(event: SceneEvent): PublishedEvent {
    const { at, id: _id, ...rest } = event;
    const published = { ...rest, id: String(this.next), at: new Date(at * 1000).toISOString() } as PublishedEvent;
    if (this.capacity > 0) {
      this.ring[this.next % this.capacity] = published;
      this.size = Math.min(this.size + 1, this.capacity);
    }
    this.next++;
    for (const listener of this.listeners) listener(published);
    return published;
  }

  /** The id of the newest event added (held or not), 0 before the first. */
  get lastId(): number {
    return this.next - 1;
  }

  /** The id of the oldest event held; undefined when none is. */
  get oldestId(): number | undefined {
    return this.size === 0 ? undefined : this.next - this.size;
  }

  /** Up to `limit` held events after id `after` (all held ones when it is older than the oldest) that match. */
  since(after: number, filter: EventFilter, limit: number): PublishedEvent[] {
    const out: PublishedEvent[] = [];
    for (let n = Math.max(after + 1, this.next - this.size); n < this.next && out.length < limit; n++) {
      const event = this.ring[n % this.capacity]!;
      if (matches(event, filter)) out.push(event);
    }
    return out;
  }

  /** Calls `listener` with every event added from now on; returns the unsubscribe. */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
