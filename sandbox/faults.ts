/**
 * Switchable faults for /api routes, drawn from a seeded PRNG so a run with the same seed and the same
 * request order sees the same faults.
 */
import { ErrorCodes } from '../src/jobo/schemas';
import { HttpError } from './http';
import { Rng } from './rng';

export interface Faults {
  /** Probability of answering 503 with Retry-After. */
  unavailableRate: number;
  /** Retry-After seconds on 503 (the feed documents 5). */
  retryAfterSeconds: number;
  /** Probability of answering 429 regardless of the token bucket. */
  rateLimitRate: number;
  /** Token bucket over all API requests (burst = one second's worth); null = off. */
  rateLimitPerSecond: number | null;
  /** Probability of destroying the socket before any response. */
  resetRate: number;
  /** Added delay before every API response. */
  latencyMs: number;
  /** Upcoming cursor-bearing requests to reject with 400 invalid_cursor (counts down). */
  invalidCursorNext: number;
  /** Upcoming feed continuations to answer 409 cursor_restart_required (published; counts down). */
  cursorRestartNext: number;
  /**
   * Upcoming successful session creates (new or replayed) that are carried out and then answered by
   * destroying the socket: the upstream acted, the client never hears of it (counts down).
   */
  resetAfterCreateNext: number;
  /**
   * Upcoming final submissions (answers that submit the application) that are carried out and then
   * answered by destroying the socket: the application went in, the client never hears of it (counts down).
   */
  resetAfterSubmitNext: number;
  /**
   * `ignore` (the default): Idempotency-Key headers on session create and answers are accepted and ignored,
   * as the Jobo documents never promise more; `honour` replays the first response for a repeated key.
   */
  idempotencyKeys: 'ignore' | 'honour';
  /** Probability that a final submission hits a captcha. */
  captchaRate: number;
  /** false: captcha reports status error (as 001 says today); true: captcha_required. */
  reportReservedStatuses: boolean;
}

export const DEFAULT_FAULTS: Faults = {
  unavailableRate: 0,
  retryAfterSeconds: 5,
  rateLimitRate: 0,
  rateLimitPerSecond: null,
  resetRate: 0,
  latencyMs: 0,
  invalidCursorNext: 0,
  cursorRestartNext: 0,
  resetAfterCreateNext: 0,
  resetAfterSubmitNext: 0,
  idempotencyKeys: 'ignore',
  captchaRate: 0,
  reportReservedStatuses: false,
};

const rate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
const nonNegInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const CHECKS: { [K in keyof Faults]: [(v: unknown) => boolean, string] } = {
  unavailableRate: [rate, 'a probability from 0 to 1'],
  retryAfterSeconds: [nonNegInt, 'a non-negative integer'],
  rateLimitRate: [rate, 'a probability from 0 to 1'],
  rateLimitPerSecond: [(v) => v === null || (typeof v === 'number' && v > 0), 'null or a positive number'],
  resetRate: [rate, 'a probability from 0 to 1'],
  latencyMs: [nonNegInt, 'a non-negative integer'],
  invalidCursorNext: [nonNegInt, 'a non-negative integer'],
  cursorRestartNext: [nonNegInt, 'a non-negative integer'],
  resetAfterCreateNext: [nonNegInt, 'a non-negative integer'],
  resetAfterSubmitNext: [nonNegInt, 'a non-negative integer'],
  idempotencyKeys: [(v) => v === 'ignore' || v === 'honour', '"ignore" or "honour"'],
  captchaRate: [rate, 'a probability from 0 to 1'],
  reportReservedStatuses: [(v) => typeof v === 'boolean', 'a boolean'],
};

/** Validates a partial Faults object, returning per-field problems (empty when fine). */
export function faultProblems(patch: unknown): { field: string; message: string }[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return [{ field: 'body', message: 'expected an object' }];
  return Object.entries(patch).flatMap(([k, v]) => {
    const check = CHECKS[k as keyof Faults];
    if (!check) return [{ field: k, message: 'unknown fault' }];
    return check[0](v) ? [] : [{ field: k, message: `expected ${check[1]}` }];
  });
}

export type FaultDecision = { kind: 'none' } | { kind: 'reset' } | { kind: 'error'; error: HttpError };

export class FaultInjector {
  private faults: Faults;
  private readonly rng: Rng;
  private tokens = 0;
  private refilledAt = Date.now();

  constructor(seed: number, initial: Partial<Faults> = {}) {
    this.rng = Rng.of(seed, 0xfa17);
    this.faults = { ...DEFAULT_FAULTS };
    this.update(initial);
  }

  get current(): Faults {
    return { ...this.faults };
  }

  update(patch: Partial<Faults>): Faults {
    const bucketChanged = patch.rateLimitPerSecond !== undefined && patch.rateLimitPerSecond !== this.faults.rateLimitPerSecond;
    this.faults = { ...this.faults, ...patch };
    if (bucketChanged) {
      this.tokens = this.faults.rateLimitPerSecond ?? 0;
      this.refilledAt = Date.now();
    }
    return this.current;
  }

  /** What to do with an API request before it is handled (resets first: they leave no answer at all). */
  decide(): FaultDecision {
    const f = this.faults;
    if (f.resetRate > 0 && this.rng.next() < f.resetRate) return { kind: 'reset' };
    const limited = this.takeToken();
    if (limited) return { kind: 'error', error: limited };
    if (f.rateLimitRate > 0 && this.rng.next() < f.rateLimitRate) return { kind: 'error', error: rateLimited(1, f.rateLimitPerSecond, 0) };
    if (f.unavailableRate > 0 && this.rng.next() < f.unavailableRate) {
      return {
        kind: 'error',
        error: new HttpError(503, ErrorCodes.unavailable, 'Service temporarily unavailable', undefined, {
          'retry-after': String(f.retryAfterSeconds),
        }),
      };
    }
    return { kind: 'none' };
  }

  /** Spends one pending invalid-cursor fault, if any. */
  takeInvalidCursor(): boolean {
    if (this.faults.invalidCursorNext <= 0) return false;
    this.faults.invalidCursorNext--;
    return true;
  }

  /** Spends one pending cursor-restart (409) fault, if any. */
  takeCursorRestart(): boolean {
    if (this.faults.cursorRestartNext <= 0) return false;
    this.faults.cursorRestartNext--;
    return true;
  }

  /** Spends one pending reset-after-submit fault, if any. */
  takeResetAfterSubmit(): boolean {
    if (this.faults.resetAfterSubmitNext <= 0) return false;
    this.faults.resetAfterSubmitNext--;
    return true;
  }

  /** The request's Idempotency-Key as the upstream sees it: dropped unless keys are honoured. */
  idempotencyKey(header: string | string[] | undefined): string | undefined {
    if (this.faults.idempotencyKeys !== 'honour') return undefined;
    return Array.isArray(header) ? header[0] : header;
  }

  /** Spends one pending reset-after-create fault, if any. */
  takeResetAfterCreate(): boolean {
    if (this.faults.resetAfterCreateNext <= 0) return false;
    this.faults.resetAfterCreateNext--;
    return true;
  }

  captcha(): boolean {
    return this.faults.captchaRate > 0 && this.rng.next() < this.faults.captchaRate;
  }

  /** The 429 to send when the bucket is empty, or null after taking a token. */
  private takeToken(): HttpError | null {
    const perSecond = this.faults.rateLimitPerSecond;
    if (perSecond === null) return null;
    const now = Date.now();
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.refilledAt) / 1000) * perSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return null;
    }
    const waitSeconds = Math.max(1, Math.ceil((1 - this.tokens) / perSecond));
    return rateLimited(waitSeconds, perSecond, Math.floor(this.tokens));
  }
}

function rateLimited(retryAfter: number, limit: number | null, remaining: number): HttpError {
  const headers: Record<string, string> = {
    'retry-after': String(retryAfter),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
  };
  if (limit !== null) headers['x-ratelimit-limit'] = String(limit);
  return new HttpError(429, ErrorCodes.rateLimited, 'Too many requests', undefined, headers);
}
