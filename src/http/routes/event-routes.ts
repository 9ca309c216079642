// Scene events over HTTP: GET /api/v1/events pages through the in-memory buffer
// (?camera_id=&type=&since_id=&limit=), GET /api/v1/events/stream sends them live as
// Server-Sent Events. A stream resumes after its Last-Event-ID from what the buffer still
// holds, sent as fast as the client reads them; an id it cannot use (not a number, or newer than
// any event) starts from now. Idle streams get a comment line every heartbeat. A live client whose
// unsent bytes pass the bound is cut and counted — nothing is buffered for it without bound.
// Streams end when the server closes, or when a reload revokes the token they were opened with.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { parseCameraId } from '../../camera-id.js';
import type { AccessControl } from '../../auth/access-control.js';
import type { SessionStore } from '../../auth/sessions.js';
import { invalidRequest, noCrop } from '../../errors.js';
import type { SceneMetrics } from '../../metrics/recorders/scene-metrics.js';
import { EVENT_TYPES, matches, type EventBuffer, type EventFilter, type EventType, type PublishedEvent } from '../../scene/event-buffer.js';
import type { EventCrops } from '../../scene/event-crops.js';

export interface EventRouteOptions {
  buffer: EventBuffer;
  /** The events' object crops (GET /api/v1/events/:id/crop.jpg); absent: that route answers 404 no_crop. */
  crops?: Pick<EventCrops, 'get'>;
  metrics: Pick<SceneMetrics, 'streamClients' | 'streamClientCut'>;
  heartbeatMs: number;
  /** A stream client with more unsent bytes than this is cut. */
  maxPendingBytes: number;
  /** Tells which tokens a reload revoked: streams opened with them end. */
  access?: Pick<AccessControl, 'onRevoked'>;
  /** Web console sessions: a stream opened with one ends when it does, and keeps it in use while open. */
  sessions?: Pick<SessionStore, 'touch' | 'onEnded'>;
}

interface EventQuery {
  camera_id?: string;
  type?: string;
  since_id?: string;
  limit?: string;
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const EVENT_ID = /^\d{1,16}$/;
/**
 * Declared for the access-control layer (src/auth/, which types `scope` on Fastify's route
 * config and enforces it): reading events needs the read scope.
 */
const READ = { scope: 'read' } as const;

function filterOf(query: EventQuery): EventFilter {
  const filter: EventFilter = {};
  for (const key of Object.keys(query)) {
    if (typeof query[key as keyof EventQuery] !== 'string') throw invalidRequest(`${key} must be given once`);
  }
  if (query.camera_id !== undefined && query.camera_id !== '') filter.cameraId = parseCameraId(query.camera_id);
  if (query.type !== undefined && query.type !== '') {
    if (!(EVENT_TYPES as readonly string[]).includes(query.type))
      throw invalidRequest(`type ${JSON.stringify(query.type)} is not an event type; expected one of ${EVENT_TYPES.join(', ')}`);
    filter.type = query.type as EventType;
  }
  return filter;
}

function wholeNumber(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw invalidRequest(`${name} must be a whole number from ${min} to ${max}`);
  return number;
}

/** Held events read from the buffer at a time while a stream catches up. */
const CATCH_UP_BATCH = 256;

const frame = (event: PublishedEvent): string => `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * One open stream. A resuming client first catches up on the held events after its id, written
 * with backpressure (never more than the bound plus one event unsent); then it gets events live,
 * and is cut once it falls behind the bound.
 */
class EventStream {
  private readonly heartbeat: NodeJS.Timeout;
  private stopListening: () => void = () => undefined;
  /** While catching up, the id of the last event sent (live events are then left to the catch-up); undefined once live. */
  private cursor: number | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly options: EventRouteOptions,
    private readonly filter: EventFilter,
    /** The token the stream was opened with, if one was needed. */
    readonly tokenName: string | undefined,
    /** The console session it was opened with, if it was one. */
    readonly sessionId: string | undefined,
    private readonly onEnd: (stream: EventStream) => void,
  ) {
    this.heartbeat = setInterval(() => {
      // A session that expired meanwhile ends its stream here; a live one stays in use.
      if (sessionId !== undefined && options.sessions?.touch(sessionId) === false) {
        this.close();
        return;
      }
      if (this.cursor === undefined) this.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    this.heartbeat.unref();
    raw.on('close', () => this.end());
  }

  /** Sends the held events after `after` (none when undefined), then every new one. */
  start(after: number | undefined): void {
    this.cursor = after;
    this.stopListening = this.options.buffer.listen((event) => {
      if (this.cursor === undefined && matches(event, this.filter)) this.write(frame(event));
    });
    this.catchUp();
  }

  /** Ends the stream (server closing, its token revoked, or its session ended). */
  close(): void {
    this.raw.end();
    this.end();
  }

  private write(text: string): void {
    if (this.raw.destroyed || this.raw.writableEnded) return;
    // write() returning false means the socket is behind; Node keeps the bytes, and writableLength says how many.
    this.raw.write(text);
    if (this.raw.writableLength > this.options.maxPendingBytes) {
      this.options.metrics.streamClientCut();
      this.raw.destroy();
      this.end();
    }
  }

  /**
   * Writes held events after the cursor until the unsent bytes would pass the bound, then resumes
   * once the last one written is flushed. Reading from the buffer (not a queue of its own) keeps
   * memory bounded; an event added meanwhile is found by the next read. Live once none is left:
   * the switch is synchronous, so no event falls between the two.
   */
  private catchUp(): void {
    const { buffer, maxPendingBytes } = this.options;
    while (this.cursor !== undefined) {
      if (this.raw.destroyed || this.raw.writableEnded) return;
      const events = buffer.since(this.cursor, this.filter, CATCH_UP_BATCH);
      if (events.length === 0) {
        this.cursor = undefined;
        return;
      }
      for (const event of events) {
        const text = frame(event);
        this.cursor = Number(event.id);
        if (this.raw.writableLength + Buffer.byteLength(text) > maxPendingBytes) {
          // The callback runs once this chunk (and all before it) reached the socket, or with an error after a close.
          this.raw.write(text, () => this.catchUp());
          return;
        }
        this.raw.write(text);
      }
    }
  }

  private end(): void {
    clearInterval(this.heartbeat);
    this.stopListening();
    this.onEnd(this);
  }
}

export async function eventRoutes(app: FastifyInstance, options: EventRouteOptions): Promise<void> {
  const { buffer, metrics } = options;
  const streams = new Set<EventStream>();
  metrics.streamClients(0);
  const stopWatching = options.access?.onRevoked((names) => {
    for (const stream of [...streams]) if (stream.tokenName !== undefined && names.has(stream.tokenName)) stream.close();
  });
  const stopWatchingSessions = options.sessions?.onEnded((id) => {
    for (const stream of [...streams]) if (stream.sessionId === id) stream.close();
  });
  app.addHook('preClose', (done) => {
    stopWatching?.();
    stopWatchingSessions?.();
    for (const stream of [...streams]) stream.close();
    done();
  });

  app.get<{ Querystring: EventQuery }>('/api/v1/events', { config: READ }, async (request) => {
    const filter = filterOf(request.query);
    const since = wholeNumber(request.query.since_id, 'since_id', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = wholeNumber(request.query.limit, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
    const events = buffer.since(since, filter, limit);
    const oldest = buffer.oldestId;
    return {
      events,
      // Pass as since_id for the next page; a short page scanned everything up to the newest event.
      last_id: events.length === limit ? events[limit - 1]!.id : String(Math.max(since, buffer.lastId)),
      oldest_id: oldest === undefined ? null : String(oldest),
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/events/:id/crop.jpg', { config: READ }, async (request, reply) => {
    const { id } = request.params;
    if (!EVENT_ID.test(id)) throw noCrop(id, false);
    const jpeg = await options.crops?.get(id);
    if (jpeg === undefined) throw noCrop(id, true);
    // An event's crop never changes: the browser may keep it.
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600, immutable').send(jpeg);
  });

  app.get<{ Querystring: EventQuery }>('/api/v1/events/stream', { config: READ }, (request, reply: FastifyReply) => {
    const filter = filterOf(request.query);
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' && EVENT_ID.test(header.trim()) ? Number(header.trim()) : undefined;
    // An id newer than any event is not one of ours: start from now, as without one.
    const after = lastEventId === undefined || lastEventId > buffer.lastId ? undefined : lastEventId;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 2000\n: last event ${buffer.lastId}\n\n`);
    const stream = new EventStream(raw, options, filter, request.tokenName, request.sessionId, (ended) => {
      if (streams.delete(ended)) metrics.streamClients(streams.size);
    });
    streams.add(stream);
    metrics.streamClients(streams.size);
    stream.start(after);
  });
}
