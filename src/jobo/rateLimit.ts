/**
 * One token bucket per worker process in front of every upstream call, so any number of campaigns and
 * applications on a worker together stay under the upstream's rate limit instead of meeting it as a storm
 * of 429s. Reservations are handed out in call order (FIFO): a caller learns its slot at once and sleeps
 * until then, so the bucket never oversleeps and never starves anyone.
 */

export interface RateLimiter {
  /** Resolves when the caller may send one request; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;

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
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.tokens += 1; // give the slot back: it was never used
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
