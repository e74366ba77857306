/**
 * Daily pacing (ours, issue 17) end to end on the time-skipping test server with the real workflows,
 * activities, SQLite store and the sandbox: a user allowed 2 Workday applications a day runs a campaign of 5
 * Workday jobs. Ground truth is the sandbox's: upstream submissions and sessions counted in each day window
 * (the test skips time from one window to the next), never more than 2 per window, all 5 once in the end.
 * Between windows the waiting applications show QUEUED with their next attempt, in the campaign's results,
 * the application's own view and the campaign's stats.
 *
 * RECORD_HISTORIES=1 writes the paced paths' histories to test/histories/ (replayed by test/history.replay.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import { applicationView, startApplication } from '../src/application/client';
import { campaignApplications, createRunOnce, getCampaign } from '../src/campaign/client';
import { profileOwnersFor } from '../src/store/profileOwners';
import { usersFor, type Users } from '../src/store/users';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { testConfig } from './support/config';
import { HISTORIES_DIR, type RecordedHistory } from './support/histories';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startTimeSkippingEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

jest.setTimeout(300_000);

const taskQueue = 'application-pacing';
const ZONE = 'America/New_York';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let users: Users;
let workday: CorpusJob[];

async function recordAs(workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const [workflowType] = name.split('.');
  const fixture: RecordedHistory = {
    workflowType,
    path: name.slice(workflowType.length + 1),
    recordedOn: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
  writeFileSync(resolve(HISTORIES_DIR, `${name}.json`), JSON.stringify(fixture, null, 1) + '\n');
}

/** Local wall-clock time HH:MM of an instant in the zone (the test's own reading, not the product's helper). */
const localTime = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

beforeAll(async () => {
  temp = await openTempStore('applyflow-pacing-e2e-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startTimeSkippingEnv,
    sandbox: { seed: 41, jobs: 300 },
    taskQueue,
    activities: (jobo, sb) =>
      createActivities({ config: testConfig({ JOBO_BASE_URL: sb.url, JOBO_API_KEY: sb.apiKey }), jobo, store: async () => store }),
  });
  ({ env, sandbox } = rig);
  users = await usersFor(store);
  workday = (await corpusJobs(sandbox.admin, store, 300)).filter((j) => j.provider === 'workday').slice(0, 5);
  expect(workday).toHaveLength(5);
});

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
});

test('2 Workday applications a day: a campaign of 5 submits 2, 2 and 1 in three day windows, the waiting ones QUEUED with their next attempt', async () => {
  const user = await users.create('op', { externalUserId: 'paced', timezone: ZONE, maxJobApplicationsPerDayByProvider: { workday: 2 } });
  const profileId = await createApplicant(rig!.jobo);
  await (await profileOwnersFor(temp!.store)).assign(profileId, user.id);
  const { handle, campaignId } = await createRunOnce(
    env.client,
    {
      candidateProfileId: profileId,
      jobs: workday.map((j, i) => ({ jobId: `wd-${i}`, title: 'Engineer', companyName: 'Acme', link: j.url })),
      answers: CALLER_ANSWERS,
    },
    { taskQueue },
  );
  const upstream = async () => {
    const submitted = await submissionsOf(sandbox.admin, profileId);
    const sessions = (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);
    return { submissions: [...submitted.values()].reduce((a, b) => a + b, 0), jobsOpened: new Set(sessions.map((s) => s.job_url)).size };
  };
  /** The campaign's results once `done` applications succeeded and the rest wait QUEUED with a next attempt. */
  const windowSettled = (done: number) =>
    waitFor(
      `${done} SUCCESS and ${5 - done} QUEUED with a next attempt`,
      async () => {
        const apps = (await campaignApplications(env.client, campaignId, { limit: 100 })).data;
        const ok = apps.filter((a) => a.status === 'SUCCESS').length === done;
        const waiting = apps.filter((a) => a.status === 'QUEUED' && a.next_attempt_at);
        return ok && waiting.length === 5 - done && { apps, waiting };
      },
      120_000,
    );

  // Window 1: two go upstream; three wait for the next New York midnight without opening a session.
  const first = await windowSettled(2);
  const now1 = await env.currentTimeMs();
  const windows1 = new Set(first.waiting.map((a) => a.next_attempt_at!));
  expect(windows1.size).toBe(1);
  const [window1] = windows1;
  expect(localTime(window1)).toBe('00:00');
  expect(Date.parse(window1) - now1).toBeGreaterThan(0);
  expect(Date.parse(window1) - now1).toBeLessThanOrEqual(25 * 3_600_000);
  expect(await upstream()).toEqual({ submissions: 2, jobsOpened: 2 });
  const view1 = await getCampaign(env.client, campaignId);
  expect(view1.stats).toMatchObject({ pacedApplications: 3, successfulApplications: 2, nextRunAt: window1 });
  const waitingApp = first.waiting[0];
  expect(await applicationView(env.client, waitingApp.applicationId)).toMatchObject({ status: 'QUEUED', next_attempt_at: window1 });
  expect(await temp!.ledger.list({ profileId })).toHaveLength(5); // the waiting rows are QUEUED, owned, not refused
  expect((await temp!.ledger.list({ profileId })).filter((r) => r.status === 'QUEUED')).toHaveLength(3);

  // Window 2: skip to the window; two more go upstream, the last waits for the day after.
  await env.sleep(Date.parse(window1) - now1 + 1_000);
  const second = await waitFor(
    'the second window to settle',
    async () => {
      const s = await windowSettled(4);
      return s.waiting[0].next_attempt_at !== window1 && s;
    },
    120_000,
  );
  const window2 = second.waiting[0].next_attempt_at!;
  expect(localTime(window2)).toBe('00:00');
  expect(Date.parse(window2) - Date.parse(window1)).toBeGreaterThanOrEqual(23 * 3_600_000);
  expect(await upstream()).toEqual({ submissions: 4, jobsOpened: 4 });
  expect((await getCampaign(env.client, campaignId)).stats).toMatchObject({ pacedApplications: 1, nextRunAt: window2 });

  // Window 3: the campaign's result (time skips while it is awaited): all five SUCCESS, each submitted once.
  const result = await handle.result();
  expect(result.status).toBe('completed');
  expect(result.stats).toMatchObject({ successfulApplications: 5, failedApplications: 0, totalApplications: 5, pacedApplications: 0 });
  expect(await upstream()).toEqual({ submissions: 5, jobsOpened: 5 });
  expect([...(await submissionsOf(sandbox.admin, profileId)).values()]).toEqual([1, 1, 1, 1, 1]);
  const apps = (await campaignApplications(env.client, campaignId, { limit: 100 })).data;
  expect(apps.map((a) => [a.status, a.next_attempt_at ?? null])).toEqual(Array.from({ length: 5 }, () => ['SUCCESS', null]));
  // The store counted each window apart: one reservation on the last window's day.
  expect(await users.usage(user.id, new Date(window2))).toMatchObject({ total: 5, dailyByProvider: { workday: 1 } });

  await recordAs(second.waiting[0].applicationId, 'application.pacedTwoWindows');
  await recordAs(handle.workflowId, 'campaign.pacedRunOnce');
});

test('cancelled while it waits for the next window: CANCELLED, nothing sent upstream', async () => {
  const user = await users.create('op', { externalUserId: 'paced-cancel', maxJobApplicationsPerDay: 0 });
  const profileId = await createApplicant(rig!.jobo);
  await (await profileOwnersFor(temp!.store)).assign(profileId, user.id);
  const { workflowId, handle } = await startApplication(
    env.client,
    { profileId, jobUrl: workday[0].url, answers: CALLER_ANSWERS },
    { taskQueue },
  );
  await waitFor('the application to wait', async () => (await applicationView(env.client, workflowId)).next_attempt_at, 60_000);
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow();
  const row = (await temp!.ledger.list({ profileId }))[0];
  expect([row.status, row.error]).toEqual(['CANCELLED', 'cancelled']);
  expect((await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId)).toHaveLength(0);
  await recordAs(workflowId, 'application.cancelledWhilePaced');
});
