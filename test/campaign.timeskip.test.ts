/**
 * The real `campaign` workflow on the time-skipping test server, with stub activities that record when each
 * run happened (workflow time) and find no jobs: a year of schedule ticks in seconds. Expected instants are
 * computed here from the zones' published DST rules, not with the product's schedule helper.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CampaignActivities, SearchCampaignJobsRequest } from '../src/campaign/activities';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { LedgerOutcome } from '../src/campaign/activities';
import { applicationWorkflowId } from '../src/application/input';
import {
  campaignApplications,
  campaignRuns,
  createAutopilotOnce,
  createAutopilotRecurring,
  createRunOnce,
  getCampaign,
  pauseCampaign,
  resumeCampaign,
  stopCampaign,
} from '../src/campaign/client';
import { MAX_RUNS_KEPT, type CampaignSchedule } from '../src/campaign/input';
import { SA } from '../src/searchAttributes';
import { RUNS_PER_GENERATION } from '../src/campaign/workflow';
import { startTimeSkippingEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const H = 3_600_000;
const DAY = 24 * H;
const taskQueue = 'campaign-timeskip';
const PROFILE = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
/** Per campaign: every search's { scheduledAt, now }, i.e. every run. */
const runs = new Map<string, { scheduledAt: string; now: string }[]>();

/**
 * What the ledger says of an application another workflow owns (set by the test that needs it); `later`
 * takes over once `after` ms of workflow time have passed since the first look, when `atSwitch` runs.
 */
let ledgerSays: { first: LedgerOutcome; later: LedgerOutcome; after: number; firstAt?: number; atSwitch: () => Promise<void> } | null =
  null;
/** Campaigns whose store search fails. */
const searchFails = new Set<string>();

const stubs: CampaignActivities = {
  async searchCampaignJobs(req: SearchCampaignJobsRequest) {
    if (searchFails.has(req.campaignId)) throw ApplicationFailure.nonRetryable('the job store is unreachable', 'StoreUnavailable');
    const list = runs.get(req.campaignId) ?? [];
    list.push({ scheduledAt: req.scheduledAt!, now: req.now });
    runs.set(req.campaignId, list);
    return [];
  },
  async campaignCandidateEmail() {
    return null;
  },
  async campaignApplicationOutcome() {
    if (!ledgerSays) throw new Error('not expected: no application is owned elsewhere');
    const at = Context.current().info.currentAttemptScheduledTimestampMs; // the server's (skipped) clock
    ledgerSays.firstAt ??= at;
    if (at - ledgerSays.firstAt < ledgerSays.after) return ledgerSays.first;
    await ledgerSays.atSwitch();
    return ledgerSays.later;
  },
};

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  worker = await createTestWorker(env, { taskQueue, activities: stubs });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const start = (campaignId: string, schedule: CampaignSchedule) =>
  createAutopilotRecurring(
    env.client,
    { campaignId, candidateProfileId: PROFILE, schedule, filters: { jobTitle: 'Engineer' } },
    { taskQueue },
  );

/** The result once the workflow has closed by itself (no time skipped while the stop is being handled). */
async function closed<T>(handle: { describe(): Promise<{ status: { name: string } }>; result(): Promise<T> }): Promise<T> {
  for (let i = 0; (await handle.describe()).status.name === 'RUNNING'; i++) {
    if (i > 200) throw new Error('the campaign did not close after stop');
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle.result();
}

/** The n-th (1-based) given weekday of a UTC month, or the last one when n = -1. */
function weekdayOf(year: number, month0: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month0, 1)).getUTCDay();
    return Date.UTC(year, month0, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(year, month0 + 1, 0));
  return lastDay.getTime() - ((lastDay.getUTCDay() - weekday + 7) % 7) * DAY;
}

/** 09:00 local on every kept day in (from, to], given the zone's standard offset and its summer-time days. */
function expectedTicks(
  from: number,
  to: number,
  keep: (d: Date) => boolean,
  stdOffsetH: number,
  summer: (dayMs: number) => boolean,
): string[] {
  const out: string[] = [];
  for (let d = Math.floor(from / DAY) * DAY; d <= to; d += DAY) {
    if (!keep(new Date(d))) continue;
    const at = d + (9 - stdOffsetH - (summer(d) ? 1 : 0)) * H;
    if (at > from && at <= to) out.push(new Date(at).toISOString());
  }
  return out;
}

// US: second Sunday of March .. first Sunday of November. EU: last Sunday of March .. last Sunday of October.
const usSummer = (d: number) => {
  const y = new Date(d).getUTCFullYear();
  return d >= weekdayOf(y, 2, 0, 2) && d < weekdayOf(y, 10, 0, 1);
};
const euSummer = (d: number) => {
  const y = new Date(d).getUTCFullYear();
  return d >= weekdayOf(y, 2, 0, -1) && d < weekdayOf(y, 9, 0, -1);
};

test('a year of weekly Mon/Wed 09:00 New York and daily 09:00 Berlin runs at the right instants, with bounded history', async () => {
  const t0 = await env.currentTimeMs();
  const ny = await start('ny-weekly', {
    pattern: 'weekly',
    daysOfWeek: ['monday', 'wednesday'],
    time: '09:00',
    timezone: 'America/New_York',
  });
  const berlin = await start('berlin-daily', { pattern: 'daily', time: '09:00', timezone: 'Europe/Berlin' });
  await env.sleep(366 * DAY);
  const t1 = await env.currentTimeMs();
  const [nyView, berlinView] = await Promise.all([getCampaign(env.client, 'ny-weekly'), getCampaign(env.client, 'berlin-daily')]);
  await Promise.all([stopCampaign(env.client, 'ny-weekly'), stopCampaign(env.client, 'berlin-daily')]);
  // One at a time: each result() on the time-skipping client unlocks and relocks time skipping.
  const nyDone = await closed(ny.handle);
  const berlinDone = await closed(berlin.handle);

  // Every tick in [t0, t1], each exactly once, and each run started at its tick (workflow time, within a minute).
  const nyWant = expectedTicks(t0, t1, (d) => d.getUTCDay() === 1 || d.getUTCDay() === 3, -5, usSummer);
  const berlinWant = expectedTicks(t0, t1, () => true, 1, euSummer);
  const nyRuns = runs.get('ny-weekly')!;
  const berlinRuns = runs.get('berlin-daily')!;
  expect(nyRuns.map((r) => r.scheduledAt)).toEqual(nyWant);
  expect(berlinRuns.map((r) => r.scheduledAt)).toEqual(berlinWant);
  expect(nyWant.length).toBeGreaterThanOrEqual(104);
  expect(berlinWant.length).toBeGreaterThanOrEqual(365);
  // Both summer and winter instants occurred (the year spans both changes).
  expect(new Set(nyRuns.map((r) => r.scheduledAt.slice(11, 16)))).toEqual(new Set(['13:00', '14:00']));
  expect(new Set(berlinRuns.map((r) => r.scheduledAt.slice(11, 16)))).toEqual(new Set(['07:00', '08:00']));
  for (const r of [...nyRuns, ...berlinRuns]) {
    const late = Date.parse(r.now) - Date.parse(r.scheduledAt);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(60_000);
  }

  expect(nyView).toMatchObject({ status: 'active', stats: { totalRuns: nyWant.length, lastRunAt: expect.any(String) } });
  expect(Date.parse(nyView.stats.nextRunAt!)).toBeGreaterThan(t1 - 1);
  expect(berlinView.stats.totalRuns).toBe(berlinWant.length);
  expect(nyDone).toMatchObject({ status: 'cancelled', stats: { nextRunAt: null, totalRuns: nyWant.length } });
  // Runs history: the last MAX_RUNS_KEPT in state (carried across continue-as-new), the rest in the totals.
  const kept = await campaignRuns(env.client, 'berlin-daily', { limit: 100 });
  expect(kept.pagination.total).toBe(MAX_RUNS_KEPT);
  expect(kept.data.map((r) => r.scheduledAt)).toEqual(berlinWant.slice(-MAX_RUNS_KEPT).reverse());
  expect(kept.data.every((r) => r.status === 'completed' && r.stats.jobsFound === 0)).toBe(true);

  // Bounded: continued as new every RUNS_PER_GENERATION runs; the last run's history is small.
  for (const [done, handle, n] of [
    [nyDone, ny.handle, nyWant.length],
    [berlinDone, berlin.handle, berlinWant.length],
  ] as const) {
    expect(done.generations).toBe(Math.floor(n / RUNS_PER_GENERATION));
    const info = await handle.describe();
    expect(info.runId).not.toBe(info.raw.workflowExecutionInfo?.firstRunId);
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(40 * RUNS_PER_GENERATION);
    expect(info.typedSearchAttributes.get(SA.status)).toBe('cancelled');
    expect(info.typedSearchAttributes.get(SA.kind)).toBe('campaign');
    // The memo lists read (createdAt of the first run, search context) survives continue-as-new.
    expect(info.memo?.campaign).toMatchObject({
      userId: null,
      createdAt: expect.any(String),
      searchContext: { titles: ['Engineer'], locations: [] },
    });
  }
});

test('pause holds the schedule; resume runs at the next tick, never replaying missed ones; stop ends it', async () => {
  const t0 = await env.currentTimeMs();
  const c = await start('paused-daily', { pattern: 'daily', time: '09:00', timezone: 'UTC' });
  const first = Math.floor(t0 / DAY) * DAY + 9 * H + (t0 % DAY >= 9 * H ? DAY : 0);
  await env.sleep(first - t0 + H); // the first tick has run
  expect(runs.get('paused-daily')!.map((r) => r.scheduledAt)).toEqual([new Date(first).toISOString()]);

  await pauseCampaign(env.client, 'paused-daily');
  await env.sleep(3 * DAY); // three ticks pass while paused
  let view = await getCampaign(env.client, 'paused-daily');
  expect(view).toMatchObject({ status: 'paused', stats: { totalRuns: 1, nextRunAt: null } });
  expect((await c.handle.describe()).typedSearchAttributes.get(SA.status)).toBe('paused');
  expect(runs.get('paused-daily')).toHaveLength(1);

  await resumeCampaign(env.client, 'paused-daily');
  view = await getCampaign(env.client, 'paused-daily');
  expect(view).toMatchObject({ status: 'active', stats: { nextRunAt: new Date(first + 4 * DAY).toISOString() } });
  await env.sleep(DAY);
  expect(runs.get('paused-daily')!.map((r) => r.scheduledAt)).toEqual([
    new Date(first).toISOString(),
    new Date(first + 4 * DAY).toISOString(),
  ]);

  await stopCampaign(env.client, 'paused-daily');
  const done = await closed(c.handle);
  expect(done).toMatchObject({ status: 'cancelled', stats: { totalRuns: 2, nextRunAt: null } });
  await env.sleep(2 * DAY);
  expect(runs.get('paused-daily')).toHaveLength(2);
  // Signals to a stopped campaign change nothing (the workflow is closed).
  await expect(resumeCampaign(env.client, 'paused-daily')).rejects.toThrow();
});

test('a Temporal cancel (UI, `temporal workflow cancel`) is recorded as a stop', async () => {
  const c = await start('cancelled-daily', { pattern: 'daily', time: '09:00', timezone: 'Europe/Berlin' });
  await env.sleep(2 * DAY);
  await c.handle.cancel();
  await expect(closed(c.handle)).rejects.toThrow();
  const info = await c.handle.describe();
  expect(info.status.name).toBe('CANCELLED');
  expect(info.typedSearchAttributes.get(SA.status)).toBe('cancelled');
  expect(await getCampaign(env.client, 'cancelled-daily')).toMatchObject({
    status: 'cancelled',
    stats: { totalRuns: runs.get('cancelled-daily')!.length, nextRunAt: null },
  });
});

describe('outcomes that wait for the truth', () => {
  it('an application another workflow owns waits 3 hours for a person: shown waiting, never FAILED, then its real outcome', async () => {
    const jobUrl = 'https://jobs.lever.co/acme/waits-for-a-person';
    // The application runs elsewhere (a day-long stand-in holds its workflow id on its own queue).
    const clock = await createTestWorker(env, {
      taskQueue: 'timeskip-clock',
      workflowsPath: require.resolve('./workflows'),
      activities: {},
    });
    const clockRunning = clock.run();
    try {
      await waitsThreeHours(jobUrl);
    } finally {
      clock.shutdown();
      await clockRunning;
    }
  });

  async function waitsThreeHours(jobUrl: string): Promise<void> {
    await env.client.workflow.start('sleepADay', {
      taskQueue: 'timeskip-clock',
      workflowId: applicationWorkflowId({ profileId: PROFILE, jobUrl }),
    });
    const until = new Date(Date.parse('2030-01-01T00:00:00Z')).toISOString();
    const entry = async () => (await campaignApplications(env.client, 'waits-3h')).data[0];
    // What the campaign shows after 3 hours of waiting, read (by query) just before the person's answer lands.
    let after3h: { entry: unknown; status: string } | null = null;
    ledgerSays = {
      first: { status: 'PROCESSING', error: null, confirmationUrl: null, provider: 'lever', awaitingUntil: until },
      later: {
        status: 'SUCCESS',
        error: null,
        confirmationUrl: 'https://jobs.lever.co/acme/confirm',
        provider: 'lever',
        awaitingUntil: null,
      },
      after: 3 * H,
      atSwitch: async () => {
        after3h ??= { entry: await entry(), status: (await getCampaign(env.client, 'waits-3h')).status };
      },
    };
    const { handle } = await createRunOnce(
      env.client,
      {
        campaignId: 'waits-3h',
        candidateProfileId: PROFILE,
        jobs: [{ jobId: 'ref-1', title: 'Engineer', companyName: 'Acme', link: jobUrl }],
      },
      { taskQueue },
    );
    const view = await handle.result();
    expect(after3h).toEqual({
      entry: expect.objectContaining({ status: 'PROCESSING', awaiting_until: until, error: null }),
      status: 'active',
    });
    ledgerSays = null;
    expect(view.status).toBe('completed');
    expect(view.stats).toMatchObject({ successfulApplications: 1, failedApplications: 0 });
    expect(await entry()).toMatchObject({
      status: 'SUCCESS',
      already_applied: true,
      awaiting_until: null,
      result: { confirmationUrl: 'https://jobs.lever.co/acme/confirm' },
    });
  }

  it('an autopilot-once whose store search fails ends failed, saying why', async () => {
    searchFails.add('search-fails');
    const { handle } = await createAutopilotOnce(
      env.client,
      { campaignId: 'search-fails', candidateProfileId: PROFILE, filters: { jobTitle: 'Engineer' } },
      { taskQueue },
    );
    const view = await handle.result();
    expect(view.status).toBe('failed');
    expect(view.error).toContain('the job store is unreachable');
    const [run] = (await campaignRuns(env.client, 'search-fails')).data;
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('StoreUnavailable') });
  });
});
