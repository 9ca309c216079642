// Whether the client of a request is still there. A response that closes before it finished
// means the client went away (reset, timeout on its side, cancelled upload). Note that
// request.raw's own 'close' cannot tell this: it also fires once a body has been read.
import type { FastifyReply } from 'fastify';

/** True once the connection closed before the response was completely written. */
export function clientGone(reply: FastifyReply): boolean {
  const response = reply.raw;
  return !response.writableFinished && (response.destroyed || response.socket === null || response.socket.destroyed);
}

/** Aborts when the client goes away before its answer; for work that should then stop (queued frames). */
export function clientSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  if (clientGone(reply)) {
    controller.abort();
    return controller.signal;
  }
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
