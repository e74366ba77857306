/**
 * `npx ts-node --transpile-only bench/campaigns.ts`: campaigns at scale on one in-process worker.
 *  1. BENCH_CAMPAIGNS (default 1000) recurring campaigns: the time to start them all, the time until every
 *     one answers its `campaign` query with its next run scheduled, and the worker process's memory
 *     (RSS and heap) before and after, per campaign, its peak RSS (VmHWM) and the dev server's own RSS (a
 *     separate process). Their ticks are 12 h away: this measures idle campaigns. TEMPORAL_MAX_CACHED_WORKFLOWS (the worker's own setting) sets the
 *     worker's `maxCachedWorkflows` (default: the SDK's, from the heap limit; printed).
 *  2. Baseline: 100 applications (five run-once campaigns of 20) with no limit anywhere: the request rate
 *     this machine's worker can generate at all. Then BENCH_APPLICATIONS (default 500) applications (five
 *     run-once campaigns) against a sandbox that allows BENCH_LIMIT (default 30) requests/s, with the
 *     worker's shared token bucket set to the same N: achieved upstream requests/s as a fraction of N
 *     (target >= 0.9; only meaningful when the baseline rate exceeds N) and the number of 429s received.
 * BENCH_PART=campaigns runs part 1 alone, BENCH_PART=limit part 2 alone (default: both).
 * Real dev server, real sandbox over HTTP, real SQLite store and ledger.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createApplicationActivities } from '../src/application/activities';
import { createCampaignActivities } from '../src/campaign/activities';
import { createAutopilotRecurring, getCampaign } from '../src/campaign/client';
import { JoboClient } from '../src/jobo/client';
import { TokenBucket } from '../src/jobo/rateLimit';
import { SA } from '../src/searchAttributes';
import { corpusJobs, createApplicant } from '../test/application.fixtures';
import { startSandbox } from '../test/support/sandbox';
import { openTempStore } from '../test/support/tempStore';
import { startDevEnv } from '../test/support/temporal';
import { apiRequests, applyInCampaigns } from './support/campaigns';
import { createTestWorker } from '../test/support/worker';

const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 1000);
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 500);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 30);
const PART = process.env.BENCH_PART ?? 'all';
if (!['all', 'campaigns', 'limit'].includes(PART)) throw new Error(`BENCH_PART is all, campaigns or limit, not ${PART}`);
const MAX_CACHED = process.env.TEMPORAL_MAX_CACHED_WORKFLOWS === undefined ? undefined : Number(process.env.TEMPORAL_MAX_CACHED_WORKFLOWS);

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** VmRSS and VmHWM (peak RSS) of a process in bytes, from /proc (Linux); null elsewhere or if it is gone. */
function procMemory(pid: number | 'self'): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** This process's child processes (the dev server is one), over all its threads; [] if /proc is not there. */
function childPids(): number[] {
  try {
    return readdirSync('/proc/self/task').flatMap((tid) =>
      readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const env = await startDevEnv();
  const sandbox = await startSandbox({ seed: 17, jobs: Math.max(800, APPLICATIONS + 300) });
  const temp = await openTempStore('applyflow-bench-campaigns-');
  const { store } = temp;
  // The worker's shared bucket, as JoboClient.fromConfig builds it, at the sandbox's limit (off for the baseline).
  const bucket = new TokenBucket(LIMIT);
  let limited = false;
  const rateLimiter = { acquire: (signal?: AbortSignal) => (limited ? bucket.acquire(signal) : Promise.resolve()) };
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, rateLimiter });
  const deps = { jobo, store: async () => store };
  const taskQueue = 'bench-campaigns';
  const worker = await createTestWorker(env, {
    taskQueue,
    activities: { ...createApplicationActivities(deps), ...createCampaignActivities(deps) },
    maxConcurrentActivityTaskExecutions: 100,
    ...(MAX_CACHED === undefined ? {} : { maxCachedWorkflows: MAX_CACHED }),
  });
  const running = worker.run();
  try {
    const jobs = PART === 'campaigns' ? [] : await corpusJobs(sandbox.admin, store, APPLICATIONS + 100);
    // ---- 1. idle recurring campaigns ------------------------------------------------------------
    if (PART !== 'limit') await idleCampaigns();
    async function idleCampaigns(): Promise<void> {
      const profileId = await createApplicant(jobo);
      const server = childPids()
        .map((pid) => ({ pid, mem: procMemory(pid) }))
        .find((c) => c.mem);
      const serverBefore = server?.mem ?? null;
      global.gc?.();
      const before = process.memoryUsage();
      const later = new Date(Date.now() + 12 * 3_600_000);
      const time = `${String(later.getUTCHours()).padStart(2, '0')}:${String(later.getUTCMinutes()).padStart(2, '0')}`;
      const loadStart = load();
      const t0 = performance.now();
      const ids: string[] = [];
      await pool(
        Array.from({ length: CAMPAIGNS }, (_, i) => i),
        50,
        async (i) => {
          const c = await createAutopilotRecurring(
            env.client,
            {
              campaignId: `bench-${process.pid}-${i}`,
              candidateProfileId: profileId,
              schedule: { pattern: 'daily', time, timezone: 'UTC' },
              filters: { jobTitle: 'engineer' },
            },
            { taskQueue },
          );
          ids.push(c.campaignId);
        },
      );
      const started = performance.now() - t0;
      await pool(ids, 50, async (id) => {
        for (;;) {
          const v = await getCampaign(env.client, id).catch(() => null);
          if (v?.stats.nextRunAt) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      });
      const scheduled = performance.now() - t0;
      const loadScheduled = load();
      global.gc?.();
      const after = process.memoryUsage();
      const self = procMemory('self');
      const serverAfter = server ? procMemory(server.pid) : null;
      const cached = worker.getStatus().numCachedWorkflows;
      const described = await env.client.workflow.getHandle(`campaign/${ids[0]}`).describe();
      console.log(`recurring campaigns: ${CAMPAIGNS} (load average at start ${loadStart}, when all scheduled ${loadScheduled})`);
      console.log(`  started in ${(started / 1000).toFixed(2)} s (${(started / CAMPAIGNS).toFixed(2)} ms each, 50 clients at once)`);
      console.log(`  all scheduled (query answered with nextRunAt) after ${(scheduled / 1000).toFixed(2)} s`);
      console.log(
        `  worker process memory: rss ${mb(before.rss)} → ${mb(after.rss)} MB (+${((after.rss - before.rss) / 1024 / CAMPAIGNS).toFixed(1)} KB per campaign), ` +
          `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB` +
          (global.gc ? '' : ' (run node with --expose-gc for steadier heap figures)'),
      );
      if (self) console.log(`  worker process peak RSS (VmHWM): ${mb(self.peak)} MB (this process: worker, sandbox, SQLite store, client)`);
      console.log(
        `  workflow cache: ${cached} of ${CAMPAIGNS} campaigns cached (maxCachedWorkflows ${worker.options.maxCachedWorkflows}` +
          `${MAX_CACHED === undefined ? ', the SDK default' : ', TEMPORAL_MAX_CACHED_WORKFLOWS'})`,
      );
      console.log(
        `  history of one campaign: ${described.historyLength} events, ${String(described.raw.workflowExecutionInfo?.historySizeBytes ?? '?')} bytes`,
      );
      if (serverBefore && serverAfter) {
        console.log(
          `  dev server (separate process ${server?.pid}): rss ${mb(serverBefore.rss)} → ${mb(serverAfter.rss)} MB, peak ${mb(serverAfter.peak)} MB`,
        );
      }
      const t1 = performance.now();
      await pool(ids, 50, (id) => env.client.workflow.getHandle(`campaign/${id}`).terminate('bench over'));
      console.log(`  terminated all in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    }
    if (PART === 'campaigns') return;

    // ---- 2. applications through the shared bucket against the sandbox's limit --------------------
    /** Five run-once campaigns over `slice`, concurrency 10 each; returns the outcome and the request rate. */
    const applyAll = async (slice: typeof jobs) => {
      const profiles = await Promise.all(Array.from({ length: 5 }, () => createApplicant(jobo)));
      await new Promise((r) => setTimeout(r, 1100)); // a full upstream bucket to start from
      const s0 = await sandbox.admin.stats();
      const a0 = performance.now();
      const { ok, failed } = await applyInCampaigns(env.client, slice, profiles, { concurrency: 10, taskQueue });
      const elapsed = (performance.now() - a0) / 1000;
      const s1 = await sandbox.admin.stats();
      const requests = apiRequests(s1) - apiRequests(s0);
      return {
        ok,
        failed,
        elapsed,
        requests,
        rate: requests / elapsed,
        rateLimited: s1.rateLimited - s0.rateLimited,
      };
    };
    const base = await applyAll(jobs.slice(APPLICATIONS, APPLICATIONS + 100));
    console.log(
      `baseline (no limit anywhere): 100 applications, ${base.ok} SUCCESS, ${base.requests} requests in ${base.elapsed.toFixed(1)} s = ${base.rate.toFixed(1)} req/s`,
    );

    await sandbox.admin.setFaults({ rateLimitPerSecond: LIMIT });
    limited = true;
    const run = await applyAll(jobs.slice(0, APPLICATIONS));
    const { count: children } = await env.client.workflow.count(`${SA.kind.name} = 'application'`);
    console.log(
      `limited: ${APPLICATIONS} applications in 5 run-once campaigns (concurrency 10 each), sandbox limit N = ${LIMIT} req/s, worker bucket N`,
    );
    console.log(
      `  ${run.ok} SUCCESS, ${run.failed} FAILED, ${children} application workflows in visibility, in ${run.elapsed.toFixed(1)} s`,
    );
    console.log(
      `  upstream requests: ${run.requests} → ${run.rate.toFixed(1)} req/s = ${(run.rate / LIMIT).toFixed(3)} of N (target >= 0.9;` +
        ` baseline demand ${(base.rate / LIMIT).toFixed(2)} × N)`,
    );
    console.log(`  429s received: ${run.rateLimited}`);
  } finally {
    worker.shutdown();
    await running;
    await jobo.close();
    await sandbox.close();
    await env.teardown();
    await temp.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
