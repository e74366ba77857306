/**
 * `npm run bench:feed-sync`: what durability costs a backfill. Both sides sync the same sandbox feed
 * (BENCH_JOBS, default 200,000 jobs) into an empty SQLite store, over the same JoboClient and store code:
 *  - workflow: the feedSync workflow on a dev server, one syncFeedPage activity per page;
 *  - bare: a plain loop, feed page → upsertJobs, no Temporal (the practical limit).
 * The bare loop reads one page ahead through FeedPager; the workflow's syncFeedPage pipelines up to 20 pages
 * inside each activity, so the difference is Temporal plus how each side overlaps fetch and write.
 * BENCH_ROUNDS (default 2) rounds alternate which side goes first, each into fresh stores, so both sides see
 * the same mix of machine load (two shared cores). Prints jobs/s for each (total jobs / total time), the
 * workflow/bare ratio (target >= 0.9) and the peak RSS of this process (sandbox, worker and store together;
 * the Temporal server is a separate process) during each side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeedSyncActivities } from '../src/feedSync/activities';
import { startFeedSync } from '../src/feedSync/client';
import { FEED_MAX_BATCH } from '../src/feedSync/input';
import { FeedPager } from '../src/feedSync/pager';
import { JoboClient } from '../src/jobo/client';
import { SqliteJobStore } from '../src/store/sqlite';
import { startSandbox } from '../test/support/sandbox';
import { startDevEnv } from '../test/support/temporal';
import { createTestWorker } from '../test/support/worker';

const JOBS = Number(process.env.BENCH_JOBS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? FEED_MAX_BATCH);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const MB = 1024 * 1024;

interface Measured {
  jobs: number;
  seconds: number;
  peakRssMb: number;
}

/** Times `fn` and samples RSS while it runs (maxRSS from the OS only ever grows over the process's life). */
async function measure(fn: () => Promise<number>): Promise<Measured> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const t0 = process.hrtime.bigint();
  try {
    const jobs = await fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { jobs, seconds, peakRssMb: Math.max(peak, process.memoryUsage.rss()) / MB };
  } finally {
    clearInterval(timer);
  }
}

/** The same loop the workflow runs, minus Temporal: page (with the same read-ahead), upsert, next cursor. */
async function bareSync(jobo: JoboClient, store: SqliteJobStore, runId: string, maxPages = Infinity): Promise<number> {
  const pager = new FeedPager(jobo);
  let cursor: string | null = null;
  let jobs = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    const { data } = await pager.page({ cursor, updatedAfter: null, batchSize: BATCH });
    jobs += (await store.upsertJobs(data.jobs, { seenInRun: runId })).upserted;
    if (!data.has_more) break;
    cursor = data.next_cursor;
  }
  pager.close();
  return jobs;
}

function row(name: string, m: Measured): string {
  const rate = (m.jobs / m.seconds).toFixed(0).padStart(8);
  const secs = m.seconds.toFixed(1).padStart(7);
  return `  ${name.padEnd(12)} ${String(m.jobs).padStart(8)} jobs ${secs} s ${rate} jobs/s   peak RSS ${m.peakRssMb.toFixed(0)} MB`;
}

function total(ms: Measured[]): Measured {
  return {
    jobs: ms.reduce((a, m) => a + m.jobs, 0),
    seconds: ms.reduce((a, m) => a + m.seconds, 0),
    peakRssMb: Math.max(...ms.map((m) => m.peakRssMb)),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-bench-feed-'));
  console.log(`feed-sync bench: ${JOBS} jobs, pages of ${BATCH}, ${ROUNDS} rounds, SQLite in ${dir}`);
  const env = await startDevEnv();
  const sandbox = await startSandbox({ seed: 77, jobs: JOBS, credits: JOBS * ROUNDS * 10 });
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  const stores: SqliteJobStore[] = [];
  const open = (name: string) => {
    const store = new SqliteJobStore(join(dir, `${name}.sqlite`));
    stores.push(store);
    return store;
  };
  try {
    // Warm-up outside both measurements: JIT and statement caches, and one full read of the feed so the
    // sandbox's lazily built corpus data does not count against whichever side happens to go first.
    await bareSync(jobo, open('warmup'), 'warmup', 5);
    const reader = new FeedPager(jobo);
    for (let cursor: string | null = null, more = true; more;) {
      const { data } = await reader.page({ cursor, updatedAfter: null, batchSize: BATCH });
      [cursor, more] = [data.next_cursor, data.has_more];
    }
    reader.close();

    const taskQueue = 'bench-feed-sync';
    let wfStore: SqliteJobStore | undefined;
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: createFeedSyncActivities({ jobo, store: async () => wfStore! }),
    });
    const sides = {
      bare: (round: number) => measure(() => bareSync(jobo, open(`bare-${round}`), `bare-${round}`)),
      workflow: (round: number) => {
        wfStore = open(`workflow-${round}`);
        return measure(async () => {
          const input = { feed: `bench-${round}`, batchSize: BATCH };
          const handle = await startFeedSync(env.client, { temporal: { taskQueue } } as never, input);
          return (await handle.result()).jobsUpserted;
        });
      },
    };
    const results: Record<keyof typeof sides, Measured[]> = { bare: [], workflow: [] };
    // The worker polls throughout, so the bare side runs beside an idle worker: the same process either way.
    await worker.runUntil(async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const order: (keyof typeof sides)[] = round % 2 === 0 ? ['bare', 'workflow'] : ['workflow', 'bare'];
        for (const side of order) {
          const m = await sides[side](round);
          // Both sides must have done the same work, or the comparison means nothing.
          if (m.jobs !== JOBS) throw new Error(`${side} round ${round + 1} stored ${m.jobs} jobs, expected ${JOBS}`);
          results[side].push(m);
          console.log(row(`${side} #${round + 1}`, m));
        }
      }
    });
    const [bare, workflow] = [total(results.bare), total(results.workflow)];
    console.log(row('bare', bare));
    console.log(row('workflow', workflow));
    const ratio = workflow.jobs / workflow.seconds / (bare.jobs / bare.seconds);
    console.log(`  ratio        workflow/bare = ${ratio.toFixed(3)} (target >= 0.9)`);
  } finally {
    for (const s of stores) await s.close();
    await jobo.close();
    await sandbox.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
