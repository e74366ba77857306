/**
 * Campaigns end to end: the real Temporal dev server, a worker with the real application and campaign
 * activities, the sandbox over HTTP as the upstream (its admin API is the ground truth for submissions) and
 * a SQLite job store and ledger. The recurring schedule itself is covered under time skipping
 * (campaign.timeskip.test.ts, campaign.recurring.test.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { createCampaignActivities } from '../src/campaign/activities';
import {
  campaignApplications,
  campaignRuns,
  createAutopilotOnce,
  createRunOnce,
  getCampaign,
  InvalidCampaignInputError,
  listCampaigns,
  stopCampaign,
} from '../src/campaign/client';
import type { CampaignJob } from '../src/campaign/input';
import { JoboClient } from '../src/jobo/client';
import { SA } from '../src/searchAttributes';
import type { ApplicationsLedger } from '../src/store/ledger';
import type { SqliteJobStore } from '../src/store/sqlite';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'campaign-e2e';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let store: SqliteJobStore;
let ledger: ApplicationsLedger;
let jobs: CorpusJob[];

const asCampaignJob = (j: CorpusJob, i: number): CampaignJob => ({
  companyName: `Company ${i}`,
  title: `Job ${i}`,
  jobId: j.id,
  link: j.url,
});

beforeAll(async () => {
  temp = await openTempStore('applyflow-campaign-e2e-');
  ({ store, ledger } = temp);
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 21, jobs: 300 },
    taskQueue,
    activities: (jobo) => {
      const deps = { jobo, store: async () => store };
      return { ...createApplicationActivities(deps), ...createCampaignActivities(deps) };
    },
    worker: { maxConcurrentActivityTaskExecutions: 40 },
  });
  ({ env, sandbox, jobo } = rig);
  jobs = await corpusJobs(sandbox.admin, store, 200);
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
});

test('a run-once campaign of 100 jobs accounts for 100 applications, each submitted once', async () => {
  const profileId = await createApplicant(jobo);
  const hundred = jobs.slice(0, 100);
  const { campaignId, handle } = await createRunOnce(
    env.client,
    {
      candidateProfileId: profileId,
      jobs: hundred.map(asCampaignJob),
      answers: CALLER_ANSWERS,
      limits: { concurrency: 10 },
      searchId: 'srch_e2e',
    },
    { taskQueue },
  );
  const done = await handle.result();

  expect(done).toMatchObject({ status: 'completed', type: 'run_once', searchId: 'srch_e2e' });
  expect(done.stats).toMatchObject({ totalRuns: 1, totalApplications: 100, jobsQueued: 0 });
  expect(done.stats.successfulApplications + done.stats.failedApplications).toBe(100);
  const apps = (await campaignApplications(env.client, campaignId, { limit: 100 })).data;
  expect(apps).toHaveLength(100);
  expect(new Set(apps.map((a) => a.job_url))).toEqual(new Set(hundred.map((j) => j.url)));
  const failed = apps.filter((a) => a.status !== 'SUCCESS');
  expect(failed.map((a) => `${a.ats_type}: ${a.error}`)).toEqual([]); // every sandbox form is answerable with the caller's answers
  expect(apps.every((a) => a.search_id === 'srch_e2e' && a.result?.confirmationUrl)).toBe(true);

  // Ground truth: exactly one submission per job, nothing else for this profile.
  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect(submitted.size).toBe(100);
  expect([...submitted.values()].every((n) => n === 1)).toBe(true);

  const [run] = (await campaignRuns(env.client, campaignId)).data;
  expect(run).toMatchObject({
    status: 'completed',
    stats: { jobsFound: 100, applicationsAttempted: 100, applicationsSuccessful: 100, applicationsFailed: 0 },
  });
  // The applications are child workflows, searchable by the campaign id; the ledger has them too.
  const query = `${SA.kind.name} = 'application' AND ${SA.campaignId.name} = '${campaignId}'`;
  await waitFor('visibility to list the applications', async () => (await env.client.workflow.count(query)).count === 100);
  expect((await ledger.list({ campaignId })).filter((r) => r.status === 'SUCCESS')).toHaveLength(100);
  const sa = (await handle.describe()).typedSearchAttributes;
  expect([sa.get(SA.kind), sa.get(SA.status), sa.get(SA.campaignType), sa.get(SA.profileId)]).toEqual([
    'campaign',
    'completed',
    'run_once',
    profileId,
  ]);
});

test('autopilot campaigns skip what the profile applied to; two at once never apply twice', async () => {
  const profileId = await createApplicant(jobo);
  const filters = { companyInclude: [...new Set((await store.searchJobs({ limit: 1000 })).map((j) => j.companyName))].slice(0, 50) };
  const make = () =>
    createAutopilotOnce(
      env.client,
      { candidateProfileId: profileId, filters, answers: CALLER_ANSWERS, limits: { maxJobsPerRun: 12, concurrency: 4 } },
      { taskQueue },
    );
  // Two at the same time race for the same jobs: the application id (REJECT_DUPLICATE) and the ledger decide.
  const [a, b] = await Promise.all([make(), make()]);
  const [ra, rb] = await Promise.all([a.handle.result(), b.handle.result()]);
  // Then a third, after both: the ledger leaves everything applied to out of its search.
  const c = await make();
  const rc = await c.handle.result();

  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect([...submitted.values()].every((n) => n === 1)).toBe(true);
  const appsA = (await campaignApplications(env.client, a.campaignId, { limit: 100 })).data;
  const appsB = (await campaignApplications(env.client, b.campaignId, { limit: 100 })).data;
  const appsC = (await campaignApplications(env.client, c.campaignId, { limit: 100 })).data;
  expect([ra, rb, rc].map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
  expect(appsA).toHaveLength(12);
  // The jobs both found are accounted for in both; only one of them went upstream.
  const urls = new Set([...appsA, ...appsB, ...appsC].map((x) => x.job_url));
  expect(submitted.size).toBe(urls.size);
  expect([...appsA, ...appsB, ...appsC].every((x) => x.status === 'SUCCESS')).toBe(true);
  // A job both found went upstream from one of them; the other took the outcome from the ledger.
  for (const x of appsA) {
    const y = appsB.find((z) => z.job_url === x.job_url);
    if (y) expect([x.already_applied, y.already_applied].sort()).toEqual([false, true]);
  }
  // The third campaign found only jobs neither of the first two touched.
  const earlier = new Set([...appsA, ...appsB].map((x) => x.job_url));
  expect(appsC.length).toBeGreaterThan(0);
  expect(appsC.filter((x) => earlier.has(x.job_url))).toEqual([]);
  expect(rc.searchContext).toEqual({ titles: [], locations: [] });
});

test('stop: the run is cancelled, queued jobs are never started, applications in progress finish', async () => {
  const profileId = await createApplicant(jobo);
  const ten = jobs.slice(100, 110);
  await sandbox.admin.setFaults({ latencyMs: 300 }); // slow enough to stop mid-run
  try {
    const { campaignId, handle } = await createRunOnce(
      env.client,
      {
        candidateProfileId: profileId,
        jobs: ten.map(asCampaignJob),
        answers: CALLER_ANSWERS,
        limits: { concurrency: 2 },
        overrideEmail: 'owner@campaign.example',
      },
      { taskQueue },
    );
    await waitFor('two applications processing', async () => {
      const apps = (await campaignApplications(env.client, campaignId)).data;
      return apps.filter((x) => x.status === 'PROCESSING').length === 2;
    });
    await stopCampaign(env.client, campaignId);
    const stoppedView = await getCampaign(env.client, campaignId);
    expect(stoppedView).toMatchObject({ status: 'cancelled', stats: { jobsQueued: 0 } });
    const done = await handle.result();
    expect(done.status).toBe('cancelled');

    const apps = (await campaignApplications(env.client, campaignId)).data;
    const byStatus = (s: string) => apps.filter((x) => x.status === s);
    expect(byStatus('CANCELLED')).toHaveLength(8);
    expect(byStatus('SUCCESS')).toHaveLength(2); // the two in progress finished naturally
    expect(byStatus('CANCELLED').every((x) => x.error === 'campaign stopped')).toBe(true);
    const [run] = (await campaignRuns(env.client, campaignId)).data;
    expect(run).toMatchObject({ status: 'cancelled', stats: { jobsFound: 10, applicationsAttempted: 2, applicationsSuccessful: 2 } });
    // Ground truth: the two finished upstream; the cancelled eight were never sent.
    const submitted = await submissionsOf(sandbox.admin, profileId);
    expect(new Set(submitted.keys())).toEqual(new Set(byStatus('SUCCESS').map((x) => x.job_url)));
    // overrideEmail: what was sent upstream carries the campaign's address, not the profile's.
    const sent = JSON.stringify(
      (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId && s.status === 'submitted').map((s) => s.answers),
    );
    expect(sent).toContain('owner@campaign.example');
    expect(sent).not.toContain('ada@example.com');
    const cancelledUrls = new Set(byStatus('CANCELLED').map((x) => x.job_url));
    expect((await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId && cancelledUrls.has(s.job_url))).toEqual([]);
  } finally {
    await sandbox.admin.setFaults({ latencyMs: 0 });
  }
});

test('list by status and type, paginated; bad input names its fields and starts nothing', async () => {
  const cancelled = await listCampaigns(env.client, { status: 'cancelled', type: 'run_once' });
  expect(cancelled.data.length).toBeGreaterThanOrEqual(1);
  expect(cancelled.data.every((c) => c.status === 'cancelled' && c.type === 'run_once')).toBe(true);
  const all = await waitFor('visibility', async () => {
    const page = await listCampaigns(env.client, { limit: 2 });
    return page.pagination.total >= 5 ? page : null;
  });
  expect(all.data).toHaveLength(2);
  const page2 = await listCampaigns(env.client, { limit: 2, page: 2 });
  expect(page2.data.map((c) => c.workflowId)).not.toContain(all.data[0].workflowId);
  expect(
    (await listCampaigns(env.client, { type: 'autopilot_once' })).data.every(
      (c) => c.type === 'autopilot_once' && c.status === 'completed',
    ),
  ).toBe(true);

  const before = (await env.client.workflow.count(`${SA.kind.name} = 'campaign'`)).count;
  const err = await createRunOnce(
    env.client,
    { candidateProfileId: 'x', jobs: [{ companyName: 'A', title: 'T', jobId: 'j', link: 'nope' }] },
    { taskQueue },
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidCampaignInputError);
  expect((err as InvalidCampaignInputError).problems.map((p) => p.field)).toEqual(['candidateProfileId', 'jobs[0].link']);
  expect((await env.client.workflow.count(`${SA.kind.name} = 'campaign'`)).count).toBe(before);
});
