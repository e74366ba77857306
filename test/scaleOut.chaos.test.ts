/**
 * Scale-out chaos (issue 18, part 4): three product worker processes on one Temporal dev server and one
 * PostgreSQL store, the sandbox over HTTP with its token bucket at N requests/s, and every worker configured
 * with UPSTREAM_RATE_LIMIT_PER_SECOND=N, the upstream key's whole limit (no division by the number of
 * workers). 300 applications (three run-once campaigns of 100, the most a run-once campaign holds) and a
 * feed backfill run at the same time; the worker running the backfill's page is killed with SIGKILL, a
 * second worker is drained with SIGTERM, and the last one finishes everything.
 *
 * Ground truth only: the sandbox's admin API (one submission per job, none twice, none else; zero 429s over
 * the whole run) and the PostgreSQL store (the job store equals the sandbox's feed; the ledger has every
 * application once). With a per-process bucket the three workers send up to 3N/s and the sandbox answers
 * 429s: that is this test's control.
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { campaignApplications, createRunOnce, type CreatedCampaign } from '../src/campaign/client';
import { dataConverterForKeys } from '../src/codec';
import { startFeedSync } from '../src/feedSync/client';
import { JoboClient } from '../src/jobo/client';
import { ledgerFor } from '../src/store/ledger';
import { PostgresJobStore } from '../src/store/postgres';
import { CALLER_ANSWERS, corpusJobs, createApplicant, type CorpusJob } from './application.fixtures';
import { mirrorProblems } from './support/feedMirror';
import { startPostgres, type TestPostgres } from './support/postgres';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';
import { postgresFleetEnv, startWorkerFleet, type WorkerFleet } from './support/workerFleet';

jest.setTimeout(420_000);

/** Requests/s: the sandbox's bucket and every worker's setting. Low enough that three workers can exceed it. */
const N = 15;
const CAMPAIGNS = 3;
const JOBS_PER_CAMPAIGN = 100;
const FEED_JOBS = 4000;
const FEED_BATCH = 50;
const taskQueue = 'scale-out-chaos';
const codecKey = { id: 'scaleout', key: randomBytes(32) };

let pg: TestPostgres;
let databaseUrl: string;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let store: PostgresJobStore;
let fleetStarting: Promise<WorkerFleet> | undefined;

beforeAll(async () => {
  [pg, env, sandbox] = await Promise.all([
    startPostgres(),
    startDevEnv({ dataConverter: dataConverterForKeys([codecKey]) }),
    startSandbox({ seed: 1818, jobs: FEED_JOBS }),
  ]);
  databaseUrl = await pg.createDatabase('scale_out');
  store = await PostgresJobStore.open(databaseUrl);
}, 180_000);

afterAll(async () => {
  await (await fleetStarting?.catch(() => undefined))?.close();
  await store?.close();
  await sandbox?.close();
  await env?.teardown();
  await pg?.stop();
});

test('300 applications and a backfill on three workers, one SIGKILLed and one drained: nothing lost, nothing twice, zero 429s', async () => {
  const t0 = performance.now();
  const at = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const timeline: string[] = [];
  // The workers start (bundling their workflows takes a while) during the set-up, which goes upstream before
  // the limit is on: profiles and their resumes, and the jobs to apply to. Workers send nothing until work comes.
  fleetStarting = startWorkerFleet(
    3,
    postgresFleetEnv({ temporalAddress: env.address, taskQueue, sandbox, databaseUrl, codecKey, upstreamRatePerSecond: N }),
  );
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  const profiles = await Promise.all(Array.from({ length: CAMPAIGNS }, () => createApplicant(jobo)));
  await jobo.close();
  // Written to the store as feed sync would (the backfill finds them unchanged); the rest is the backfill's.
  const jobs = await corpusJobs(sandbox.admin, store, CAMPAIGNS * JOBS_PER_CAMPAIGN);
  expect(jobs).toHaveLength(CAMPAIGNS * JOBS_PER_CAMPAIGN);
  await sandbox.admin.setFaults({ rateLimitPerSecond: N });
  const fleet = await fleetStarting;
  const [first, second, third] = fleet.workers;
  timeline.push(`workers ready ${at()}`);

  const feedConfig = { temporal: { taskQueue } } as Parameters<typeof startFeedSync>[1];
  const feed = await startFeedSync(env.client, feedConfig, { feed: 'scale-out', batchSize: FEED_BATCH });
  const slices = profiles.map((profileId, c) => ({
    profileId,
    jobs: jobs.slice(c * JOBS_PER_CAMPAIGN, (c + 1) * JOBS_PER_CAMPAIGN),
  }));
  const campaigns: CreatedCampaign[] = await Promise.all(
    slices.map(({ profileId, jobs: slice }) =>
      createRunOnce(
        env.client,
        {
          candidateProfileId: profileId,
          jobs: slice.map((j, k) => ({ companyName: `Company ${k}`, title: `Job ${k}`, jobId: j.id, link: j.url })),
          answers: CALLER_ANSWERS,
          limits: { concurrency: 10 },
        },
        { taskQueue },
      ),
    ),
  );
  const results = Promise.all(campaigns.map((c) => c.handle.result()));
  const feedResult = feed.result().finally(() => timeline.push(`backfill done ${at()}`));

  const submitted = async (atLeast: number) => ((await sandbox.admin.submissions()).total >= atLeast ? true : null);
  const feedPagesServed = async (atLeast: number) =>
    ((await sandbox.admin.stats()).byRoute['POST /api/jobs/feed']?.byStatus['200'] ?? 0) >= atLeast ? true : null;

  // A quarter into the backfill, once applications are being submitted, SIGKILL the worker running the
  // backfill's page (the first worker if the page is between attempts just then): a crashed host, mid-page
  // and mid-applications.
  const quarter = FEED_JOBS / FEED_BATCH / 4;
  await waitFor(
    'a quarter of the feed served and 10 submissions',
    async () => (await feedPagesServed(quarter)) && submitted(10),
    240_000,
    250,
  );
  const described = await feed.describe();
  const feedRunningAtKill = described.status.name === 'RUNNING';
  const submittedAtKill = (await sandbox.admin.submissions()).total;
  const pending = described.raw.pendingActivities ?? [];
  const killed = pending.map((a) => fleet.byIdentity(a.lastWorkerIdentity)).find((w) => w !== undefined) ?? first;
  const killedExit = fleet.stop(killed, 'SIGKILL');
  await killedExit;
  timeline.push(`SIGKILL ${at()} (${submittedAtKill} submitted)`);

  // Half way, drain another (SIGTERM: running activities get the worker's grace time; it then exits).
  await waitFor('150 submissions upstream', () => submitted(150), 240_000, 500);
  const drained = [first, second, third].find((w) => w !== killed)!;
  const drainedExit = fleet.stop(drained, 'SIGTERM');
  timeline.push(`SIGTERM ${at()}`);

  const views = await results;
  timeline.push(`campaigns done ${at()}`);
  const synced = await feedResult;
  const statsAfter = await sandbox.admin.stats();
  const upstreamRequests = Object.entries(statsAfter.byRoute)
    .filter(([route]) => !route.includes('/__admin'))
    .reduce((n, [, r]) => n + r.total, 0);
  console.log(
    `scale-out chaos: N = ${N} req/s, ${upstreamRequests} upstream requests, ${statsAfter.rateLimited} answered 429; ` +
      `backfill ${synced.pages} pages, ${synced.jobsUpserted} upserted, ${synced.skipped} skipped; ${timeline.join(', ')}`,
  );

  // Every job is accounted for in its campaign's results, and every application succeeded.
  for (const [c, view] of views.entries()) {
    expect(view).toMatchObject({ status: 'completed', type: 'run_once' });
    const apps = (await campaignApplications(env.client, campaigns[c].campaignId, { limit: 100 })).data;
    expect(new Set(apps.map((a) => a.job_url))).toEqual(new Set(slices[c].jobs.map((j) => j.url)));
    expect(apps.filter((a) => a.status !== 'SUCCESS').map((a) => `${a.applicationId}: ${a.status} ${a.error}`)).toEqual([]);
    expect(view.stats).toMatchObject({ totalApplications: JOBS_PER_CAMPAIGN, successfulApplications: JOBS_PER_CAMPAIGN, jobsQueued: 0 });
  }

  // Ground truth upstream: exactly one submission per (profile, job), nothing else, and no 429 at all.
  const key = (profileId: string | null, jobUrl: string) => `${profileId} ${jobUrl}`;
  const { submissions } = await sandbox.admin.submissions();
  expect(new Map(submissions.map((s) => [key(s.profile_id, s.job_url), s.count]))).toEqual(
    new Map(slices.flatMap(({ profileId, jobs: slice }) => slice.map((j: CorpusJob) => [key(profileId, j.url), 1]))),
  );
  expect(statsAfter.rateLimited).toBe(0);

  // Ground truth in the store: the job store equals the sandbox's feed...
  expect(synced.mode).toBe('backfill');
  const [states, truth] = [await store.jobStates(), await sandbox.admin.groundTruthJobs()];
  expect(mirrorProblems(states, truth)).toEqual([]);
  expect(states.active.length).toBe(truth.active.length);
  // ...and the ledger has each application once, SUCCESS.
  const ledger = await ledgerFor(store);
  const rows = (await Promise.all(campaigns.map((c) => ledger.list({ campaignId: c.campaignId })))).flat();
  expect(
    rows
      .filter((r) => r.status === 'SUCCESS')
      .map((r) => key(r.profileId, r.jobUrl))
      .sort(),
  ).toEqual(slices.flatMap(({ profileId, jobs: slice }) => slice.map((j) => key(profileId, j.url))).sort());

  // The kills happened as intended: the backfill was still running at the SIGKILL, the drain ended cleanly.
  expect(feedRunningAtKill).toBe(true);
  expect(submittedAtKill).toBeLessThan(CAMPAIGNS * JOBS_PER_CAMPAIGN);
  expect(await killedExit).toBe('SIGKILL');
  expect(await drainedExit).toBe(0);
});
