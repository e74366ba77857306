/**
 * A feed sync against the sandbox in "upstream shapes" mode (the published 4.0.0 sub-objects, optional parts
 * absent) with odd jobs switched on: on a real dev server, the real sandbox over HTTP and a real SQLite
 * store. The store ends equal to the ground truth, every odd job is stored with its fallback, and the
 * tolerated oddities the sync reports equal what the sandbox says it served. A 409 cursor restart is
 * handled like an invalid cursor, and the incremental pass uses updated_after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createFeedSyncActivities } from '../src/feedSync/activities';
import { startFeedSync } from '../src/feedSync/client';
import { checkpointKey, type FeedCheckpoint } from '../src/feedSync/input';
import { JoboClient } from '../src/jobo/client';
import { SqliteJobStore } from '../src/store/sqlite';
import { mirrorProblems } from './support/feedMirror';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

jest.setTimeout(300_000);

let env: TestWorkflowEnvironment;
let dir: string;

beforeAll(async () => {
  env = await startDevEnv();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-feed-upstream-'));
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

test('a sync in upstream shapes with odd jobs ends equal to the ground truth and reports the tolerated oddities', async () => {
  const sandbox = await startSandbox({ seed: 1313, jobs: 600, shapes: { jobs: 'upstream', oddJobRate: 0.15 } });
  const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5000 });
  const activities = createFeedSyncActivities({ jobo, store: async () => store });
  const sync = async () => {
    const worker = await createTestWorker(env, { taskQueue: 'feed-upstream', activities });
    return worker.runUntil(async () =>
      (await startFeedSync(env.client, { temporal: { taskQueue: 'feed-upstream' } as never }, { feed: 'up', batchSize: 50 })).result(),
    );
  };
  const oddCounts = (jobs: { odd_field: string | null }[]) => {
    const out: Record<string, number> = {};
    for (const j of jobs) if (j.odd_field) out[j.odd_field] = (out[j.odd_field] ?? 0) + 1;
    return out;
  };
  try {
    // Backfill, with one 409 "cursor restart required" on its first continuation.
    await sandbox.admin.setFaults({ cursorRestartNext: 1 });
    const truth = (await sandbox.admin.groundTruthFeed()).jobs;
    const backfill = await sync();
    expect(backfill.mode).toBe('backfill');
    expect(backfill.restarts).toBe(1);
    expect(backfill.estimatedTotal).toBe(600);
    expect((await sandbox.admin.stats()).byRoute['POST /api/jobs/feed'].byStatus['409']).toBe(1);
    expect(mirrorProblems(await store.jobStates(), await sandbox.admin.groundTruthJobs())).toEqual([]);
    // The restart re-read the first page (stable order: oldest created first); its odd jobs count again.
    const firstPage = [...truth].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || 0).slice(0, 50);
    const expected = oddCounts(truth);
    for (const [f, n] of Object.entries(oddCounts(firstPage))) expected[f] += n;
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(5);
    expect(backfill.oddities).toEqual(expected);
    expect(backfill.dropped).toBe(0);

    // Odd jobs are stored with what parsed, the odd field at its documented fallback.
    for (const odd of truth.filter((j) => j.odd_field).slice(0, 40)) {
      const { job } = (await store.getJob(odd.id))!;
      const fallback: Record<string, unknown> = {
        employment_type: job.employment_type,
        workplace_type: job.workplace_type,
        'locations.*.latitude': job.locations[0].latitude,
        'compensation.period': job.compensation,
        is_h1b_sponsor: job.is_h1b_sponsor,
        summary: job.summary,
      };
      expect([odd.odd_field, fallback[odd.odd_field!]]).toEqual([odd.odd_field, null]);
      expect(job.title.length).toBeGreaterThan(0);
    }
    // Everything else arrives normalized: skills as names, region as state, yearly as year.
    const normal = (await store.getJob(truth.find((j) => !j.odd_field && j.locations.some((l) => l.region))!.id))!.job;
    expect(normal.qualifications.must_have.skills.every((s) => typeof s === 'string')).toBe(true);
    expect(normal.locations.some((l) => l.state !== null)).toBe(true);

    // Incremental: updated_after = last run - 15 min, so the edits since reach the store.
    const raw = await store.getCheckpoint(checkpointKey('up'));
    const lastRun = (JSON.parse(raw!) as FeedCheckpoint).lastRunStartedAt;
    const churn = await sandbox.admin.advanceClock(60);
    expect(churn.updated).toBeGreaterThan(0);
    const after = (await sandbox.admin.groundTruthFeed()).jobs;
    const incremental = await sync();
    expect(incremental.mode).toBe('incremental');
    const delivered = after.filter((j) => Date.parse(j.updated_at) >= Date.parse(lastRun) - 15 * 60_000);
    expect(incremental.jobsReceived).toBe(delivered.length);
    expect(incremental.oddities).toEqual(oddCounts(delivered));
    expect(mirrorProblems(await store.jobStates(), await sandbox.admin.groundTruthJobs())).toEqual([]);
    const feedRequests = (await sandbox.admin.stats()).byRoute['POST /api/jobs/feed'].total;
    expect(feedRequests).toBeGreaterThan(0);
  } finally {
    await jobo.close();
    await store.close();
    await sandbox.close();
  }
});
