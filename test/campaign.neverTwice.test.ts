/**
 * "Never twice" across campaigns, by the job itself: the same job named two ways, two campaigns at once over
 * overlapping lists, a single start racing a campaign, a jobId reused for another link. The sandbox ignores
 * Idempotency-Keys (its default) and its admin API is the ground truth for what was submitted.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { createCampaignActivities } from '../src/campaign/activities';
import { startApplication } from '../src/application/client';
import { canonicalJobUrl } from '../src/shared/jobKey';
import { campaignApplications, createRunOnce } from '../src/campaign/client';
import type { CampaignApplication, CampaignJob } from '../src/campaign/input';
import type { JoboClient } from '../src/jobo/client';
import type { ApplicationsLedger } from '../src/store/ledger';
import type { SqliteJobStore } from '../src/store/sqlite';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';

const taskQueue = 'campaign-never-twice';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let store: SqliteJobStore;
let ledger: ApplicationsLedger;
let jobs: CorpusJob[];
let next = 0;

const take = (n: number) => jobs.slice(next, (next += n));
const entry = (link: string, jobId: string, i = 0): CampaignJob => ({ companyName: `Company ${i}`, title: `Job ${i}`, jobId, link });

beforeAll(async () => {
  temp = await openTempStore('applyflow-never-twice-');
  ({ store, ledger } = temp);
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 31, jobs: 200 },
    taskQueue,
    activities: (jobo) => {
      const deps = { jobo, store: async () => store };
      return { ...createApplicationActivities(deps), ...createCampaignActivities(deps) };
    },
    worker: { maxConcurrentActivityTaskExecutions: 40 },
  });
  ({ env, sandbox, jobo } = rig);
  jobs = (await corpusJobs(sandbox.admin, store, 80)).filter((j) => j.provider !== 'workday'); // shorter forms
  expect((await sandbox.admin.faults()).idempotencyKeys).toBe('ignore');
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
});

async function runCampaign(profileId: string, list: CampaignJob[]): Promise<CampaignApplication[]> {
  const { campaignId, handle } = await createRunOnce(
    env.client,
    { candidateProfileId: profileId, jobs: list, answers: CALLER_ANSWERS },
    { taskQueue },
  );
  await handle.result();
  return (await campaignApplications(env.client, campaignId, { limit: 100 })).data.reverse(); // list order
}

test('one list naming one job many ways (two jobIds, trailing slash, tracking tag, upper-case host, #apply): one submission, every entry its outcome', async () => {
  const profileId = await createApplicant(jobo);
  const [job, other] = take(2);
  const upper = job.url.replace(/^https:\/\/([^/]+)/, (_, host: string) => `https://${host.toUpperCase()}`);
  const list = [
    entry(job.url, job.id),
    entry(job.url, 'my-own-ref'),
    entry(`${job.url}/`, 'ref-slash'),
    entry(`${job.url}?utm_source=newsletter`, 'ref-utm'),
    entry(upper, 'ref-upper'),
    entry(`${job.url}#apply`, 'ref-fragment'),
    entry(other.url, other.id, 1),
  ];
  const apps = await runCampaign(profileId, list);
  expect(apps.map((a) => [a.jobId, a.status])).toEqual(list.map((j) => [j.jobId, 'SUCCESS']));
  expect(new Set(apps.slice(0, 6).map((a) => a.applicationId)).size).toBe(1);
  expect(apps.slice(1, 6).every((a) => a.same_job_as === apps[0].applicationId)).toBe(true);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(
    new Map([
      [job.url, 1],
      [other.url, 1],
    ]),
  );
  expect(await ledger.list({ profileId })).toHaveLength(2);
});

test('two campaigns at once over overlapping lists, under different jobIds, and a single start racing them: each job once', async () => {
  const profileId = await createApplicant(jobo);
  const picked = take(6);
  const a = picked.slice(0, 4).map((j, i) => entry(j.url, `a-${i}`, i));
  const b = picked.slice(2, 6).map((j, i) => entry(`${j.url}?ref=campaign-b`, `b-${i}`, i)); // 2 shared, spelt otherwise
  const [appsA, appsB, single] = await Promise.all([
    runCampaign(profileId, a),
    runCampaign(profileId, b),
    startApplication(
      env.client,
      {
        profileId,
        jobUrl: `${picked[3].url}/`,
        jobId: 'single',
        job: { title: 'Job 3', companyName: 'Company 3' },
        answers: CALLER_ANSWERS,
      },
      { taskQueue },
    ).then((s) => s.handle.result()),
  ]);
  expect([...appsA, ...appsB].map((x) => [x.job_url, x.status, x.error])).toEqual([...a, ...b].map((j) => [j.link, 'SUCCESS', null]));
  expect(single.status).toBe('SUCCESS');
  // The sandbox records the URL each submission was made at; one per job, whichever spelling won.
  const submitted = [...(await submissionsOf(sandbox.admin, profileId))].map(([url, n]) => [canonicalJobUrl(url), n]);
  expect(submitted.sort()).toEqual(picked.map((j) => [canonicalJobUrl(j.url), 1]).sort());
  // The shared jobs were applied to by one of the two; the other reports that outcome as already applied.
  const shared = new Set(picked.slice(2, 4).map((j) => j.url));
  const sharedEntries = [...appsA, ...appsB].filter((x) => shared.has(x.job_url.replace('?ref=campaign-b', '')));
  expect(sharedEntries).toHaveLength(4);
  expect(sharedEntries.filter((x) => x.already_applied).length).toBeGreaterThanOrEqual(2);
});

test("a jobId reused for another link is its own job: campaign B's job is applied to, once", async () => {
  const profileId = await createApplicant(jobo);
  const [first, second] = take(2);
  const appsA = await runCampaign(profileId, [entry(first.url, 'job-42')]);
  const appsB = await runCampaign(profileId, [entry(second.url, 'job-42')]);
  expect(appsA.map((x) => [x.status, x.already_applied])).toEqual([['SUCCESS', false]]);
  expect(appsB.map((x) => [x.status, x.already_applied, x.job_url])).toEqual([['SUCCESS', false, second.url]]);
  expect(appsB[0].applicationId).not.toBe(appsA[0].applicationId);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(
    new Map([
      [first.url, 1],
      [second.url, 1],
    ]),
  );
});
