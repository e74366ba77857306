/**
 * The upstream limit shared through the store: several limiters, each on its own connection to one store
 * (as separate worker processes have), against the sandbox's own token bucket. The sandbox counts the 429s;
 * the control is two per-process buckets at the same setting, which is what several workers had before.
 * Both backends: the embedded SQLite file and a real PostgreSQL server.
 */
import { ApplicationFailure } from '@temporalio/common';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoboClient } from '../src/jobo/client';
import { SharedRateLimiter, TokenBucket, upstreamKey, type RateLimiter } from '../src/jobo/rateLimit';
import { Pool } from 'pg';
import { SqliteJobStore } from '../src/store/sqlite';
import { PostgresUpstreamSchedule, SqliteUpstreamSchedule, type UpstreamSchedule } from '../src/store/upstreamLimit';
import { testConfig } from './support/config';
import { startPostgres, type TestPostgres } from './support/postgres';
import { startSandbox } from './support/sandbox';

const LIMIT = 20;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let pg: TestPostgres;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, jobs: 20 });
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-upstream-limit-'));
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh upstream key per test, so one test's schedule never paces another's. */
let keys = 0;
const freshKey = () => `test-key-${process.pid}-${++keys}`;

/** `n` schedules, each on its own connection to one database (as n worker processes open it). */
type Backend = { name: string; open: (n: number) => Promise<UpstreamSchedule[]>; close: (s: UpstreamSchedule) => Promise<void> };
const backends: Backend[] = [
  {
    name: 'SQLite',
    open: async (n) => {
      const file = join(dir, `schedule-${++keys}.sqlite`);
      return Array.from({ length: n }, () => SqliteUpstreamSchedule.openFile(file));
    },
    close: async (s) => void (s as SqliteUpstreamSchedule).db.close(),
  },
  {
    name: 'PostgreSQL',
    open: async (n) =>
      Promise.all(Array.from({ length: n }, () => PostgresUpstreamSchedule.open(new Pool({ connectionString: pg.url, max: 4 })))),
    close: async (s) => (s as PostgresUpstreamSchedule).pool.end(),
  },
];

const client = (rateLimiter: RateLimiter, apiKey = sandbox.apiKey) => new JoboClient({ baseUrl: sandbox.url, apiKey, rateLimiter });
const shared = (schedule: UpstreamSchedule, key: string) => new SharedRateLimiter(async () => schedule, key, LIMIT);
const isRateLimited = (r: PromiseSettledResult<unknown>) =>
  r.status === 'rejected' && r.reason instanceof ApplicationFailure && r.reason.type === 'JoboRateLimited';

/** `perClient` concurrent calls from each client at once; returns the 429s the sandbox counted and the time taken. */
async function storm(clients: JoboClient[], perClient: number): Promise<{ refused: number; ms: number; failed: number }> {
  await sandbox.admin.setFaults({ rateLimitPerSecond: LIMIT });
  await new Promise((r) => setTimeout(r, 1100)); // a full upstream bucket to start from
  const before = (await sandbox.admin.stats()).rateLimited;
  const started = Date.now();
  const results = await Promise.allSettled(clients.flatMap((c) => Array.from({ length: perClient }, () => c.expired({ batch_size: 1 }))));
  const ms = Date.now() - started;
  await Promise.all(clients.map((c) => c.close()));
  const refused = (await sandbox.admin.stats()).rateLimited - before;
  expect(results.filter(isRateLimited).length).toBe(refused);
  return { refused, ms, failed: results.filter((r) => r.status === 'rejected').length };
}

test('control: three per-process buckets, each at the key’s limit (three workers before), meet 429s', async () => {
  const { refused } = await storm(
    [1, 2, 3].map(() => client(new TokenBucket(LIMIT))),
    40,
  );
  expect(refused).toBeGreaterThan(0);
});

describe.each(backends)('on $name', ({ open, close }) => {
  let schedules: UpstreamSchedule[] = [];
  afterEach(async () => {
    await Promise.all(schedules.map(close));
    schedules = [];
  });

  test('three limiters on three connections to one store hold the limit together: no 429, at about the limit', async () => {
    schedules = await open(3);
    const key = freshKey();
    const { refused, ms, failed } = await storm(
      schedules.map((s) => client(shared(s, key))),
      40,
    );
    expect(failed).toBe(0);
    expect(refused).toBe(0);
    // 120 calls, 10 of them from the burst: at least 5.5 s at 20/s, whichever connection took each slot.
    expect(ms).toBeGreaterThanOrEqual(5400);
  });

  test('a Retry-After one worker meets pauses the others: their next call waits it out', async () => {
    schedules = await open(2);
    const key = freshKey();
    const [first, second] = schedules.map((s) => client(shared(s, key)));
    await sandbox.admin.setFaults({ rateLimitPerSecond: null, unavailableRate: 1, retryAfterSeconds: 2 });
    try {
      await expect(first.expired({ batch_size: 1 })).rejects.toMatchObject({ type: 'JoboUnavailable' });
      await sandbox.admin.setFaults({ unavailableRate: 0 }); // fine again; only the schedule remembers
      const started = Date.now();
      await second.expired({ batch_size: 1 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900); // Retry-After: 2, less timer slack
    } finally {
      await Promise.all([first.close(), second.close()]);
      await sandbox.admin.setFaults({ unavailableRate: 0, retryAfterSeconds: 5 });
    }
  });

  test('another API key has its own limit: its calls do not wait behind this key’s schedule', async () => {
    schedules = await open(1);
    const [schedule] = schedules;
    const busy = freshKey();
    for (let i = 0; i < 100; i++) await schedule.reserve(busy, 1000 / LIMIT, 1); // five seconds booked on one key
    const started = Date.now();
    await shared(schedule, freshKey()).acquire();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(upstreamKey('https://jobo.example/', 'k1')).toBe(upstreamKey('https://jobo.example', 'k1'));
    expect(upstreamKey('https://jobo.example', 'k1')).not.toBe(upstreamKey('https://jobo.example', 'k2'));
    expect(upstreamKey('https://jobo.example', 'secret-key')).not.toContain('secret-key');
  });

  test('an aborted wait rejects with the abort reason and sends nothing', async () => {
    schedules = await open(1);
    const key = freshKey();
    const [schedule] = schedules;
    for (let i = 0; i < 40; i++) await schedule.reserve(key, 1000 / LIMIT, 1); // two seconds booked
    const before = (await sandbox.admin.stats()).total;
    const jobo = client(shared(schedules[0], key));
    const call = jobo.expired({ batch_size: 1 }, { signal: AbortSignal.timeout(100) });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    await jobo.close();
    expect((await sandbox.admin.stats()).total - before).toBe(1); // the stats request itself
  });
});

test('a store that cannot be read fails the call as UpstreamLimitUnavailable (retryable) and sends nothing', async () => {
  const before = (await sandbox.admin.stats()).total;
  const broken = new SharedRateLimiter(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')), freshKey(), LIMIT);
  const err = await client(broken)
    .expired({ batch_size: 1 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'UpstreamLimitUnavailable', nonRetryable: false });
  expect((err as Error).message).toContain('ECONNREFUSED');
  expect((await sandbox.admin.stats()).total - before).toBe(1); // the stats request itself
});

test('JoboClient.fromConfig with a store takes its slots from that store (workers and the API server)', async () => {
  const file = join(dir, 'fromConfig.sqlite');
  const stores = [new SqliteJobStore(file), new SqliteJobStore(file)];
  try {
    const config = testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey, UPSTREAM_RATE_LIMIT_PER_SECOND: String(LIMIT) });
    const { refused, failed } = await storm(
      stores.map((s) => JoboClient.fromConfig(config, { store: async () => s })),
      40,
    );
    expect({ refused, failed }).toEqual({ refused: 0, failed: 0 });
    // The schedule lives beside the store, under this upstream and API key (hashed).
    const file = new Database(`${stores[0].db.name}-upstream`, { readonly: true });
    const rows = file.prepare('SELECT key FROM upstream_schedule').all() as { key: string }[];
    file.close();
    expect(rows.map((r) => r.key)).toEqual([upstreamKey(sandbox.url, sandbox.apiKey)]);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
