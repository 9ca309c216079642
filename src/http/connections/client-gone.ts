// Whether the client of a request is still there. The connection (the request's socket) closing
// before the response was completely written means the client went away (reset, timeout on its
// side, cancelled upload). The response's own socket cannot tell this: a pipelined request's
// response has none until the answers before it are written. request.raw's 'close' cannot tell
// it either: it also fires once a body has been read.
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';

/** True once the connection closed before the response was completely written. */
export function clientGone(reply: FastifyReply): boolean {
  const response = reply.raw;
  return !response.writableFinished && (response.destroyed || reply.request.raw.socket.destroyed);
}

/** What to do when a connection closes, per socket: one listener however many requests are queued on it. */
const onSocketClose = new WeakMap<Socket, Set<() => void>>();

function watchSocket(socket: Socket, callback: () => void): () => unknown {
  let callbacks = onSocketClose.get(socket);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    callbacks = set;
    onSocketClose.set(socket, set);
    socket.once('close', () => {
      for (const call of set) call();
      set.clear();
    });
  }
  callbacks.add(callback);
  const set = callbacks;
  return () => set.delete(callback);
}

/**
 * Calls `ended(finished)` exactly once, when the response is complete (`true`) or when the
 * connection closed before it was (`false`), whichever comes first. A queued pipelined response
 * whose connection closes gets no 'close' event of its own: the socket's is watched too.
 */
export function onResponseEnd(reply: FastifyReply, ended: (finished: boolean) => void): void {
  const response = reply.raw;
  const socket = reply.request.raw.socket;
  let done = false;
  let unwatch = (): unknown => undefined;
  const end = (): void => {
    if (done) return;
    done = true;
    response.removeListener('close', end);
    unwatch();
    ended(response.writableFinished);
  };
  response.once('close', end);
  if (socket.destroyed) queueMicrotask(end);
  else unwatch = watchSocket(socket, end);
}

/** Aborts when the client goes away before its answer; for work that should then stop (queued frames). */
export function clientSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  if (clientGone(reply)) {
    controller.abort();
    return controller.signal;
  }
  onResponseEnd(reply, (finished) => {
    if (!finished) controller.abort();
  });
  return controller.signal;
}
