/**
 * The limit in front of every upstream call. Workers and the API server use the store's shared schedule
 * (SharedRateLimiter below): one limit per upstream key across every process on the same store. Processes
 * without a store (CLI tools) use one token bucket per process, so any number of campaigns and
 * applications on a worker together stay under the upstream's rate limit instead of meeting it as a storm
 * of 429s. Reservations are handed out in call order (FIFO): a caller learns its slot at once and sleeps
 * until then, so the bucket never oversleeps and never starves anyone.
 *
 * When the upstream answers 429 or 503 with Retry-After anyway (another client on the same key, a limit
 * lower than configured), the whole bucket pauses for that long: every caller on the worker waits, those
 * already holding a slot included, instead of each retrying into the limit. After the pause the schedule
 * resumes where it was, one request at a time at the configured rate.
 */

import { ApplicationFailure } from '@temporalio/common';
import { shortHash } from '../shared/input';
import type { UpstreamSchedule } from '../store/upstreamLimit';
import { JoboFailure } from './failureTypes';

export interface RateLimiter {
  /** Resolves when the caller may send one request; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The upstream asked everyone to wait this long (Retry-After on a 429 or 503). */
  pauseFor?(ms: number): void | Promise<void>;
}

/** A Retry-After longer than this is not believed (a bad header must not stall a worker for hours). */
export const MAX_PAUSE_MS = 5 * 60_000;

export class TokenBucket implements RateLimiter {
  private tokens: number;
  /** Refill origin: tokens accrue from here. Later than now while paused. */
  private last: number;
  /** Total pause added so far: a sleeping caller that sees it grow sleeps the difference too. */
  private shifted = 0;

  /**
   * @param ratePerSecond sustained requests per second
   * @param burst requests allowed back to back after idling. Default: half a second's worth, so an upstream
   *   bucket of one second's worth keeps half its tokens as headroom for network jitter at the full rate.
   * @param now the clock (tests)
   */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = Math.max(1, Math.ceil(ratePerSecond / 2)),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token (possibly going into debt) and returns how long to wait before using it, in ms. */
  reserve(): number {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
    }
    this.tokens -= 1;
    return this.last - t + (this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000);
  }

  /** When the current pause ends (a past time when not paused), on the bucket's clock. */
  get pausedUntil(): number {
    return this.last;
  }

  /**
   * Nobody sends for `ms` from now: the refill origin moves to the end of the pause, with at most one token
   * banked (no burst into a limit that just refused us), and every slot already handed out moves by as much.
   */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    const t = this.now();
    const until = t + Math.min(ms, MAX_PAUSE_MS);
    if (until <= this.last) return; // already paused at least that long
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
    }
    this.shifted += until - this.last;
    this.last = until;
    this.tokens = Math.min(this.tokens, 1);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    let wait = this.reserve();
    let seen = this.shifted;
    while (wait > 0) {
      await this.sleep(wait, signal);
      // A pause that came while we slept moves our slot by as much.
      wait = this.shifted - seen;
      seen = this.shifted;
    }
  }

  private sleep(wait: number, signal?: AbortSignal): Promise<void> {
    return sleep(wait, signal, () => (this.tokens += 1)); // give the slot back: it was never used
  }
}

/** Sleeps `ms`; an abort rejects with the signal's reason (AbortSignal's contract, as in fetch). */
function sleep(ms: number, signal?: AbortSignal, onAbort?: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      onAbort?.();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
  });
}

const perProcess = new Map<string, TokenBucket>();

/**
 * The process's bucket for an upstream (by base URL and rate): every JoboClient built from config in this
 * process shares it, whichever activity set or worker created the client.
 */
export function processRateLimiter(key: string, ratePerSecond: number): TokenBucket {
  const id = `${key}|${ratePerSecond}`;
  let bucket = perProcess.get(id);
  if (!bucket) perProcess.set(id, (bucket = new TokenBucket(ratePerSecond)));
  return bucket;
}

/** The schedule's key: one limit per upstream and API key (never the key itself). */
export const upstreamKey = (baseUrl: string, apiKey: string) => `${baseUrl.replace(/\/+$/, '')}|${shortHash(apiKey)}`;

/**
 * The upstream limit shared by every process on one store (see src/store/upstreamLimit.ts): set it to the
 * key's whole limit, whatever the number of workers. A slot is one statement on the store; a Retry-After
 * is written there, so every worker waits it out, not just the one that was refused. When the store cannot
 * be reached the call fails as UpstreamLimitUnavailable (retryable) rather than go out unmetered.
 */
export class SharedRateLimiter implements RateLimiter {
  private opened: Promise<UpstreamSchedule> | undefined;

  constructor(
    private readonly schedule: () => Promise<UpstreamSchedule>,
    readonly key: string,
    readonly ratePerSecond: number,
    /** As TokenBucket's: half a second's worth, headroom for jitter against an upstream bucket of a second's worth. */
    readonly burst: number = Math.max(1, Math.ceil(ratePerSecond / 2)),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const interval = 1000 / this.ratePerSecond;
    for (;;) {
      const wait = await this.store((s) => s.reserve(this.key, interval, this.burst));
      if (wait <= 0) return; // a slot now is never inside a pause
      await sleep(wait, signal);
      // Another worker may have met a Retry-After while we slept: that pause holds this slot too.
      const paused = await this.store((s) => s.pausedFor(this.key));
      if (paused <= 0) return;
      await sleep(paused, signal);
    }
  }

  async pauseFor(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.store((s) => s.pause(this.key, Math.min(ms, MAX_PAUSE_MS)));
  }

  private async store<T>(fn: (s: UpstreamSchedule) => Promise<T>): Promise<T> {
    try {
      this.opened ??= this.schedule().catch((err: unknown) => {
        this.opened = undefined; // the next call tries again
        throw err;
      });
      return await fn(await this.opened);
    } catch (err) {
      throw ApplicationFailure.create({
        type: JoboFailure.LimitUnavailable,
        message: `the shared upstream rate limit could not be read: ${err instanceof Error ? err.message : String(err)}`,
        cause: err instanceof Error ? err : undefined,
      });
    }
  }
}
