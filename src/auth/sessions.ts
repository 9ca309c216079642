// Web console sessions: a login with an API token opens one (a random id in an HttpOnly cookie),
// kept here with the token's name and scopes, never the token. A session ends after an idle
// time, at an absolute age, on logout, or when a reload revokes its token; the table is bounded
// (the oldest session goes first). Only GET/HEAD `read` routes accept a session (route-access.ts).
import { randomBytes } from 'node:crypto';
import type { Scope } from './scopes.js';

export interface SessionSettings {
  /** A session unused this long ends. */
  idleSeconds: number;
  /** A session ends this long after login, used or not. */
  maxAgeSeconds: number;
  /** Sessions kept at once; a login past it ends the oldest. */
  maxSessions: number;
}

export interface Session {
  /** The cookie's value. */
  readonly id: string;
  readonly tokenName: string;
  readonly scopes: ReadonlySet<Scope>;
  readonly createdMs: number;
  lastUsedMs: number;
}

/** The cookie's name; its value is the session id (43 base64url characters). */
export const SESSION_COOKIE = 'algo_session';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The session id in a Cookie header, or undefined (absent, malformed, or not one of ours). */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined || cookieHeader.length > 8192) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (SESSION_ID.test(value)) return value;
  }
  return undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly endedListeners = new Set<(id: string) => void>();

  constructor(
    readonly settings: SessionSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session for a token that was just checked; returns its id. */
  open(tokenName: string, scopes: ReadonlySet<Scope>): string {
    this.sweep();
    while (this.sessions.size >= this.settings.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.end(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const nowMs = this.now();
    this.sessions.set(id, { id, tokenName, scopes, createdMs: nowMs, lastUsedMs: nowMs });
    return id;
  }

  /** The live session a Cookie header names (its idle time restarts), or undefined. */
  find(cookieHeader: string | undefined): Session | undefined {
    const id = sessionIdOf(cookieHeader);
    return id !== undefined && this.touch(id) ? this.sessions.get(id) : undefined;
  }

  /**
   * Whether session `id` is still live, used now (an open event stream keeps its console in use);
   * false once it ended by logout, expiry, eviction or revocation.
   */
  touch(id: string): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    const nowMs = this.now();
    if (this.expired(session, nowMs)) {
      this.end(id);
      return false;
    }
    session.lastUsedMs = nowMs;
    return true;
  }

  /** Calls `listener` with each session id that ends by logout or revocation (and on expiry, once seen by find(), touch() or a sweep); returns the unsubscribe. */
  onEnded(listener: (id: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Logout: ends the session the Cookie header names, if any. */
  close(cookieHeader: string | undefined): void {
    const id = sessionIdOf(cookieHeader);
    if (id !== undefined) this.end(id);
  }

  /** Ends every session opened with one of these tokens (a reload removed or replaced them). */
  revoke(tokenNames: ReadonlySet<string>): void {
    for (const [id, session] of this.sessions) if (tokenNames.has(session.tokenName)) this.end(id);
  }

  private end(id: string): void {
    if (!this.sessions.delete(id)) return;
    for (const listener of this.endedListeners) listener(id);
  }

  private expired(session: Session, nowMs: number): boolean {
    return (
      nowMs - session.lastUsedMs >= this.settings.idleSeconds * 1000 || nowMs - session.createdMs >= this.settings.maxAgeSeconds * 1000
    );
  }

  private sweep(): void {
    const nowMs = this.now();
    for (const [id, session] of this.sessions) if (this.expired(session, nowMs)) this.end(id);
  }
}
