import { jobKeyOfUrl } from '../src/shared/jobKey';
// The autopilot search activity over a real SQLite store filled from the sandbox corpus, and its ledger exclusions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCampaignActivities, type SearchCampaignJobsRequest } from '../src/campaign/activities';
import { ledgerFor, type ApplicationsLedger, type LedgerWrite } from '../src/store/ledger';
import { SqliteJobStore } from '../src/store/sqlite';
import { startSandbox } from './support/sandbox';

let dir: string;
let store: SqliteJobStore;
let ledger: ApplicationsLedger;
const PROFILE = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';

beforeAll(async () => {
  const sandbox = await startSandbox({ seed: 5, jobs: 200 });
  dir = mkdtempSync(join(tmpdir(), 'applyflow-campaign-search-'));
  store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  const { active } = await sandbox.admin.groundTruthJobs();
  await store.upsertJobs((await Promise.all(active.map((j) => sandbox.admin.job(j.id)))).map((j) => j.job));
  ledger = await ledgerFor(store);
  await sandbox.close();
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const search = (over: Partial<SearchCampaignJobsRequest>) =>
  createCampaignActivities({ store: async () => store }).searchCampaignJobs({
    campaignId: 'c',
    profileId: PROFILE,
    filters: {},
    limit: 100,
    now: new Date().toISOString(),
    scheduledAt: null,
    ...over,
  });

test("the reference's work types and the other filters reach the store", async () => {
  const remote = await search({ filters: { workType: ['Remote'] } });
  expect(remote.length).toBeGreaterThan(0);
  for (const j of remote) expect((await store.getJob(j.jobId))!.job.workplace_type).toBe('remote');
  const onsiteOrHybrid = await search({ filters: { workType: ['On-site', 'Hybrid'], employmentType: ['full_time'] } });
  for (const j of onsiteOrHybrid) {
    const { job } = (await store.getJob(j.jobId))!;
    expect(['onsite', 'hybrid']).toContain(job.workplace_type);
    expect(job.employment_type).toBe('full_time');
  }
  const [company] = remote.map((j) => j.companyName);
  expect((await search({ filters: { companyExclude: [company] } })).some((j) => j.companyName === company)).toBe(false);
  expect((await search({ filters: { companyInclude: [company] } })).every((j) => j.companyName === company)).toBe(true);
  expect(await search({ limit: 3 })).toHaveLength(3);
  // Small summaries only: never a job page.
  expect(Object.keys(remote[0]).sort()).toEqual(['companyName', 'jobId', 'link', 'title']);
});

test('jobs the profile has a ledger row for (any status) are left out', async () => {
  const all = await search({ limit: 1000 });
  const [a, b, c] = all;
  // Rows are keyed by the job's canonical URL; the store's id is only the reference.
  const write = (jobId: string, jobUrl: string, status: LedgerWrite['status']): LedgerWrite => ({
    profileId: PROFILE,
    jobId: jobKeyOfUrl(jobUrl),
    jobUrl,
    jobRef: null,
    awaitingUntil: null,
    status,
    attempts: [],
    error: null,
    confirmationUrl: null,
    campaignId: null,
    provider: null,
    workflowId: `application/${PROFILE}/${jobId}`,
    runId: 'r1',
    runStartedAt: new Date().toISOString(),
  });
  await ledger.record(write(a.jobId, a.link, 'SUCCESS'));
  await ledger.record(write(b.jobId, b.link, 'FAILED'));
  // A URL variant of the job (tracking tag, trailing slash) is the same job.
  await ledger.record(write(c.jobId, `${c.link}/?utm_source=newsletter`, 'PROCESSING'));
  const after = (await search({ limit: 1000 })).map((j) => j.jobId);
  expect(after).not.toContain(a.jobId);
  expect(after).not.toContain(b.jobId);
  expect(after).not.toContain(c.jobId);
  expect(after).toHaveLength(all.length - 3);
  // Another profile still sees them.
  expect((await search({ profileId: '11111111-2222-4333-8444-555555555555' })).map((j) => j.jobId)).toContain(a.jobId);
});
