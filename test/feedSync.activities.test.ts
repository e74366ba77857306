/**
 * The feed sync's activities one by one in a MockActivityEnvironment: the real sandbox over HTTP (its
 * ground-truth endpoints say what the store must hold) and a temp SQLite store. A backfill and a sweep by
 * hand, the heartbeat a retry resumes from, and the named failures of a rejected cursor.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SandboxHandle } from '../sandbox/server';
import { createFeedSyncActivities, type SweepExpiredPageResult, type SyncFeedPageResult } from '../src/feedSync/activities';
import { checkpointKey } from '../src/feedSync/input';
import { JoboClient } from '../src/jobo/client';
import { mirrorProblems } from './support/feedMirror';
import { startSandbox } from './support/sandbox';
import { openTempStore, type TempStore } from './support/tempStore';

let sandbox: SandboxHandle;
let jobo: JoboClient;
let temp: TempStore;
let acts: ReturnType<typeof createFeedSyncActivities>;

/**
 * An activity context whose log lines (expected warnings included) stay out of the test output, and whose
 * run() has the activity's own result type (the SDK's signature infers unknown).
 */
const envOf = (info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {}) => {
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args);
  return { run, on: env.on.bind(env) };
};

beforeAll(async () => {
  temp = await openTempStore('applyflow-feed-acts-');
  sandbox = await startSandbox({ seed: 23, jobs: 120 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5000 });
  acts = createFeedSyncActivities({ jobo, store: async () => temp.store });
});

afterAll(async () => {
  await jobo?.close();
  await sandbox?.close();
  await temp?.close();
});

test('a backfill by hand: begin, pages until the end, reconcile, commit; the store mirrors the feed exactly', async () => {
  const env = envOf();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));

  const clock = async () => Date.parse((await sandbox.admin.health()).now);
  const earliest = Math.floor((await clock()) / 1000) * 1000; // the Date header has whole seconds
  const begun = await env.run(acts.beginFeedSync, { feed: 'acts' });
  expect(begun.checkpoint).toBeNull();
  // The upstream's clock (the sandbox's own, not this machine's).
  expect(Date.parse(begun.now)).toBeGreaterThanOrEqual(earliest);
  expect(Date.parse(begun.now)).toBeLessThanOrEqual(await clock());

  const pass = `acts/${begun.now}/run-1`;
  const feedCallsBefore = (await sandbox.admin.stats()).byRoute['POST /api/jobs/feed']?.total ?? 0;
  let cursor: string | null = null;
  let pages = 0;
  let upserted = 0;
  for (;;) {
    const page: SyncFeedPageResult = await env.run(acts.syncFeedPage, {
      cursor,
      postedAfter: null,
      batchSize: 25,
      runId: pass,
      maxPages: 3,
    });
    expect(page.pages).toBeLessThanOrEqual(3);
    expect(page.pagesFetched).toBe(page.pages); // nothing read ahead and thrown away
    pages += page.pages!;
    upserted += page.upserted;
    if (!page.hasMore) break;
    cursor = page.nextCursor;
  }
  const truth = await sandbox.admin.groundTruthJobs();
  expect(pages).toBe(Math.ceil(truth.active.length / 25));
  // The upstream's own count: each page asked for once, none read ahead past an activity's last page.
  expect(((await sandbox.admin.stats()).byRoute['POST /api/jobs/feed']?.total ?? 0) - feedCallsBefore).toBe(pages);
  expect(upserted).toBe(truth.active.length);
  expect(await env.run(acts.reconcileFullSync, { runId: pass, at: begun.now })).toEqual({ expired: 0 }); // every job was seen
  expect(mirrorProblems(await temp.store.jobStates(), truth)).toEqual([]);
  // Each written page heartbeats the position a retried attempt resumes from.
  expect(beats.some((d) => (d as SyncFeedPageResult | undefined)?.pages === 2)).toBe(true);

  const checkpoint = { lastRunStartedAt: begun.now, lastFullSyncStartedAt: begun.now };
  await env.run(acts.commitFeedCheckpoint, { feed: 'acts', checkpoint });
  expect(JSON.parse((await temp.store.getCheckpoint(checkpointKey('acts')))!)).toEqual(checkpoint);
  expect((await env.run(acts.beginFeedSync, { feed: 'acts' })).checkpoint).toEqual(checkpoint);

  // The expired sweep after the upstream moved on: the store is exact again.
  const churn = await sandbox.admin.advanceClock(120);
  expect(churn.expired).toBeGreaterThan(0);
  let expired = 0;
  for (let c: string | null = null, more = true; more;) {
    const page: SweepExpiredPageResult = await env.run(acts.sweepExpiredPage, { cursor: c, expiredSince: begun.now, batchSize: 7 });
    expired += page.expired;
    [c, more] = [page.nextCursor, page.hasMore];
  }
  expect(expired).toBeGreaterThan(0);
  const after = await temp.store.jobStates();
  const truthAfter = await sandbox.admin.groundTruthJobs();
  const storeExpired = new Set(after.expired.map((j) => j.id));
  // Every job the upstream expired that the store had is marked; the new and updated ones wait for the next feed pass.
  for (const j of truthAfter.expired) if (truth.active.some((a) => a.id === j.id)) expect(storeExpired.has(j.id)).toBe(true);
});

test('a retried attempt resumes from its last heartbeat instead of paging again from the start', async () => {
  const first = await envOf().run(acts.syncFeedPage, { cursor: null, postedAfter: null, batchSize: 10, maxPages: 1 });
  expect(first).toMatchObject({ pages: 1, hasMore: true });
  const feedCalls = async () => (await sandbox.admin.stats()).byRoute['POST /api/jobs/feed']?.total ?? 0;
  const before = await feedCalls();
  const retried = envOf({ heartbeatDetails: first });
  const page = await retried.run(acts.syncFeedPage, { cursor: null, postedAfter: null, batchSize: 10, maxPages: 2 });
  expect(page).toMatchObject({ pages: 2, pagesFetched: 2 });
  expect(page.received).toBe(first.received + 10);
  expect((await feedCalls()) - before).toBe(1); // only the page after the heartbeat
});

test('a rejected cursor: thrown as non-retryable JoboInvalidCursor on a first page, reported after written pages', async () => {
  await sandbox.admin.setFaults({ invalidCursorNext: 1 });
  const err = await envOf()
    .run(acts.syncFeedPage, { cursor: 'not-a-cursor', postedAfter: null, batchSize: 10 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'JoboInvalidCursor', nonRetryable: true });

  await sandbox.admin.setFaults({ invalidCursorNext: 1 });
  const page = await envOf().run(acts.syncFeedPage, { cursor: null, postedAfter: null, batchSize: 10, maxPages: 3 });
  expect(page).toMatchObject({ pages: 1, cursorRejected: true, hasMore: true });
  expect(await sandbox.admin.faults()).toMatchObject({ invalidCursorNext: 0 });
});

test('an unreadable checkpoint reads as none: the next run is a full pass', async () => {
  await temp.store.setCheckpoint(checkpointKey('broken'), '{"lastRunStartedAt":"yesterday-ish"}');
  expect((await envOf().run(acts.beginFeedSync, { feed: 'broken' })).checkpoint).toBeNull();
});
