/**
 * Truthful state under concurrency (issue 20), on a real dev server, the real sandbox over HTTP and a real
 * SQLite store, judged by the sandbox's ground truth and Temporal's own execution records:
 *  - a one-off sync started in the middle of a scheduled full pass attaches to it, and a schedule tick
 *    during a one-off full pass starts none: one pass per feed, the store exact, nothing falsely expired;
 *  - two full passes of different feeds writing one store at once each reconcile only from what they saw;
 *  - a lagging replica (a second sandbox with the same seed, its clock behind) serves older copies of
 *    updated jobs and stale copies of expired ones after the store has the newer rows: the store keeps them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createFeedSyncActivities } from '../src/feedSync/activities';
import { feedSyncProgress, startFeedSync, startOrAttachFeedSync, triggerFeedSchedule, upsertFeedSchedule } from '../src/feedSync/client';
import { feedSyncWorkflowId, type FeedSyncInput } from '../src/feedSync/input';
import type { FeedSyncProgress, FeedSyncTickResult } from '../src/feedSync/messages';
import { JoboClient } from '../src/jobo/client';
import { SqliteJobStore } from '../src/store/sqlite';
import type { Config } from '../src/config';
import { captureCli } from './support/cli';
import { mirrorProblems } from './support/feedMirror';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';
import { createTestWorker } from './support/worker';

jest.setTimeout(300_000);

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

const JOBS = 1200;
// Slow pages (sandbox latency) so a pass is long enough to start something in its middle.
const INPUT: Omit<FeedSyncInput, 'feed'> = { batchSize: 20, expiredBatchSize: 100, pagesPerRun: 200 };
const START = new Date('2026-03-02T08:00:00.000Z');

let env: TestWorkflowEnvironment;
let dir: string;
let n = 0;

beforeAll(async () => {
  env = await startDevEnv();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-feed-conc-'));
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

interface Rig {
  sandbox: Sandbox;
  store: SqliteJobStore;
  taskQueue: string;
  config: Pick<Config, 'temporal' | 'feedSyncIntervalMinutes'>;
  /** Runs `fn` with a worker polling `taskQueue`, its activities on `upstream` (default the rig's sandbox). */
  withWorker<T>(fn: () => Promise<T>, upstream?: Sandbox, taskQueue?: string): Promise<T>;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const id = ++n;
  const sandbox = await startSandbox({ seed: 700 + id, jobs: JOBS, startTime: START });
  const store = new SqliteJobStore(join(dir, `jobs-${id}.sqlite`));
  const clients: JoboClient[] = [];
  const taskQueue = `feed-conc-${id}`;
  return {
    sandbox,
    store,
    taskQueue,
    config: { temporal: { taskQueue } as Config['temporal'], feedSyncIntervalMinutes: 60 },
    async withWorker(fn, upstream = sandbox, queue = taskQueue) {
      const jobo = new JoboClient({ baseUrl: upstream.url, apiKey: upstream.apiKey, timeoutMs: 5000 });
      clients.push(jobo);
      const worker: Worker = await createTestWorker(env, {
        taskQueue: queue,
        activities: createFeedSyncActivities({ jobo, store: async () => store }),
      });
      return worker.runUntil(fn);
    },
    async close() {
      for (const c of clients) await c.close();
      await store.close();
      await sandbox.close();
    },
  };
}

async function waitForProgress(handle: WorkflowHandle, done: (p: FeedSyncProgress) => boolean): Promise<FeedSyncProgress> {
  return waitFor(
    'feed sync progress',
    async () => {
      const p = await feedSyncProgress(handle).catch(() => null);
      return p && done(p) ? p : null;
    },
    120_000,
    50,
  );
}

/** Every execution of the pass's workflow id, from Temporal's visibility (not from the code under test). */
async function passExecutions(client: Client, feed: string) {
  const out: { runId: string; type: string; start: number; close: number }[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${feedSyncWorkflowId(feed)}'` })) {
    out.push({
      runId: wf.runId,
      type: wf.type,
      start: wf.startTime.getTime(),
      close: wf.closeTime?.getTime() ?? Number.POSITIVE_INFINITY,
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Continue-as-new chains a pass's runs end to start; two passes at once would overlap. */
function overlapping(runs: { start: number; close: number }[]): number {
  let count = 0;
  for (let i = 1; i < runs.length; i++) if (runs[i].start < runs[i - 1].close) count++;
  return count;
}

async function ticks(client: Client, taskQueue: string): Promise<FeedSyncTickResult[]> {
  const out: FeedSyncTickResult[] = [];
  const query = `WorkflowType = 'feedSyncTick' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`;
  for await (const wf of client.workflow.list({ query })) {
    out.push(await client.workflow.getHandle(wf.workflowId, wf.runId).result());
  }
  return out;
}

async function expectMirror(r: Rig, upstream: Sandbox = r.sandbox): Promise<void> {
  expect(mirrorProblems(await r.store.jobStates(), await upstream.admin.groundTruthJobs())).toEqual([]);
}

test('a one-off started during a scheduled full re-sync attaches to it; the store ends exact', async () => {
  const r = await rig();
  const feed = `sched-first-${n}`;
  try {
    await r.withWorker(async () => {
      const backfill = await (await startFeedSync(env.client, r.config, { ...INPUT, feed })).result();
      expect(backfill.mode).toBe('backfill');
      // A stall past the 7-day lookback with churn: the next pass is a full re-sync that must reconcile.
      const churn = await r.sandbox.admin.advanceClock(8 * 24 * 60);
      expect(churn.expired).toBeGreaterThan(0);
      await r.sandbox.admin.setFaults({ latencyMs: 40 });

      await upsertFeedSchedule(env.client, r.config, { feed, input: INPUT });
      await triggerFeedSchedule(env.client, feed);
      const pass = env.client.workflow.getHandle(feedSyncWorkflowId(feed));
      const mid = await waitForProgress(pass, (p) => p.mode === 'full-resync' && p.phase === 'feed' && p.pages >= 3);
      expect(mid.cursorPresent).toBe(true);

      const { handle, attached } = await startOrAttachFeedSync(env.client, r.config, { ...INPUT, feed });
      expect(attached).toBe(true);
      const result = await handle.result();
      expect(result.mode).toBe('full-resync');
      expect(result.reconciled).toBeGreaterThan(0);
      expect(result.skippedOlder).toBe(0);

      // The tick ran that very pass to its end (the one-off did not start a second).
      const tick = await waitFor('the tick to complete', async () => (await ticks(env.client, r.taskQueue))[0]);
      expect(tick).toMatchObject({ feed, started: true });
      expect(tick.result?.thisRunStartedAt).toBe(result.thisRunStartedAt);
      const runs = await passExecutions(env.client, feed);
      expect(runs.every((x) => x.type === 'feedSync')).toBe(true);
      expect(overlapping(runs)).toBe(0);
      await env.client.schedule.getHandle(feedSyncWorkflowId(feed)).delete();
    });
    await expectMirror(r);
  } finally {
    await r.close();
  }
});

test('a schedule tick during a one-off full backfill starts no second pass; the store ends exact', async () => {
  const r = await rig();
  const feed = `oneoff-first-${n}`;
  try {
    await r.sandbox.admin.setFaults({ latencyMs: 60 });
    await r.withWorker(async () => {
      const { handle, attached } = await startOrAttachFeedSync(env.client, r.config, { ...INPUT, feed });
      expect(attached).toBe(false);
      await waitForProgress(handle, (p) => p.mode === 'backfill' && p.phase === 'feed' && p.pages >= 3);

      await upsertFeedSchedule(env.client, r.config, { feed, input: INPUT });
      await triggerFeedSchedule(env.client, feed);
      const tick = await waitFor('the tick to complete', async () => (await ticks(env.client, r.taskQueue))[0]);
      expect(tick).toEqual({ feed, started: false, result: null });

      const result = await handle.result();
      expect(result.mode).toBe('backfill');
      expect(result.jobsUpserted).toBe(JOBS);
      expect(result.reconciled).toBe(0);
      const runs = await passExecutions(env.client, feed);
      expect(new Set(runs.map((x) => x.type))).toEqual(new Set(['feedSync']));
      expect(overlapping(runs)).toBe(0);
      await env.client.schedule.getHandle(feedSyncWorkflowId(feed)).delete();
    });
    await expectMirror(r);
  } finally {
    await r.close();
  }
});

test('`feed run` while a pass is running shows that pass and waits for its result, starting none', async () => {
  const r = await rig();
  const feed = `cli-${n}`;
  const saved = { ...process.env };
  try {
    await r.sandbox.admin.setFaults({ latencyMs: 40 });
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: r.taskQueue,
      APPLYFLOW_CODEC: 'off', // as the test worker runs
    });
    await r.withWorker(async () => {
      const running = await startFeedSync(env.client, r.config, { ...INPUT, feed });
      await waitForProgress(running, (p) => p.phase === 'feed' && p.pages >= 3);
      const cli = await captureCli('feed', 'run', '--feed', feed, '--batch-size', '500');
      expect(cli.err).toBe('');
      expect(cli.code).toBe(0);
      expect(cli.out).toContain(`feed sync ${feedSyncWorkflowId(feed)} is already running; showing its progress`);
      const printed = JSON.parse(cli.out.slice(cli.out.indexOf('{'))) as { thisRunStartedAt: string; pages: number };
      const result = await running.result();
      expect(printed).toMatchObject({ thisRunStartedAt: result.thisRunStartedAt, pages: result.pages });
      expect(result.pages).toBeGreaterThanOrEqual(JOBS / INPUT.batchSize!); // its batch size, not the flag's 500
      expect(overlapping(await passExecutions(env.client, feed))).toBe(0);
      expect((await passExecutions(env.client, feed)).length).toBe(1);
    });
    await expectMirror(r);
  } finally {
    process.env = saved;
    await r.close();
  }
});

test('two full passes of different feeds on one store at once: neither expires what it saw', async () => {
  const r = await rig();
  try {
    await r.sandbox.admin.setFaults({ latencyMs: 20 });
    await r.withWorker(async () => {
      const a = await startFeedSync(env.client, r.config, { ...INPUT, feed: `a-${n}` });
      await waitForProgress(a, (p) => p.pages >= 2);
      const b = await startFeedSync(env.client, r.config, { ...INPUT, feed: `b-${n}`, batchSize: 35 });
      // b's first pages re-mark jobs a already saw; a then reconciles while b is still mid-pass.
      const [ra, rb] = await Promise.all([a.result(), b.result()]);
      expect([ra.mode, rb.mode]).toEqual(['backfill', 'backfill']);
      expect([ra.reconciled, rb.reconciled]).toEqual([0, 0]);
      const [runsA, runsB] = [await passExecutions(env.client, `a-${n}`), await passExecutions(env.client, `b-${n}`)];
      // They did overlap (otherwise this test would prove nothing).
      expect(runsB[0].start).toBeLessThan(runsA.at(-1)!.close);
    });
    await expectMirror(r);
    expect((await r.store.counts()).expired).toBe(0); // the sandbox's clock never moved: nothing expired
  } finally {
    await r.close();
  }
});

test('a lagging replica serving older and stale-expired copies after newer ones leaves the store exact', async () => {
  const r = await rig();
  // Same seed, size and start: the same corpus, with its clock left behind (a replica that stopped applying).
  const replica = await startSandbox({ seed: 700 + n, jobs: JOBS, startTime: START });
  try {
    const behind = await replica.admin.groundTruthJobs();
    await r.withWorker(async () => {
      await (await startFeedSync(env.client, r.config, { ...INPUT, feed: 'primary' })).result();
      const churn = await r.sandbox.admin.advanceClock(12 * 60);
      expect(churn.updated).toBeGreaterThan(0);
      expect(churn.expired).toBeGreaterThan(0);
      const incremental = await (await startFeedSync(env.client, r.config, { ...INPUT, feed: 'primary' })).result();
      expect(incremental.mode).toBe('incremental');
    });
    await expectMirror(r);

    // What the replica will serve that the store already knows better, from the two ground truths.
    const truth = await r.sandbox.admin.groundTruthJobs();
    const now = new Map(truth.active.map((j) => [j.id, j.updated_at]));
    const expiredNow = new Set(truth.expired.map((j) => j.id));
    const staleExpired = behind.active.filter((j) => expiredNow.has(j.id)).length;
    const older = behind.active.filter((j) => now.has(j.id) && now.get(j.id) !== j.updated_at).length;
    expect(staleExpired).toBeGreaterThan(0);
    expect(older).toBeGreaterThan(0);

    // A full pass (another feed name, so a backfill) reads the replica into the same store.
    const queue = `${r.taskQueue}-replica`;
    const config = { temporal: { taskQueue: queue } as Config['temporal'] };
    const lagging = await r.withWorker(
      async () => (await startFeedSync(env.client, config, { ...INPUT, feed: 'replica' })).result(),
      replica,
      queue,
    );
    expect(lagging.mode).toBe('backfill');
    expect(lagging.jobsReceived).toBe(behind.active.length);
    expect(lagging.skippedOlder).toBe(older + staleExpired);
    expect(lagging.revived).toBe(0);
    expect(lagging.jobsUpserted).toBe(0);
    // Jobs created upstream after the replica's clock were not in its feed, and are not expired for it.
    expect(lagging.reconciled).toBe(0);
    await expectMirror(r);
  } finally {
    await replica.close();
    await r.close();
  }
});
