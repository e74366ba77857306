/**
 * Bearer API keys. Keys are compared as SHA-256 digests with crypto.timingSafeEqual, over every
 * configured key without an early exit, so neither the length nor the prefix of a key leaks through timing.
 * A user may hold several keys (rotation: add the new one, move clients, remove the old one); a removed
 * (revoked) key is as unknown as one never issued.
 * 401: no credentials, not `Bearer <token68>`, or a key that is not ours (unknown or revoked);
 * 403 is kept for a known user without the right to something.
 * Failed authentications are limited per client address, so keys cannot be guessed at request speed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config';
import type { Users } from '../store/users';
import { ApiError } from './errors';

export interface ApiUser {
  userId: string;
  /** operator: a key from APPLYFLOW_API_KEYS (manages its users); user: a key of a user made through the API. */
  role: 'operator' | 'user';
  /** The user key's id (user keys only): concurrent-request limits are per key. */
  keyId?: string;
}

// RFC 7235 token68; the same alphabet config accepts for keys.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class ApiKeys {
  private readonly digests: { userId: string; digest: Buffer }[];

  constructor(keys: ApiKey[]) {
    this.digests = keys.map((k) => ({ userId: k.userId, digest: digest(k.key) }));
  }

  /** The bearer token of a well-formed header, or throws the 401 ApiError. */
  static token(header: string | undefined): string {
    if (!header) throw unauthorized('missing Authorization header (expected: Bearer <api key>)');
    const m = BEARER.exec(header);
    if (!m) throw unauthorized('malformed Authorization header (expected: Bearer <api key>)');
    return m[1];
  }

  /** The operator a configured key belongs to, or null. */
  operatorOf(token: string): ApiUser | null {
    const presented = digest(token);
    let match: string | null = null;
    for (const k of this.digests) if (timingSafeEqual(k.digest, presented) && match === null) match = k.userId;
    return match === null ? null : { userId: match, role: 'operator' };
  }

  /**
   * The key's user, or throws the 401 ApiError: a configured key is an operator; otherwise `users` (the
   * users store's keys) is asked. An inactive user's key is a 403.
   */
  async authenticate(header: string | undefined, users?: () => Promise<Users>): Promise<ApiUser> {
    const token = ApiKeys.token(header);
    const operator = this.operatorOf(token);
    if (operator) return operator;
    const found = users ? await (await users()).authenticate(token) : null;
    if (!found) throw unauthorized('unknown or revoked API key');
    if (found.user.status !== 'active') throw new ApiError(403, 'user_inactive', `user ${found.user.id} is inactive`);
    return { userId: found.user.id, role: 'user', keyId: found.key.id };
  }
}

export interface AuthFailureLimit {
  /** Failed authentications allowed per client address and window. */
  max: number;
  windowSeconds: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { max: 20, windowSeconds: 60 };

/**
 * Fixed windows per client address. Once an address has used up its failures, every authentication from
 * it is a 429 until the window ends, valid keys included: otherwise a guesser would still learn which
 * guess was right.
 */
export class AuthFailures {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: AuthFailureLimit = DEFAULT_AUTH_FAILURE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the 429 while the address is blocked. */
  check(address: string): void {
    const w = this.windows.get(address);
    if (!w) return;
    const now = this.now();
    if (w.resetAt <= now) {
      this.windows.delete(address);
      return;
    }
    if (w.count >= this.limit.max) {
      const retryAfter = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
      throw new ApiError(429, 'rate_limited', `too many failed authentications from this address; retry in ${retryAfter} s`, undefined, {
        'retry-after': String(retryAfter),
      });
    }
  }

  failed(address: string): void {
    const now = this.now();
    let w = this.windows.get(address);
    if (!w || w.resetAt <= now) {
      // Bounded memory under a spray from many addresses: start over rather than grow without limit.
      if (this.windows.size >= 100_000) this.windows.clear();
      w = { count: 0, resetAt: now + this.limit.windowSeconds * 1000 };
      this.windows.set(address, w);
    }
    w.count++;
  }
}

export function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="applyflow"' });
}
