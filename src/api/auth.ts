/**
 * Bearer API keys. Keys are compared as SHA-256 digests with crypto.timingSafeEqual, over every
 * configured key without an early exit, so neither the length nor the prefix of a key leaks through timing.
 * 401: no credentials or not `Bearer <token68>`; 403: a well-formed key that is not ours.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config';
import { ApiError } from './errors';

export interface ApiUser {
  userId: string;
}

// RFC 7235 token68; the same alphabet config accepts for keys.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class ApiKeys {
  private readonly digests: { userId: string; digest: Buffer }[];

  constructor(keys: ApiKey[]) {
    this.digests = keys.map((k) => ({ userId: k.userId, digest: digest(k.key) }));
  }

  /** The key's user, or throws the 401/403 ApiError. */
  authenticate(header: string | undefined): ApiUser {
    if (!header) throw unauthorized('missing Authorization header (expected: Bearer <api key>)');
    const m = BEARER.exec(header);
    if (!m) throw unauthorized('malformed Authorization header (expected: Bearer <api key>)');
    const presented = digest(m[1]);
    let match: string | null = null;
    for (const k of this.digests) if (timingSafeEqual(k.digest, presented) && match === null) match = k.userId;
    if (match === null) throw new ApiError(403, 'forbidden', 'unknown API key');
    return { userId: match };
  }
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="applyflow"' });
}
