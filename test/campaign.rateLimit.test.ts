// The worker's shared upstream token bucket: unit behaviour on a fake clock, then against the sandbox's own limit.
import { ApplicationFailure } from '@temporalio/common';
import { JoboClient } from '../src/jobo/client';
import { processRateLimiter, TokenBucket } from '../src/jobo/rateLimit';
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
    return results.filter((r) => r.status === 'rejected' && r.reason instanceof ApplicationFailure && r.reason.type === 'JoboRateLimited').length;
  }

  test('without the bucket a burst of calls meets 429s', async () => {
    expect(await storm(new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey }))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100)); // let the sandbox's bucket refill
  });

  test('through the worker bucket (JoboClient.fromConfig) the same burst meets none, at about the limit', async () => {
    const config = testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey, UPSTREAM_RATE_LIMIT_PER_SECOND: '20' });
    const started = Date.now();
    expect(await storm(JoboClient.fromConfig(config))).toBe(0);
    // 80 calls, 10 of them from the burst: at least 3.5 s at 20/s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3400);
  });
});
