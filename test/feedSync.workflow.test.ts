/**
 * The feedSync workflow's decisions on a real dev server, against the real sandbox over HTTP and a real
 * SQLite store: invalid-cursor restarts (and their bound), and the checkpoint staying put when the expired
 * sweep fails. The crash/fault end-to-end run is feedSync.e2e.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createFeedSyncActivities, type FeedSyncActivities } from '../src/feedSync/activities';
import { describeFeedSchedule, FeedSyncInputError, startFeedSync, triggerFeedSchedule, upsertFeedSchedule } from '../src/feedSync/client';
import { checkpointKey, type FeedCheckpoint, type FeedSyncInput } from '../src/feedSync/input';
import type { Config } from '../src/config';
import { JoboClient } from '../src/jobo/client';
import { SqliteJobStore } from '../src/store/sqlite';
import { FeedSyncFailure } from '../src/feedSync/messages';
import { mirrorProblems } from './support/feedMirror';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

let env: TestWorkflowEnvironment;
let dir: string;
let n = 0;

beforeAll(async () => {
  env = await startDevEnv();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-feedsync-'));
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

interface Fixture {
  sandbox: Sandbox;
  store: SqliteJobStore;
  jobo: JoboClient;
  activities: FeedSyncActivities;
  checkpoint(): Promise<FeedCheckpoint | null>;
  /** Runs one sync to its end on a fresh worker with the given activities. */
  sync(input: FeedSyncInput, activities?: FeedSyncActivities): Promise<Awaited<ReturnType<typeof run>>>;
  close(): Promise<void>;
}

async function run(taskQueue: string, activities: FeedSyncActivities, input: FeedSyncInput) {
  const worker = await createTestWorker(env, { taskQueue, activities });
  return worker.runUntil(async () => {
    const handle = await startFeedSync(env.client, { temporal: { taskQueue } as never }, input);
    return handle.result();
  });
}

async function fixture(jobs: number): Promise<Fixture> {
  const id = ++n;
  const sandbox = await startSandbox({ seed: 100 + id, jobs });
  const store = new SqliteJobStore(join(dir, `jobs-${id}.sqlite`));
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5000 });
  const activities = createFeedSyncActivities({ jobo, store: async () => store });
  const taskQueue = `feed-sync-wf-${id}`;
  return {
    sandbox,
    store,
    jobo,
    activities,
    async checkpoint() {
      const raw = await store.getCheckpoint(checkpointKey(`t${id}`));
      return raw ? (JSON.parse(raw) as FeedCheckpoint) : null;
    },
    sync: (input, acts = activities) => run(taskQueue, acts, { feed: `t${id}`, ...input }),
    async close() {
      await jobo.close();
      await store.close();
      await sandbox.close();
    },
  };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  // The workflow's own failure, or the activity's ApplicationFailure behind an ActivityFailure.
  let cause: unknown = (err as WorkflowFailedError).cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

test('an invalid cursor drops the cursor and restarts pagination; the store still ends exact', async () => {
  const f = await fixture(300);
  try {
    await f.sandbox.admin.setFaults({ invalidCursorNext: 2 });
    const result = await f.sync({ batchSize: 25 });
    expect(result.mode).toBe('backfill');
    expect(result.restarts).toBe(2);
    // The first page is fetched again after each restart; its jobs are then unchanged, so skipped.
    expect(result.jobsReceived).toBe(300 + 2 * 25);
    expect(result.jobsUpserted).toBe(300);
    expect(result.skipped).toBe(2 * 25);
    expect(result.creditsBalance).not.toBeNull();
    expect(mirrorProblems(await f.store.jobStates(), await f.sandbox.admin.groundTruthJobs())).toEqual([]);
    expect((await f.checkpoint())?.lastRunStartedAt).toBe(result.thisRunStartedAt);
    const feedStats = (await f.sandbox.admin.stats()).byRoute['POST /api/jobs/feed'];
    expect(feedStats.byStatus['400']).toBe(2);
  } finally {
    await f.close();
  }
});

test('restarts are bounded: a cursor rejected every time fails the sync clearly, without a checkpoint', async () => {
  const f = await fixture(100);
  try {
    await f.sandbox.admin.setFaults({ invalidCursorNext: 1000 });
    const failure = await failureOf(f.sync({ batchSize: 10, maxCursorRestarts: 3 }));
    expect(failure.type).toBe(FeedSyncFailure.CursorRestartsExhausted);
    expect(failure.message).toMatch(/4 times \(limit 3\)/);
    // Each rejected cursor was sent once: never retried, never looped on.
    const feedStats = (await f.sandbox.admin.stats()).byRoute['POST /api/jobs/feed'];
    expect(feedStats.byStatus['400']).toBe(4);
    expect(await f.checkpoint()).toBeNull();
  } finally {
    await f.close();
  }
});

test('the checkpoint does not move when the expired sweep fails; the next run catches up exactly', async () => {
  const f = await fixture(400);
  try {
    const first = await f.sync({ batchSize: 100 });
    expect(first.mode).toBe('backfill');
    const committed = await f.checkpoint();
    expect(committed?.lastRunStartedAt).toBe(first.thisRunStartedAt);

    const churn = await f.sandbox.admin.advanceClock(120);
    expect(churn.expired).toBeGreaterThan(0);
    const brokenSweep: FeedSyncActivities = {
      ...f.activities,
      async sweepExpiredPage() {
        throw ApplicationFailure.nonRetryable('expired endpoint refused', 'SweepBroken');
      },
    };
    const failure = await failureOf(f.sync({ batchSize: 100 }, brokenSweep));
    expect(failure.message).toMatch(/expired endpoint refused/);
    expect(await f.checkpoint()).toEqual(committed);

    const next = await f.sync({ batchSize: 100 });
    expect(next.mode).toBe('incremental');
    expect(next.expired).toBeGreaterThan(0);
    expect(next.expired).toBeLessThanOrEqual(churn.expired); // some expired jobs were born after the backfill
    expect(Date.parse(next.thisRunStartedAt)).toBeGreaterThan(Date.parse(first.thisRunStartedAt));
    expect((await f.checkpoint())?.lastRunStartedAt).toBe(next.thisRunStartedAt);
    expect(mirrorProblems(await f.store.jobStates(), await f.sandbox.admin.groundTruthJobs())).toEqual([]);
  } finally {
    await f.close();
  }
});

test('the schedule is created once, updated idempotently, rejects bad intervals, and its runs sync', async () => {
  const f = await fixture(150);
  const feed = `sched-${n}`;
  const taskQueue = `feed-sync-sched-${n}`;
  const config = { temporal: { taskQueue } as Config['temporal'], feedSyncIntervalMinutes: 30 };
  try {
    const bad = await upsertFeedSchedule(env.client, config, { feed, intervalMinutes: 5, input: { batchSize: 0 } }).catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(FeedSyncInputError);
    expect((bad as FeedSyncInputError).problems.map((p) => p.field).sort()).toEqual(['batchSize', 'intervalMinutes']);
    expect(await describeFeedSchedule(env.client, feed)).toBeNull(); // nothing was created

    expect(await upsertFeedSchedule(env.client, config, { feed })).toMatchObject({ created: true, intervalMinutes: 30 });
    expect(await upsertFeedSchedule(env.client, config, { feed, intervalMinutes: 45, input: { batchSize: 50 } })).toMatchObject({
      created: false,
      intervalMinutes: 45,
    });
    const described = (await describeFeedSchedule(env.client, feed))!;
    expect(described.spec.intervals?.[0]?.every).toBe(45 * 60_000);
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.action.type).toBe('startWorkflow');

    // A triggered run is an ordinary feed sync: it backfills and commits the checkpoint the next run reads.
    const worker = await createTestWorker(env, { taskQueue, activities: f.activities });
    await worker.runUntil(async () => {
      await triggerFeedSchedule(env.client, feed);
      const deadline = Date.now() + 60_000;
      while (!(await f.store.getCheckpoint(checkpointKey(feed)))) {
        if (Date.now() > deadline) throw new Error('the scheduled run did not commit a checkpoint');
        await new Promise((r) => setTimeout(r, 250));
      }
    });
    expect(mirrorProblems(await f.store.jobStates(), await f.sandbox.admin.groundTruthJobs())).toEqual([]);
    await env.client.schedule.getHandle(described.scheduleId).delete();
  } finally {
    await f.close();
  }
});

test('pages are fetched inside the activity that writes them: none twice, fetched = used, exact store, also across resets', async () => {
  const f = await fixture(300);
  try {
    const clean = await f.sync({ batchSize: 10 });
    expect(clean.pages).toBe(30);
    expect(clean.pagesUsed).toBe(30);
    expect(clean.pagesFetched).toBe(30);
    // Ground truth: the upstream answered each of the 30 pages exactly once (no read-ahead left unused).
    const stats = (await f.sandbox.admin.stats()).byRoute['POST /api/jobs/feed'];
    expect(stats.byStatus['200']).toBe(30);
    expect(mirrorProblems(await f.store.jobStates(), await f.sandbox.admin.groundTruthJobs())).toEqual([]);

    // Connection resets mid-pass: failed attempts cost no page the upstream answered beyond those counted.
    await f.store.deleteCheckpoint(checkpointKey(`t${n}`));
    await f.sandbox.admin.setFaults({ resetRate: 0.2 });
    const faulty = await f.sync({ batchSize: 10 });
    const after = (await f.sandbox.admin.stats()).byRoute['POST /api/jobs/feed'];
    expect(faulty.pagesUsed).toBe(30);
    expect(after.byStatus['200'] - 30).toBe(faulty.pagesFetched);
    expect(faulty.pagesFetched! - faulty.pagesUsed!).toBeLessThanOrEqual(5);
    expect(mirrorProblems(await f.store.jobStates(), await f.sandbox.admin.groundTruthJobs())).toEqual([]);
  } finally {
    await f.close();
  }
}, 120_000);
