// The worker's shared upstream token bucket: unit behaviour on a fake clock, then against the sandbox's own limit.
import { ApplicationFailure } from '@temporalio/common';
import { JoboClient } from '../src/jobo/client';
import { MAX_PAUSE_MS, processRateLimiter, TokenBucket } from '../src/jobo/rateLimit';
import { testConfig } from './support/config';
import { startSandbox } from './support/sandbox';

test('a burst is served at once, then one token per 1/rate seconds, in call order', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 3, () => now);
  expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
  expect(bucket.reserve()).toBeCloseTo(100); // 4th: 100 ms
  expect(bucket.reserve()).toBeCloseTo(200); // 5th: queued behind the 4th
  now = 1000; // refills 10 tokens, minus the 2 owed, capped at the burst
  expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
  expect(bucket.reserve()).toBeCloseTo(100);
});

test('an aborted wait rejects with the reason and returns its slot', async () => {
  let now = 0;
  const bucket = new TokenBucket(1, 1, () => now);
  await bucket.acquire();
  const ctl = new AbortController();
  const waiting = bucket.acquire(ctl.signal);
  ctl.abort(new Error('cancelled'));
  await expect(waiting).rejects.toThrow('cancelled');
  now = 1000;
  expect(bucket.reserve()).toBe(0); // the aborted caller's token was given back
});

test('a Retry-After pause holds every caller: nothing before its end, then one at a time at the rate', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 5, () => now);
  expect(bucket.reserve()).toBe(0); // 4 tokens left
  bucket.pauseFor(2000); // a 429 with Retry-After: 2
  expect(bucket.pausedUntil).toBe(2000);
  // The tokens banked before the 429 are not spent into the limit: the first caller goes at the pause's end.
  expect(bucket.reserve()).toBeCloseTo(2000);
  expect(bucket.reserve()).toBeCloseTo(2100);
  now = 1000;
  expect(bucket.reserve()).toBeCloseTo(1200); // 2200 on the clock
  bucket.pauseFor(500); // shorter than the pause already running: nothing changes
  expect(bucket.pausedUntil).toBe(2000);
  now = 5000; // long after: the bucket refills as before
  expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
  bucket.pauseFor(10 * 60 * 60_000); // an absurd Retry-After is capped
  expect(bucket.pausedUntil).toBe(5000 + MAX_PAUSE_MS);
});

test('a caller already waiting for its slot when the pause comes waits for the pause too', async () => {
  const bucket = new TokenBucket(20, 1); // real clock: a slot every 50 ms
  await bucket.acquire();
  const started = performance.now();
  const waiting = bucket.acquire().then(() => performance.now() - started); // its slot: ~50 ms from now
  await new Promise((r) => setTimeout(r, 10));
  bucket.pauseFor(400);
  const waited = await waiting;
  expect(waited).toBeGreaterThanOrEqual(400); // without the shift it would have gone at ~50 ms, into the limit
  expect(waited).toBeLessThan(2000);
});

test('clients built from config in one process share one bucket per upstream', () => {
  expect(processRateLimiter('http://a', 5)).toBe(processRateLimiter('http://a', 5));
  expect(processRateLimiter('http://a', 5)).not.toBe(processRateLimiter('http://b', 5));
});

describe('against the sandbox limiting to 20 requests/s', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, jobs: 20 });
    await sandbox.admin.setFaults({ rateLimitPerSecond: 20 });
  });
  afterAll(async () => sandbox?.close());

  /** 80 concurrent calls; returns how many were answered 429. */
  async function storm(jobo: JoboClient): Promise<number> {
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => jobo.expired({ batch_size: 1 })));
    await jobo.close();
    return results.filter((r) => r.status === 'rejected' && r.reason instanceof ApplicationFailure && r.reason.type === 'JoboRateLimited')
      .length;
  }

  test('without the bucket a burst of calls meets 429s', async () => {
    expect(await storm(new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey }))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100)); // let the sandbox's bucket refill
  });

  test('a 503 with Retry-After pauses the shared bucket: the next call from any client of the worker waits it out', async () => {
    await sandbox.admin.setFaults({ rateLimitPerSecond: null, unavailableRate: 1, retryAfterSeconds: 1 });
    const config = testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey, UPSTREAM_RATE_LIMIT_PER_SECOND: '50' });
    const first = JoboClient.fromConfig(config);
    const second = JoboClient.fromConfig(config); // another activity's client, same process: same bucket
    try {
      await expect(first.expired({ batch_size: 1 })).rejects.toMatchObject({ type: 'JoboUnavailable' });
      await sandbox.admin.setFaults({ unavailableRate: 0 }); // the upstream is fine again; the bucket does not know
      const started = Date.now();
      await second.expired({ batch_size: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After: 1, less timer slack
    } finally {
      await Promise.all([first.close(), second.close()]);
      await sandbox.admin.setFaults({ rateLimitPerSecond: 20, unavailableRate: 0, retryAfterSeconds: 5 });
      await new Promise((r) => setTimeout(r, 1100));
    }
  });

  test('through the worker bucket (JoboClient.fromConfig) the same burst meets none, at about the limit', async () => {
    const config = testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey, UPSTREAM_RATE_LIMIT_PER_SECOND: '20' });
    const started = Date.now();
    expect(await storm(JoboClient.fromConfig(config))).toBe(0);
    // 80 calls, 10 of them from the burst: at least 3.5 s at 20/s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3400);
  });
});
