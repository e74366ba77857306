/**
 * A recurring autopilot campaign end to end on the time-skipping server: the real workflows and activities,
 * the sandbox as the upstream and a SQLite store and ledger. The test skips time only to each tick (the
 * runs themselves happen in real time), and checks the sandbox's ground truth: never twice to one job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApplicationActivities } from '../src/activities/application';
import { createCampaignActivities } from '../src/activities/campaign';
import { campaignApplications, campaignRuns, createAutopilotRecurring, getCampaign, stopCampaign } from '../src/campaigns/client';
import { JoboClient } from '../src/jobo/client';
import { SqliteJobStore } from '../src/store/sqlite';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf } from './application.fixtures';
import { startSandbox } from './support/sandbox';
import { startTimeSkippingEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const DAY = 24 * 3_600_000;
const taskQueue = 'campaign-recurring';
let env: TestWorkflowEnvironment;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let jobo: JoboClient;
let store: SqliteJobStore;
let worker: Worker;
let running: Promise<void>;
let dir: string;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  sandbox = await startSandbox({ seed: 31, jobs: 120 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  dir = mkdtempSync(join(tmpdir(), 'applyflow-campaign-recurring-'));
  store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  await corpusJobs(sandbox.admin, store, 60);
  const deps = { jobo, store: async () => store };
  worker = await createTestWorker(env, { taskQueue, activities: { ...createApplicationActivities(deps), ...createCampaignActivities(deps) } });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await jobo?.close();
  await sandbox?.close();
  await store?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a daily autopilot campaign applies to new jobs on every tick and never twice to one job', async () => {
  const profileId = await createApplicant(jobo);
  const { campaignId, handle } = await createAutopilotRecurring(
    env.client,
    {
      candidateProfileId: profileId,
      schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' },
      filters: {},
      limits: { maxJobsPerRun: 5, concurrency: 5 },
      answers: CALLER_ANSWERS,
    },
    { taskQueue },
  );
  const t0 = (await env.currentTimeMs()) as unknown as number;
  let tick = Math.floor(t0 / DAY) * DAY + 9 * 3_600_000;
  if (tick <= t0) tick += DAY;

  for (let n = 1; n <= 3; n++, tick += DAY) {
    // Skip to just after the tick; the run then happens in real time (time skipping stays locked).
    await env.sleep(tick - ((await env.currentTimeMs()) as unknown as number) + 1000);
    await waitFor(`run ${n} to complete`, async () => {
      const view = await getCampaign(env.client, campaignId);
      const [last] = (await campaignRuns(env.client, campaignId)).data;
      return view.stats.totalRuns === n && last?.status === 'completed';
    });
  }

  const runs = (await campaignRuns(env.client, campaignId)).data.reverse();
  expect(runs.map((r) => r.scheduledAt)).toEqual([0, 1, 2].map((i) => new Date(tick - (3 - i) * DAY).toISOString()));
  expect(runs.map((r) => r.stats)).toEqual(
    Array(3).fill({ jobsFound: 5, applicationsAttempted: 5, applicationsSuccessful: 5, applicationsFailed: 0 }),
  );
  const apps = (await campaignApplications(env.client, campaignId, { limit: 100 })).data;
  expect(apps).toHaveLength(15);
  expect(new Set(apps.map((a) => a.job_url)).size).toBe(15); // each run found jobs the earlier runs had not applied to
  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect(submitted.size).toBe(15);
  expect([...submitted.values()].every((count) => count === 1)).toBe(true);

  await stopCampaign(env.client, campaignId);
  await waitFor('the campaign to close', async () => (await handle.describe()).status.name !== 'RUNNING');
  expect(await handle.result()).toMatchObject({ status: 'cancelled', stats: { totalRuns: 3, totalApplications: 15, successfulApplications: 15 } });
});
