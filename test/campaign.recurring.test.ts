/**
 * A recurring autopilot campaign end to end on the time-skipping server: the real workflows and activities,
 * the sandbox as the upstream and a SQLite store and ledger. The test skips time only to each tick (the
 * runs themselves happen in real time), and checks the sandbox's ground truth: never twice to one job.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { createCampaignActivities } from '../src/campaign/activities';
import { campaignApplications, campaignRuns, createAutopilotRecurring, getCampaign, stopCampaign } from '../src/campaign/client';
import { JoboClient } from '../src/jobo/client';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf } from './application.fixtures';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startTimeSkippingEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const DAY = 24 * 3_600_000;
const taskQueue = 'campaign-recurring';
const WAIT_MS = 90_000;
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;

beforeAll(async () => {
  temp = await openTempStore('applyflow-campaign-recurring-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startTimeSkippingEnv,
    sandbox: { seed: 31, jobs: 120 },
    taskQueue,
    activities: (jobo) => {
      const deps = { jobo, store: async () => store };
      return { ...createApplicationActivities(deps), ...createCampaignActivities(deps) };
    },
  });
  ({ env, sandbox, jobo } = rig);
  await corpusJobs(sandbox.admin, store, 60);
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
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
  const t0 = await env.currentTimeMs();
  let tick = Math.floor(t0 / DAY) * DAY + 9 * 3_600_000;
  if (tick <= t0) tick += DAY;

  for (let n = 1; n <= 3; n++, tick += DAY) {
    // Skip to just after the tick; the run then happens in real time (time skipping stays locked).
    await env.sleep(tick - (await env.currentTimeMs()) + 1000);
    await waitFor(
      `run ${n} to complete`,
      async () => {
        const view = await getCampaign(env.client, campaignId);
        const [last] = (await campaignRuns(env.client, campaignId)).data;
        return view.stats.totalRuns === n && last?.status === 'completed';
      },
      WAIT_MS,
    );
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
  await waitFor('the campaign to close', async () => (await handle.describe()).status.name !== 'RUNNING', WAIT_MS);
  expect(await handle.result()).toMatchObject({
    status: 'cancelled',
    stats: { totalRuns: 3, totalApplications: 15, successfulApplications: 15 },
  });
});
