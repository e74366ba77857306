/**
 * A person in the loop (issue 16), end to end: the real Temporal dev server, a worker with the real
 * application and profile activities, the sandbox over HTTP (its admin API is the ground truth for what was
 * submitted) and a SQLite ledger and remembered-answers store. Reviews, questions through answerQuestion,
 * captcha walls, and the applicationWaiting signals a campaign gets.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { answerQuestion, applicationView, approveReview, personTask, rejectReview, startApplication } from '../src/application/client';
import { applicationStartOptions, jobKeyOf, type ApplicationInput } from '../src/application/input';
import type { PersonTaskKind } from '../src/application/messages';
import type { JoboClient } from '../src/jobo/client';
import { createProfileActivities } from '../src/profile/activities';
import { lazyRememberedAnswers } from '../src/store/rememberedAnswers';
import type { ApplicationsLedger } from '../src/store/ledger';
import type { applicationParent } from './workflows/applicationParent';
import { HISTORIES_DIR, type RecordedHistory } from './support/histories';
import { createApplicant, submissionsOf } from './application.fixtures';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';
import { createTestWorker } from './support/worker';

const taskQueue = 'application-person';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let ledger: ApplicationsLedger;
let activities: ReturnType<typeof createApplicationActivities> & ReturnType<typeof createProfileActivities>;

const start = (input: ApplicationInput) => startApplication(env.client, input, { taskQueue });
const sessionsOf = async (profileId: string) => (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);
/** The sandbox's one-page generic form: its required "team" select is never answered by a profile. */
const genericJob = () => `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;

const taskOf = (workflowId: string, kind: PersonTaskKind) =>
  waitFor(
    `the application to open a ${kind} task`,
    async () => {
      const task = await personTask(env.client, workflowId).catch(() => null);
      return task?.kind === kind ? task : null;
    },
    30_000,
    100,
  );

/**
 * RECORD_HISTORIES=1 writes these paths' histories to test/histories/ (test/history.replay.test.ts replays
 * them); a plain run never rewrites a fixture.
 */
async function recordAs(workflowId: string, path: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const fixture: RecordedHistory = {
    workflowType: 'application',
    path,
    recordedOn: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
  writeFileSync(resolve(HISTORIES_DIR, `application.${path}.json`), JSON.stringify(fixture, null, 1) + '\n');
}

const rowOf = async (profileId: string, jobUrl: string) => ledger.get(profileId, jobKeyOf({ jobUrl }));
/** The ledger hears of an opened task from an activity the workflow runs just after opening it, so it trails the query. */
const rowAwaiting = (profileId: string, jobUrl: string, kind: PersonTaskKind) =>
  waitFor(
    `the ledger to show the ${kind} wait`,
    async () => {
      const row = await rowOf(profileId, jobUrl);
      return row?.awaitingKind === kind ? row : null;
    },
    30_000,
    100,
  );

function refusal(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

beforeAll(async () => {
  temp = await openTempStore('applyflow-app-person-');
  const store = temp.store;
  ledger = temp.ledger;
  const rememberedAnswers = lazyRememberedAnswers(async () => store, { codecKeys: [] });
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 13, jobs: 50 },
    taskQueue,
    activities: (j) =>
      (activities = {
        ...createApplicationActivities({ jobo: j, store: async () => store, rememberedAnswers }),
        ...createProfileActivities({ rememberedAnswers }),
      }),
  });
  ({ env, sandbox, jobo } = rig);
});

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
});

test('`review`: nothing is submitted until a person approves; the approved change is what the upstream gets, once', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = genericJob();
  const { workflowId, handle } = await start({ profileId, jobUrl, policy: 'review', answers: { team: 'Engineering' } });

  const task = await taskOf(workflowId, 'review');
  expect(task.answers.team).toBe('Engineering');
  expect(task.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['full_name', 'email', 'resume', 'team']));
  expect(await rowAwaiting(profileId, jobUrl, 'review')).toMatchObject({
    status: 'PROCESSING',
    awaitingKind: 'review',
    awaitingUntil: task.deadline,
  });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());

  // A change that does not fit the form is refused, naming the field, and nothing moves.
  const err = await approveReview(env.client, workflowId, { answers: { team: 'Marketing' } }).catch((e: unknown) => e);
  expect(refusal(err).message).toMatch(/^invalid answers: team/);
  expect((await personTask(env.client, workflowId))?.kind).toBe('review');
  expect((await sessionsOf(profileId))[0]).toMatchObject({ answers: [], ended: false });

  const view = await approveReview(env.client, workflowId, { answers: { team: 'Design' } });
  expect(view).toMatchObject({ status: 'SUCCESS', waiting_for: null });
  expect(await handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
  const [session] = await sessionsOf(profileId);
  expect(session).toMatchObject({ status: 'submitted', ended: true });
  expect(session.answers[0].team).toBe('Design');
  expect(await rowOf(profileId, jobUrl)).toMatchObject({ status: 'SUCCESS', awaitingKind: null });
  expect(await personTask(env.client, workflowId)).toBeNull();
  await recordAs(workflowId, 'reviewApproved');
});

test('`review` rejected: CANCELLED, nothing submitted, the upstream session ended', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = genericJob();
  const { workflowId, handle } = await start({ profileId, jobUrl, policy: 'review', answers: { team: 'Engineering' } });
  await taskOf(workflowId, 'review');

  const view = await rejectReview(env.client, workflowId, { reason: 'not this team' });
  expect(view).toMatchObject({ status: 'CANCELLED', error: 'rejected on review: not this team' });
  expect(await handle.result()).toMatchObject({ status: 'CANCELLED', attempts: [expect.objectContaining({ status: 'cancelled' })] });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());
  const upstream = await sessionsOf(profileId);
  expect(upstream).toHaveLength(1);
  expect(upstream[0]).toMatchObject({ ended: true, ended_reason: 'deleted', answers: [] });
  expect(await rowOf(profileId, jobUrl)).toMatchObject({ status: 'CANCELLED', awaitingKind: null });
  await recordAs(workflowId, 'reviewRejected');
});

test('a captcha wall parks the application NEEDS_PERSON with the live URL: nothing submitted, never a silent FAILED', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.example.com/captcha/acme-${randomBytes(4).toString('hex')}`;
  const { workflowId, handle } = await start({ profileId, jobUrl, answers: { team: 'Engineering' } });
  const result = await handle.result();
  expect(result).toMatchObject({
    status: 'NEEDS_PERSON',
    waiting_for: 'needs_person',
    error: 'A captcha challenge blocked the submission',
  });

  const [session] = await sessionsOf(profileId);
  expect(session).toMatchObject({ status: 'error', ended: true });
  const task = await personTask(env.client, workflowId);
  expect(task).toMatchObject({ kind: 'needs_person', live_url: expect.stringContaining(jobUrl) });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());
  expect(await rowOf(profileId, jobUrl)).toMatchObject({ status: 'NEEDS_PERSON', awaitingKind: 'needs_person' });
  await recordAs(workflowId, 'needsPerson');
});

test('answerQuestion: a bad value is refused naming the field and nothing changes; a good one with remember submits and is remembered', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = genericJob();
  const { workflowId, handle } = await start({ profileId, jobUrl, policy: 'ask' });
  const task = await taskOf(workflowId, 'question');
  expect(task.fields).toEqual([expect.objectContaining({ name: 'team', type: 'select', page: 1, reason: expect.any(String) })]);
  expect(await rowAwaiting(profileId, jobUrl, 'question')).toMatchObject({ status: 'PROCESSING', awaitingKind: 'question' });

  const bad = await answerQuestion(env.client, workflowId, { answers: { team: 'Marketing' } }).catch((e: unknown) => e);
  expect(refusal(bad).message).toMatch(/^invalid answers: team/);
  const page = await answerQuestion(env.client, workflowId, { answers: { team: 'Design' }, page: 2 }).catch((e: unknown) => e);
  expect(refusal(page).message).toMatch(/^invalid answers: page/);
  expect((await applicationView(env.client, workflowId)).awaiting).not.toBeNull();
  expect((await sessionsOf(profileId))[0]).toMatchObject({ answers: [], ended: false });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());

  const view = await answerQuestion(env.client, workflowId, { answers: { team: 'Design' }, remember: ['team'] });
  expect(view.status).toMatch(/^(PROCESSING|SUCCESS)$/);
  expect(await handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
  expect((await sessionsOf(profileId))[0].answers[0].team).toBe('Design');
  expect(await rowOf(profileId, jobUrl)).toMatchObject({ status: 'SUCCESS', awaitingKind: null });
  await recordAs(workflowId, 'questionRemembered');

  // Remembered: the next generic form's team question is answered without asking.
  const next = genericJob();
  const again = await (await start({ profileId, jobUrl: next, policy: 'skip' })).handle.result();
  expect(again).toMatchObject({ status: 'SUCCESS' });
  expect((await sessionsOf(profileId)).find((s) => s.job_url === next)!.answers[0].team).toBe('Design');
});

test("a campaign's application tells it when it starts and stops waiting for a person", async () => {
  const parentQueue = 'application-person-parent';
  const worker: Worker = await createTestWorker(env, {
    taskQueue: parentQueue,
    workflowsPath: resolve(__dirname, 'workflows', 'applicationParent.ts'),
    activities,
  });
  await worker.runUntil(async () => {
    const profileId = await createApplicant(jobo);
    const input: ApplicationInput = { profileId, jobUrl: genericJob(), policy: 'ask', campaignId: 'camp-person' };
    const parent = await env.client.workflow.start<typeof applicationParent>('applicationParent', {
      taskQueue: parentQueue,
      workflowId: `parent-${randomBytes(4).toString('hex')}`,
      args: [input],
    });
    const childId = applicationStartOptions(input).workflowId;
    await taskOf(childId, 'question');
    await answerQuestion(env.client, childId, { answers: { team: 'Sales' } });
    const { view, waiting } = await parent.result();
    expect(view.status).toBe('SUCCESS');
    expect(waiting).toEqual([
      { applicationId: childId, waitingFor: 'question' },
      { applicationId: childId, waitingFor: null },
    ]);
    expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[input.jobUrl, 1]]));
    await recordAs(childId, 'campaignChildAsked');
  });
});
