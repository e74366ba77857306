/**
 * `npm run bench:fan-out`: one upstream limit across several worker processes (issue 18, part 5).
 * BENCH_WORKERS (default 3) product worker processes (test/support/workerProcess.ts, the real worker from
 * config) on one Temporal dev server and one PostgreSQL store, the sandbox over HTTP as the upstream:
 *  1. Baseline: BENCH_BASELINE_APPLICATIONS (default 150) applications in five run-once campaigns
 *     (concurrency 10 each) with no limit anywhere (sandbox bucket off, UPSTREAM_RATE_LIMIT_PER_SECOND at its
 *     maximum): the request rate these workers can generate on this machine at all.
 *  2. Limited: fresh workers with UPSTREAM_RATE_LIMIT_PER_SECOND=N on every one (the key's whole limit, not
 *     divided by the number of workers) and the sandbox's token bucket at N (BENCH_LIMIT, default 10);
 *     BENCH_APPLICATIONS (default 500) applications in five run-once campaigns of 100 (concurrency 10 each).
 *     Achieved upstream requests/s over the run as a fraction of N (target >= 0.9; only meaningful when the
 *     baseline exceeds N), the same over the steady middle of the run (ramp-up and tail left out), the
 *     busiest second, and the 429s the sandbox answered (target 0).
 * Requests are the sandbox's own count (GET /__admin/stats, admin routes left out). Two shared cores: the
 * load average is printed before and after; compare only figures from one run.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { dataConverterForKeys } from '../src/codec';
import { JoboClient } from '../src/jobo/client';
import { PostgresJobStore } from '../src/store/postgres';
import { corpusJobs, createApplicant, type CorpusJob } from '../test/application.fixtures';
import { startPostgres } from '../test/support/postgres';
import { startSandbox } from '../test/support/sandbox';
import { startDevEnv } from '../test/support/temporal';
import { apiRequests, applyInCampaigns } from './support/campaigns';
import { postgresFleetEnv, startWorkerFleet, type WorkerFleet } from '../test/support/workerFleet';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 3);
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 500);
const BASELINE_APPLICATIONS = Number(process.env.BENCH_BASELINE_APPLICATIONS ?? 150);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 10);
const CAMPAIGNS = 5;
const CONCURRENCY = 10;
/** The configuration's maximum: the shared schedule is still consulted, but never makes anyone wait. */
const NO_LIMIT = 10_000;
const taskQueue = 'bench-fan-out';
const codecKey = { id: 'fanout', key: randomBytes(32) };

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

interface RunFigures {
  ok: number;
  failed: number;
  elapsed: number;
  requests: number;
  rate: number;
  /** Requests/s between 10% and 90% of the run's requests (ramp-up and tail left out). */
  steadyRate: number;
  /** The most requests the sandbox counted in one sampled second. */
  busiestSecond: number;
  rateLimited: number;
}

async function main(): Promise<void> {
  console.log(
    `fan-out: ${WORKERS} worker processes, ${APPLICATIONS} applications at N = ${LIMIT} req/s, baseline ${BASELINE_APPLICATIONS}; load ${load()}`,
  );
  const [pg, env, sandbox] = await Promise.all([
    startPostgres(),
    startDevEnv({ dataConverter: dataConverterForKeys([codecKey]) }),
    startSandbox({ seed: 1819, jobs: APPLICATIONS + BASELINE_APPLICATIONS + 200 }),
  ]);
  let fleet: WorkerFleet | undefined;
  let store: PostgresJobStore | undefined;
  try {
    const databaseUrl = await pg.createDatabase('fan_out');
    store = await PostgresJobStore.open(databaseUrl);
    const jobs = await corpusJobs(sandbox.admin, store, APPLICATIONS + BASELINE_APPLICATIONS);
    const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
    const profiles = await Promise.all(Array.from({ length: 2 * CAMPAIGNS }, () => createApplicant(jobo)));
    await jobo.close();

    const workerEnv = (limit: number) =>
      postgresFleetEnv({ temporalAddress: env.address, taskQueue, sandbox, databaseUrl, codecKey, upstreamRatePerSecond: limit });

    /** CAMPAIGNS run-once campaigns over `slice`, one profile each; the sandbox's count of what they sent. */
    const applyAll = async (slice: CorpusJob[], campaignProfiles: string[]): Promise<RunFigures> => {
      await new Promise((r) => setTimeout(r, 1100)); // a full upstream bucket to start from
      const s0 = await sandbox.admin.stats();
      const t0 = performance.now();
      // The sandbox's count once a second: the steady rate and the busiest second.
      const samples: { t: number; requests: number }[] = [{ t: 0, requests: apiRequests(s0) }];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await new Promise((r) => setTimeout(r, 1000));
          samples.push({ t: (performance.now() - t0) / 1000, requests: apiRequests(await sandbox.admin.stats()) });
        }
      })();
      const { ok, failed } = await applyInCampaigns(env.client, slice, campaignProfiles, { concurrency: CONCURRENCY, taskQueue });
      const elapsed = (performance.now() - t0) / 1000;
      sampling = false;
      await sampler;
      const s1 = await sandbox.admin.stats();
      const requests = apiRequests(s1) - apiRequests(s0);
      // Each sample's stats request is one admin request; the admin routes are not counted above.
      const at = (fraction: number) => samples.find((s) => s.requests - samples[0].requests >= fraction * requests) ?? samples.at(-1)!;
      const [from, to] = [at(0.1), at(0.9)];
      const busiestSecond = samples.slice(1).reduce((m, s, i) => Math.max(m, (s.requests - samples[i].requests) / (s.t - samples[i].t)), 0);
      return {
        ok,
        failed,
        elapsed,
        requests,
        rate: requests / elapsed,
        steadyRate: to.t > from.t ? (to.requests - from.requests) / (to.t - from.t) : NaN,
        busiestSecond,
        rateLimited: s1.rateLimited - s0.rateLimited,
      };
    };
    const describe = (r: RunFigures) =>
      `${r.ok} SUCCESS, ${r.failed} FAILED; ${r.requests} requests in ${r.elapsed.toFixed(1)} s = ${r.rate.toFixed(1)} req/s ` +
      `(steady middle ${r.steadyRate.toFixed(1)}, busiest second ${r.busiestSecond.toFixed(0)}); 429s ${r.rateLimited}`;

    // ---- 1. baseline: no limit anywhere -----------------------------------------------------------
    let t = performance.now();
    fleet = await startWorkerFleet(WORKERS, workerEnv(NO_LIMIT));
    console.log(`baseline workers ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const base = await applyAll(jobs.slice(APPLICATIONS), profiles.slice(CAMPAIGNS));
    console.log(`baseline (no limit anywhere): ${BASELINE_APPLICATIONS} applications, ${describe(base)}; load ${load()}`);
    await Promise.all(fleet.workers.map((w) => fleet!.stop(w, 'SIGTERM')));

    // ---- 2. limited: N on the sandbox and on every worker --------------------------------------------
    await sandbox.admin.setFaults({ rateLimitPerSecond: LIMIT });
    t = performance.now();
    fleet = await startWorkerFleet(WORKERS, workerEnv(LIMIT));
    console.log(`limited workers ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const run = await applyAll(jobs.slice(0, APPLICATIONS), profiles.slice(0, CAMPAIGNS));
    console.log(
      `limited: ${APPLICATIONS} applications in ${CAMPAIGNS} run-once campaigns (concurrency ${CONCURRENCY} each) on ${WORKERS} workers, ` +
        `sandbox limit N = ${LIMIT} req/s, UPSTREAM_RATE_LIMIT_PER_SECOND=${LIMIT} on every worker`,
    );
    console.log(`  ${describe(run)}`);
    console.log(
      `  achieved ${(run.rate / LIMIT).toFixed(3)} × N over the run (target >= 0.9), ${(run.steadyRate / LIMIT).toFixed(3)} × N steady;` +
        ` baseline demand ${(base.rate / LIMIT).toFixed(2)} × N${base.rate > LIMIT ? '' : ' (NOT above N: the fraction says little)'}`,
    );
    console.log(`  429s received: ${run.rateLimited} (target 0); load ${load()}`);
  } finally {
    await fleet?.close();
    await store?.close();
    await sandbox.close();
    await env.teardown();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
