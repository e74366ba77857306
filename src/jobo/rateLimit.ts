/**
 * One token bucket per worker process in front of every upstream call, so any number of campaigns and
 * applications on a worker together stay under the upstream's rate limit instead of meeting it as a storm
 * of 429s. Reservations are handed out in call order (FIFO): a caller learns its slot at once and sleeps
 * until then, so the bucket never oversleeps and never starves anyone.
 *
 * When the upstream answers 429 or 503 with Retry-After anyway (another client on the same key, a limit
 * lower than configured), the whole bucket pauses for that long: every caller on the worker waits, those
 * already holding a slot included, instead of each retrying into the limit. After the pause the schedule
 * resumes where it was, one request at a time at the configured rate.
 */

export interface RateLimiter {
  /** Resolves when the caller may send one request; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The upstream asked everyone to wait this long (Retry-After on a 429 or 503). */
  pauseFor?(ms: number): void;
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
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.tokens += 1; // give the slot back: it was never used
        // AbortSignal's contract (as in fetch and timers/promises): reject with the signal's reason, whatever it is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
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
