/**
 * The anchor's limit headers. A user key's responses carry the user's application limits and what is left
 * of them (X-RateLimit-User-Total-*, X-RateLimit-User-Monthly-*, read from the reservations when the
 * request arrives); every authenticated response carries the key's concurrent-request limit
 * (X-RateLimit-Concurrent-*). Past the concurrent limit a request is a 429 `concurrent_limit_exceeded`.
 * Operators (APPLYFLOW_API_KEYS) have no application limits, so their responses have no user headers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Users } from '../store/users';
import type { ApiUser } from './auth';
import { ApiError } from './errors';

export const DEFAULT_CONCURRENT_LIMIT = 10;

declare module 'fastify' {
  interface FastifyRequest {
    limitHeaders: Record<string, string> | null;
    concurrencySlot: string | null;
  }
}

const slotOf = (u: ApiUser) => (u.keyId ? `key:${u.keyId}` : `operator:${u.userId}`);

export class ConcurrentRequests {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly limit: number = DEFAULT_CONCURRENT_LIMIT) {}

  /** Takes a slot for the caller's key, or throws the 429. */
  enter(req: FastifyRequest, user: ApiUser): void {
    const slot = slotOf(user);
    const n = this.inFlight.get(slot) ?? 0;
    if (n >= this.limit) {
      throw new ApiError(429, 'concurrent_limit_exceeded', `at most ${this.limit} requests at once per API key; retry in 1 s`, undefined, {
        'retry-after': '1',
        'x-ratelimit-concurrent-limit': String(this.limit),
        'x-ratelimit-concurrent-remaining': '0',
      });
    }
    this.inFlight.set(slot, n + 1);
    req.concurrencySlot = slot;
  }

  remaining(req: FastifyRequest): number {
    return req.concurrencySlot ? Math.max(0, this.limit - (this.inFlight.get(req.concurrencySlot) ?? 0)) : this.limit;
  }

  leave(req: FastifyRequest): void {
    const slot = req.concurrencySlot;
    if (!slot) return;
    req.concurrencySlot = null;
    const n = (this.inFlight.get(slot) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(slot);
    else this.inFlight.set(slot, n);
  }
}

/** The user's limit headers as of now (user keys only). */
export async function userLimitHeaders(users: Users, user: ApiUser): Promise<Record<string, string> | null> {
  if (user.role !== 'user') return null;
  const u = await users.byId(user.userId);
  if (!u) return null;
  const used = await users.usage(u.id);
  return {
    'x-ratelimit-user-total-limit': String(u.maxTotalJobApplications),
    'x-ratelimit-user-total-remaining': String(Math.max(0, u.maxTotalJobApplications - used.total)),
    'x-ratelimit-user-monthly-limit': String(u.maxJobApplicationsPerMonth),
    'x-ratelimit-user-monthly-remaining': String(Math.max(0, u.maxJobApplicationsPerMonth - used.monthly)),
  };
}

export function setLimitHeaders(req: FastifyRequest, reply: FastifyReply, concurrent: ConcurrentRequests): void {
  if (!req.apiUser) return;
  if (req.limitHeaders) reply.headers(req.limitHeaders);
  if (!reply.hasHeader('x-ratelimit-concurrent-limit')) {
    reply.header('x-ratelimit-concurrent-limit', String(concurrent.limit));
    reply.header('x-ratelimit-concurrent-remaining', String(concurrent.remaining(req)));
  }
}
