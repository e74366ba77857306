/**
 * `applyflow campaign ...` against a real dev server and the real campaign workflow; the worker's campaign
 * activities find no jobs (this is about the commands, not applications: see campaign.e2e.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CampaignActivities } from '../src/campaign/activities';
import { captureCli } from './support/cli';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const taskQueue = 'campaign-cli';
const PROFILE = '8b0c3c8e-2f7e-4a43-9d59-0c1a0d6f7a11';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let dir: string;
const savedEnv = { ...process.env };

const noJobs: CampaignActivities = {
  searchCampaignJobs: async () => [],
  campaignCandidateEmail: async () => null,
  campaignApplicationOutcome: async () => null,
};

beforeAll(async () => {
  env = await startDevEnv();
  worker = await createTestWorker(env, { taskQueue, activities: noJobs });
  running = worker.run();
  dir = mkdtempSync(join(tmpdir(), 'applyflow-campaign-cli-'));
  // The test worker runs without the codec, so the CLI must too (explicitly: keys are required otherwise).
  Object.assign(process.env, { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, APPLYFLOW_CODEC: 'off' });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  worker?.shutdown();
  await running;
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => captureCli('campaign', ...args);

const body = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

test('create, get, list, pause, resume, runs, applications and stop a recurring campaign', async () => {
  const file = body('recurring.json', {
    candidateProfileId: PROFILE,
    schedule: { pattern: 'weekly', daysOfWeek: ['monday', 'wednesday'], time: '09:00', timezone: 'America/New_York' },
    filters: { jobTitle: 'Software Engineer', location: ['San Francisco, CA'], workType: ['Remote'] },
    limits: { maxJobsPerRun: 25 },
  });
  const created = await cli('create', 'autopilot-recurring', '--body', file, '--id', 'cli-weekly', '--json');
  expect(created).toMatchObject({ code: 0 });
  expect(JSON.parse(created.out)).toEqual({ campaignId: 'cli-weekly', workflowId: 'campaign/cli-weekly' });
  // Without --json: a sentence for people.
  const again = await cli('create', 'autopilot-recurring', '--body', file, '--id', 'cli-weekly-2');
  expect(again).toMatchObject({ code: 0, out: 'created campaign cli-weekly-2 (workflow campaign/cli-weekly-2)' });
  expect((await cli('stop', 'cli-weekly-2')).code).toBe(0);

  const got = JSON.parse((await cli('get', 'cli-weekly', '--json')).out);
  expect(got).toMatchObject({
    sessionId: 'cli-weekly',
    type: 'autopilot_recurring',
    status: 'active',
    searchContext: { titles: ['Software Engineer'], locations: ['San Francisco, CA'] },
    limits: { maxJobsPerRun: 25, concurrency: 3 },
  });
  expect(got.stats.nextRunAt).toMatch(/T1[34]:00:00.000Z$/); // 09:00 New York, EDT or EST
  // The default output is the readable summary.
  const summary = (await cli('get', 'cli-weekly')).out;
  expect(summary).toContain('Campaign cli-weekly (autopilot_recurring), active');
  expect(summary).toContain('looking for:  Software Engineer in San Francisco, CA');
  expect(summary).toContain('limits:       25 jobs per run, 3 at once');
  expect(summary).toContain('schedule:     weekly on monday, wednesday at 09:00 America/New_York');
  expect(summary).toMatch(new RegExp(`runs: +0, last -, next ${got.stats.nextRunAt.replace(/\.\d+Z$/, 'Z')}`));
  expect(() => JSON.parse(summary)).toThrow();

  expect(JSON.parse((await cli('pause', 'cli-weekly', '--json')).out)).toMatchObject({ status: 'paused', stats: { nextRunAt: null } });
  const listed = async (...args: string[]) => {
    for (let i = 0; ; i++) {
      const page = JSON.parse((await cli('list', ...args, '--json')).out);
      if (page.data.some((c: { sessionId: string }) => c.sessionId === 'cli-weekly') || i > 50) return page;
      await new Promise((r) => setTimeout(r, 200)); // visibility catches up
    }
  };
  expect((await listed('--status', 'paused', '--type', 'autopilot-recurring')).data).toEqual([
    expect.objectContaining({ sessionId: 'cli-weekly', status: 'paused', type: 'autopilot_recurring', candidateProfileId: PROFILE }),
  ]);
  // The list as a table: a header row, one row per campaign, the page line.
  const table = (await cli('list', '--status', 'paused', '--type', 'autopilot-recurring')).out.split('\n');
  expect(table[0].split(/\s+/)).toEqual(['SESSION', 'TYPE', 'STATUS', 'USER', 'PROFILE', 'CREATED', 'CLOSED']);
  expect(table[1].split(/\s+/)).toEqual([
    'cli-weekly',
    'autopilot_recurring',
    'paused',
    '-',
    PROFILE.slice(0, 8),
    expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+Z$/),
    '-',
  ]);
  expect(table[table.length - 1]).toBe('page 1/1 (1 total)');
  expect(JSON.parse((await cli('resume', 'cli-weekly', '--json')).out)).toMatchObject({ status: 'active' });
  expect((await cli('resume', 'cli-weekly')).out).toContain('Campaign cli-weekly (autopilot_recurring), active');
  expect(JSON.parse((await cli('runs', 'cli-weekly', '--json')).out)).toEqual({
    data: [],
    pagination: { page: 1, limit: 20, total: 0, totalPages: 0 },
  });
  expect((await cli('runs', 'cli-weekly')).out).toBe('(none)\npage 1/1 (0 total)');
  expect(JSON.parse((await cli('applications', 'cli-weekly', '--status', 'SUCCESS', '--json')).out).data).toEqual([]);
  expect((await cli('applications', 'cli-weekly')).out).toBe('(none)\npage 1/1 (0 total)');
  const stopped = await cli('stop', 'cli-weekly', '--json');
  expect(stopped.code).toBe(0);
  expect(JSON.parse(stopped.out)).toMatchObject({ status: 'cancelled', stats: { nextRunAt: null } });
  const page = await listed('--status', 'cancelled');
  expect(page.data.map((c: { sessionId: string }) => c.sessionId)).toContain('cli-weekly');
  const cancelled = (await cli('list', '--status', 'cancelled')).out;
  expect(cancelled).toMatch(/^SESSION +TYPE +STATUS/);
  expect(cancelled).toMatch(/\ncli-weekly +autopilot_recurring +cancelled +- /);
});

test('--policy at create and `campaign policy` while running: applications started afterwards get it; bad input names the field', async () => {
  const file = body('asking.json', {
    candidateProfileId: PROFILE,
    schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' },
    filters: { jobTitle: 'Engineer' },
  });
  expect(
    (await cli('create', 'autopilot-recurring', '--body', file, '--id', 'cli-asks', '--policy', 'ask', '--person-deadline-hours', '48'))
      .code,
  ).toBe(0);
  expect(JSON.parse((await cli('get', 'cli-asks', '--json')).out)).toMatchObject({
    policy: 'ask',
    personDeadlineHours: 48,
    stats: { waitingForPerson: 0 },
  });
  const changed = await cli('policy', 'cli-asks', 'review', '--person-deadline-hours', '24');
  expect(changed.code).toBe(0);
  expect(changed.out).toContain('policy:       review (a person has 24 h), 0 waiting for a person now');
  const bad = await cli('policy', 'cli-asks', 'sometimes');
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('policy: expected one of skip, ask, review');
  expect(JSON.parse((await cli('get', 'cli-asks', '--json')).out)).toMatchObject({ policy: 'review', personDeadlineHours: 24 });
  const refused = await cli('create', 'autopilot-recurring', '--body', file, '--policy', 'always', '--person-deadline-hours', '500');
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('policy: expected one of skip, ask, review');
  expect(refused.err).toContain('personDeadlineHours: expected hours from 1/60 (a minute) to 168');
  expect((await cli('stop', 'cli-asks')).code).toBe(0);
});

test('bad input is refused before connecting, one line per field', async () => {
  process.env.TEMPORAL_ADDRESS = '127.0.0.1:1'; // nothing listens: proves no server was needed
  try {
    const file = body('bad.json', { candidateProfileId: 'nope', jobs: [{ companyName: 'A', title: 'T', jobId: 'j 1', link: 'ftp://x' }] });
    const res = await cli('create', 'run-once', '--body', file);
    expect(res.code).toBe(1);
    expect(res.err).toContain('invalid campaign:');
    expect(res.err).toContain('candidateProfileId: required: a profile UUID');
    expect(res.err).toContain('jobs[0].jobId');
    expect(res.err).toContain('jobs[0].link');
    expect((await cli('create', 'weekly', '--body', file)).err).toContain(
      'type: expected one of run_once, autopilot_once, autopilot_recurring',
    );
  } finally {
    process.env.TEMPORAL_ADDRESS = env.address;
  }
});
