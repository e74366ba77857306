/**
 * The campaign's activities in a MockActivityEnvironment: a temp SQLite job store filled from the sandbox
 * corpus, its ledger, and the sandbox's profiles over HTTP. Ground truth is the store and ledger rows and
 * the sandbox's profile, never the activity's own view.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createCampaignActivities, type CampaignActivities, type SearchCampaignJobsRequest } from '../src/campaign/activities';
import { JoboClient } from '../src/jobo/client';
import { jobKeyOfUrl } from '../src/shared/jobKey';
import type { LedgerWrite } from '../src/store/ledger';
import { createApplicant } from './application.fixtures';
import { startSandbox } from './support/sandbox';
import { openTempStore, type TempStore } from './support/tempStore';

const PROFILE = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';
let sandbox: SandboxHandle;
let jobo: JoboClient;
let temp: TempStore;
let acts: CampaignActivities;
const env = new MockActivityEnvironment();

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args);

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, jobs: 60 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  temp = await openTempStore('applyflow-campaign-acts-');
  const { active } = await sandbox.admin.groundTruthJobs();
  await temp.store.upsertJobs((await Promise.all(active.map((j) => sandbox.admin.job(j.id)))).map((j) => j.job));
  acts = createCampaignActivities({ store: async () => temp.store, jobo });
});

afterAll(async () => {
  await jobo?.close();
  await temp?.close();
  await sandbox?.close();
});

const search = (over: Partial<SearchCampaignJobsRequest> = {}) =>
  run(acts.searchCampaignJobs, {
    campaignId: 'c',
    profileId: PROFILE,
    filters: {},
    limit: 10,
    now: new Date().toISOString(),
    scheduledAt: null,
    ...over,
  });

const row = (jobUrl: string, status: LedgerWrite['status'], more: Partial<LedgerWrite> = {}): LedgerWrite => ({
  profileId: PROFILE,
  jobId: jobKeyOfUrl(jobUrl),
  jobUrl,
  jobRef: null,
  awaitingUntil: null,
  status,
  attempts: [],
  error: null,
  confirmationUrl: null,
  campaignId: 'c',
  provider: 'lever',
  workflowId: `application/${PROFILE}/${jobKeyOfUrl(jobUrl)}`,
  runId: 'r1',
  runStartedAt: new Date().toISOString(),
  ...more,
});

test('searchCampaignJobs: `limit` new jobs, one per job key, none the profile has a ledger row for', async () => {
  const first = await search();
  expect(first).toHaveLength(10);
  expect(new Set(first.map((j) => jobKeyOfUrl(j.link))).size).toBe(10);
  for (const j of first) expect((await temp.store.getJob(j.jobId))!.job.company.name).toBe(j.companyName);

  await temp.ledger.record(row(first[0].link, 'SUCCESS'));
  await temp.ledger.record(row(first[1].link, 'NEEDS_PERSON'));
  const second = (await search()).map((j) => j.jobId);
  expect(second).toHaveLength(10); // still ten: the search asks for more to make up for the rows
  expect(second).not.toContain(first[0].jobId);
  expect(second).not.toContain(first[1].jobId);
});

test('campaignApplicationOutcome: the ledger row by job key, or null; a NEEDS_PERSON row says until when', async () => {
  const [a, b] = await search({ limit: 2, profileId: '11111111-2222-4333-8444-555555555555' });
  const other = { profileId: '11111111-2222-4333-8444-555555555555' };
  expect(await run(acts.campaignApplicationOutcome, { ...other, jobId: jobKeyOfUrl(a.link), jobUrl: a.link })).toBeNull();
  await temp.ledger.record(row(a.link, 'SUCCESS', { ...other, confirmationUrl: 'https://confirm.example/1' }));
  const until = new Date(Date.now() + 3_600_000).toISOString();
  await temp.ledger.record(row(b.link, 'PROCESSING', { ...other, awaitingUntil: until, awaitingKind: 'question' }));
  expect(await run(acts.campaignApplicationOutcome, { ...other, jobId: jobKeyOfUrl(a.link), jobUrl: a.link })).toEqual({
    status: 'SUCCESS',
    error: null,
    confirmationUrl: 'https://confirm.example/1',
    provider: 'lever',
    awaitingUntil: null,
  });
  // Campaigns before job keys passed their caller's id: the URL's key is tried too.
  expect(await run(acts.campaignApplicationOutcome, { ...other, jobId: 'ref-from-before', jobUrl: b.link })).toMatchObject({
    status: 'PROCESSING',
    awaitingUntil: until,
  });
});

test("campaignCandidateEmail: the sandbox profile's contact email; a deleted profile is null, not a failure", async () => {
  const profileId = await createApplicant(jobo);
  const truth = (await jobo.getProfile(profileId)).contact?.email;
  expect(truth).toBeTruthy();
  expect(await run(acts.campaignCandidateEmail, { profileId })).toBe(truth);
  expect(await run(acts.campaignCandidateEmail, { profileId: '00000000-0000-4000-8000-000000000000' })).toBeNull();
  // Without an upstream client nothing is read.
  expect(await run(createCampaignActivities({ store: async () => temp.store }).campaignCandidateEmail, { profileId })).toBeNull();
});
