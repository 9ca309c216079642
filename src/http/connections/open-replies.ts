// The replies not yet ended on each connection, so every request that started ends exactly once
// whichever way it ends: answered (Fastify's completion), or its connection closed first (its
// client went away, also while its response was still queued behind pipelined ones, which get
// no 'close' event of their own). One 'close' listener per connection and a Set per connection,
// instead of listeners and closures per request: this runs for every request, /healthz included.
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';

export class OpenReplies {
  private readonly byConnection = new WeakMap<Socket, Set<FastifyReply>>();

  /**
   * Watches `reply` until `end(reply)` takes it back; when its connection closes first,
   * `closed(reply)` is called for it (once). False when the connection is already gone: the
   * caller ends the reply itself.
   */
  add(reply: FastifyReply, closed: (reply: FastifyReply) => void): boolean {
    const socket = reply.request.raw.socket;
    if (socket.destroyed) return false;
    let replies = this.byConnection.get(socket);
    if (replies === undefined) {
      const open = new Set<FastifyReply>();
      replies = open;
      this.byConnection.set(socket, open);
      socket.once('close', () => {
        for (const left of [...open]) if (open.delete(left)) closed(left);
      });
    }
    replies.add(reply);
    return true;
  }

  /** Takes `reply` back; false when it was not open (already ended, or never added). */
  end(reply: FastifyReply): boolean {
    return this.byConnection.get(reply.request.raw.socket)?.delete(reply) ?? false;
  }
}
