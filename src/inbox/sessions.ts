/**
 * The inbox page's sign-in sessions, in this API process's memory. Why memory and not the app database:
 * a session holds the user's API key (re-checked on every request, so a revoked key or an inactive user
 * ends it at once), and a key must never be written to disk in the clear; a restart signs everyone out,
 * which is the safe failure. Several API processes behind one address need sticky sessions (docs).
 *
 * The cookie carries an opaque random id (32 bytes); the map is keyed by its SHA-256, so even a dump of
 * this process's memory does not hand out usable cookies. Each session has its own CSRF token, which every
 * form carries; a session starts anonymous (the sign-in form has a token too) and gets a new id on sign-in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface InboxSession {
  csrf: string;
  /** Set once signed in: the API key as typed, and whose it was at sign-in. */
  apiKey: string | null;
  userId: string | null;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits {
  /** Idle time after which a session is gone (default 2 hours). */
  idleMs: number;
  /** Age after which a session is gone however active (default 12 hours). */
  maxAgeMs: number;
  /** Sessions kept at most; the least recently used go first (default 10,000). */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 2 * 3600_000, maxAgeMs: 12 * 3600_000, max: 10_000 };

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');
const token = () => randomBytes(32).toString('base64url');

export class InboxSessions {
  // Insertion order = least recently used first (a touch re-inserts).
  private readonly sessions = new Map<string, InboxSession>();

  constructor(
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new anonymous session: its cookie id (given to the browser only) and the session. */
  start(): { id: string; session: InboxSession } {
    const id = token();
    const t = this.now();
    const session: InboxSession = { csrf: token(), apiKey: null, userId: null, createdAt: t, lastSeenAt: t };
    this.sessions.set(digest(id), session);
    while (this.sessions.size > this.limits.max) this.sessions.delete(this.sessions.keys().next().value!);
    return { id, session };
  }

  get(id: string | undefined): InboxSession | null {
    if (!id) return null;
    const key = digest(id);
    const s = this.sessions.get(key);
    if (!s) return null;
    const t = this.now();
    if (t - s.lastSeenAt > this.limits.idleMs || t - s.createdAt > this.limits.maxAgeMs) {
      this.sessions.delete(key);
      return null;
    }
    s.lastSeenAt = t;
    this.sessions.delete(key);
    this.sessions.set(key, s);
    return s;
  }

  /** Signed in: the old id is dropped and a new one issued (no fixation), with a new CSRF token. */
  signIn(oldId: string | undefined, apiKey: string, userId: string): { id: string; session: InboxSession } {
    if (oldId) this.end(oldId);
    const started = this.start();
    started.session.apiKey = apiKey;
    started.session.userId = userId;
    return started;
  }

  end(id: string): void {
    this.sessions.delete(digest(id));
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Constant-time comparison of a form's token with the session's. */
export function csrfMatches(session: InboxSession | null, presented: string | undefined): boolean {
  if (!session || typeof presented !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
