/**
 * Interactive sessions end to end: the real Temporal dev server, the worker with the real activities, and
 * the sandbox over HTTP as the upstream. The sandbox's admin API is the ground truth for what reached it.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createInteractiveSessionActivities } from '../src/interactiveSession/activities';
import { JoboClient } from '../src/jobo/client';
import { InteractiveSessionClient, InvalidSessionInputError, SessionAnswerError } from '../src/interactiveSession/client';
import { SA } from '../src/searchAttributes';
import type { SessionView } from '../src/interactiveSession/messages';
import { validAnswersFor } from './support/formAnswers';
import { startSandbox } from './support/sandbox';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const taskQueue = 'interactive-session-e2e';
const WORKDAY = 'https://acme.wd1.myworkdayjobs.com/en-US/External/job/4567890';
const GREENHOUSE = 'https://boards.greenhouse.io/acme/jobs/7654321';

let rig: SandboxWorker | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let sessions: InteractiveSessionClient;

const adminSession = (id: string) => sandbox.admin.session(id);
async function adminSessionsFor(jobUrlPart: string) {
  return (await sandbox.admin.sessions()).filter((s) => s.job_url.includes(jobUrlPart));
}
async function submissionsFor(jobUrl: string): Promise<number> {
  const { submissions } = await sandbox.admin.submissions();
  return submissions.filter((s) => s.job_url === jobUrl).reduce((n, s) => n + s.count, 0);
}

/** Answers every page with valid answers until the session is over; returns the views seen. */
async function completeForm(workflowId: string): Promise<SessionView[]> {
  const views = [await sessions.waitForState(workflowId)];
  for (let v = views[0]; !v.is_terminal;) {
    if (views.length > 20) throw new Error(`no end after 20 pages: ${JSON.stringify(v.validation_errors)}`);
    v = await sessions.answer(workflowId, validAnswersFor(v.fields), { page: v.page });
    views.push(v);
  }
  return views;
}

const uniqueJob = (base: string) => `${base}${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 4 },
    taskQueue,
    activities: (jobo) => createInteractiveSessionActivities({ jobo }),
  });
  ({ env, sandbox } = rig);
  sessions = new InteractiveSessionClient(env.client, { taskQueue });
});

afterAll(() => rig?.stop());

test('a multi-page workday form is completed to submitted, exactly once upstream', async () => {
  const jobUrl = uniqueJob(WORKDAY);
  const { workflowId } = await sessions.start({ jobUrl });
  expect(workflowId).toMatch(/^interactive-session\/[0-9a-f]{8}-[0-9a-f]{8}$/);

  const views = await completeForm(workflowId);
  const first = views[0];
  const last = views[views.length - 1];
  expect(first).toMatchObject({ status: 'form_ready', provider_id: 'workday', page: 1 });
  expect(views.length - 1).toBeGreaterThanOrEqual(3); // workday is a >= 3 page wizard
  expect(last).toMatchObject({ status: 'submitted', is_terminal: true, outcome: 'submitted', pages_answered: views.length - 1 });

  const result = await sessions.result(workflowId);
  expect(result).toMatchObject({ outcome: 'submitted', status: 'submitted', provider_id: 'workday', hops: 0 });
  expect(await submissionsFor(jobUrl)).toBe(1);
  expect(await adminSession(result.session_id!)).toMatchObject({ ended: true });

  // Findable in the UI: memo and search attributes kept current.
  const d = await env.client.workflow.getHandle(workflowId).describe();
  expect(d.memo).toEqual({ jobUrl });
  expect(d.typedSearchAttributes.get(SA.kind)).toBe('interactive-session');
  expect(d.typedSearchAttributes.get(SA.jobUrl)).toBe(jobUrl);
  expect(d.typedSearchAttributes.get(SA.provider)).toBe('workday');
  expect(d.typedSearchAttributes.get(SA.status)).toBe('submitted');

  // Answers go as a local activity (one marker per page), never as a scheduled activity.
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  const markers = events.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
  expect(scheduled).not.toContain('submitAnswers');
  expect(markers.filter((m) => m === 'core_local_activity')).toHaveLength(views.length - 1);
});

test("the final answers' response is lost (keys ignored): the session finishes submitted, once, not as an error to re-send", async () => {
  const jobUrl = uniqueJob(WORKDAY);
  const { workflowId } = await sessions.start({ jobUrl });
  const resets = (await sandbox.admin.stats()).resets;
  await sandbox.admin.setFaults({ resetAfterSubmitNext: 1 });
  const views = await completeForm(workflowId);
  expect((await sandbox.admin.stats()).resets).toBe(resets + 1);
  expect(views[views.length - 1]).toMatchObject({ status: 'submitted', is_terminal: true, outcome: 'submitted' });
  expect(await sessions.result(workflowId)).toMatchObject({ outcome: 'submitted', status: 'submitted' });
  expect(await submissionsFor(jobUrl)).toBe(1);
});

test('invalid answers are rejected to the update caller, per field, without reaching history or upstream; then corrected', async () => {
  const jobUrl = uniqueJob(GREENHOUSE);
  const { workflowId } = await sessions.start({ jobUrl });
  const page1 = await sessions.waitForState(workflowId);
  const required = page1.fields.filter((f) => f.required);
  expect(required.length).toBeGreaterThanOrEqual(2);

  const before = await adminSession(page1.session_id!);
  const answers = validAnswersFor(page1.fields);
  const [missing, mistyped] = required.filter((f) => f.type !== 'file');
  delete answers[missing.name];
  answers[mistyped.name] = 12345; // a number where text/select is expected
  const err: unknown = await sessions.answer(workflowId, answers).catch((e) => e);
  expect(err).toBeInstanceOf(SessionAnswerError);
  const refused = err as SessionAnswerError;
  expect(refused.type).toBe('InvalidAnswers');
  expect(refused.problems.map((p) => p.field).sort()).toEqual([missing.name, mistyped.name].sort());
  expect(refused.message).toContain(missing.name);

  // Nothing reached the upstream session and nothing of the rejected update is in history.
  const after = await adminSession(page1.session_id!);
  expect(after).toMatchObject({ ended: false, page: 0, answers: [], last_request_at: before.last_request_at });
  expect(await sessions.state(workflowId)).toMatchObject({ page: 1, pages_answered: 0 });
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const updateEvents = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  expect(updateEvents).toHaveLength(0);

  const page2 = await sessions.answer(workflowId, validAnswersFor(page1.fields));
  expect(page2.page).toBe(2);
  expect(page2.validation_errors).toEqual([]);
  expect(page2.pages_answered).toBe(1);
  await sessions.end(workflowId);
  await sessions.result(workflowId);
});

test('concurrent answers are serialized: the second is re-checked against the next page and never sent', async () => {
  const { workflowId } = await sessions.start({ jobUrl: uniqueJob(WORKDAY) });
  const page1 = await sessions.waitForState(workflowId);
  const answers = validAnswersFor(page1.fields);
  const outcomes = await Promise.allSettled([sessions.answer(workflowId, answers), sessions.answer(workflowId, answers)]);
  const ok = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(ok).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0].reason).toBeInstanceOf(SessionAnswerError);
  expect((refused[0].reason as SessionAnswerError).type).toBe('InvalidAnswers');
  const upstream = await adminSession(page1.session_id!);
  expect(upstream.answers).toHaveLength(1);
  expect(upstream.page).toBe(1);
  await sessions.end(workflowId);
  expect((await sessions.result(workflowId)).pages_answered).toBe(1);
});

test('a redirect chain is followed to the provider and the form completed', async () => {
  const jobUrl = `https://careers.example.com/redirect/2/greenhouse/acme/${randomBytes(3).toString('hex')}`;
  const { workflowId } = await sessions.start({ jobUrl });
  const views = await completeForm(workflowId);
  expect(views[0]).toMatchObject({ hops: 2, provider_id: 'greenhouse', status: 'form_ready' });
  const result = await sessions.result(workflowId);
  expect(result).toMatchObject({ outcome: 'submitted', hops: 2, provider_id: 'greenhouse' });
  // Every upstream session of the chain is closed.
  const upstream = await adminSessionsFor(jobUrl.split('/').pop()!);
  expect(upstream.length).toBe(3);
  expect(upstream.every((s) => s.ended)).toBe(true);
});

test('more than 3 redirect hops finish as error', async () => {
  const jobUrl = `https://careers.example.com/redirect/4/lever/acme/${randomBytes(3).toString('hex')}`;
  const { workflowId } = await sessions.start({ jobUrl });
  const result = await sessions.result(workflowId);
  expect(result).toMatchObject({ outcome: 'error', status: 'error', hops: 3 });
  expect(result.detail).toMatch(/more than 3 redirects/);
  expect((await adminSessionsFor(jobUrl.split('/').pop()!)).every((s) => s.ended)).toBe(true);
});

test('cancelling the workflow ends the upstream session', async () => {
  const { workflowId } = await sessions.start({ jobUrl: uniqueJob(WORKDAY) });
  const view = await sessions.waitForState(workflowId);
  const handle = env.client.workflow.getHandle(workflowId);
  await handle.cancel();
  const err = await handle.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(await adminSession(view.session_id!)).toMatchObject({ ended: true, ended_reason: 'deleted' });
});

test('the end signal ends the upstream session and returns ended', async () => {
  const { workflowId } = await sessions.start({ jobUrl: uniqueJob(GREENHOUSE) });
  const view = await sessions.waitForState(workflowId);
  await sessions.end(workflowId, 'changed my mind');
  const result = await sessions.result(workflowId);
  expect(result).toMatchObject({ outcome: 'ended', status: 'ended', detail: 'changed my mind' });
  expect(await adminSession(view.session_id!)).toMatchObject({ ended: true, ended_reason: 'deleted' });
});

test('a session create whose response is lost is retried with its Idempotency-Key: one upstream session, ended', async () => {
  const jobUrl = uniqueJob(GREENHOUSE);
  const resets = (await sandbox.admin.stats()).resets;
  // The first create is carried out upstream, then its connection is dropped before the answer.
  // Only an upstream that honours the key can find the first session again (the sandbox's default ignores it).
  await sandbox.admin.setFaults({ resetAfterCreateNext: 1, idempotencyKeys: 'honour' });
  const { workflowId } = await sessions.start({ jobUrl });
  const view = await sessions.waitForState(workflowId);
  expect((await sandbox.admin.stats()).resets).toBe(resets + 1);
  expect((await sandbox.admin.faults()).resetAfterCreateNext).toBe(0);

  const opened = await adminSessionsFor(jobUrl);
  expect(opened.map((s) => s.id)).toEqual([view.session_id]);
  await sessions.end(workflowId);
  expect(await sessions.result(workflowId)).toMatchObject({ outcome: 'ended', session_id: view.session_id });
  const after = await adminSessionsFor(jobUrl);
  expect(after).toHaveLength(1);
  expect(after[0]).toMatchObject({ ended: true, ended_reason: 'deleted' });
  await sandbox.admin.setFaults({ idempotencyKeys: 'ignore' });
});

test('a workflow id used again for a new session opens a new upstream session, not the earlier one', async () => {
  const jobUrl = uniqueJob(GREENHOUSE);
  const first = await sessions.start({ jobUrl }, { id: 'again' });
  const one = await sessions.waitForState(first.workflowId);
  await sessions.end(first.workflowId);
  await sessions.result(first.workflowId);

  const second = await sessions.start({ jobUrl }, { id: 'again' });
  expect(second.workflowId).toBe(first.workflowId);
  const two = await sessions.waitForState(second.workflowId);
  expect(two).toMatchObject({ status: 'form_ready', is_terminal: false });
  expect(two.session_id).not.toBe(one.session_id);
  expect(await adminSessionsFor(jobUrl)).toHaveLength(2);
  await sessions.end(second.workflowId);
  await sessions.result(second.workflowId);
});

test('an answer that arrives after the upstream expired the session finishes as expired, not error', async () => {
  // Its own sandbox, whose sessions expire after a second idle (the real one: 15 minutes, under our 30).
  const idle = await startSandbox({ seed: 6, jobs: 20, sessionIdleTimeoutMs: 1000 });
  const idleJobo = new JoboClient({ baseUrl: idle.url, apiKey: idle.apiKey });
  const queue = `${taskQueue}-upstream-idle`;
  const w = await createTestWorker(env, { taskQueue: queue, activities: createInteractiveSessionActivities({ jobo: idleJobo }) });
  try {
    await w.runUntil(async () => {
      const idleSessions = new InteractiveSessionClient(env.client, { taskQueue: queue });
      const { workflowId } = await idleSessions.start({ jobUrl: uniqueJob(WORKDAY) });
      const page1 = await idleSessions.waitForState(workflowId);
      await new Promise((r) => setTimeout(r, 2500)); // the person is slow: the upstream expires the session
      expect(await idle.admin.session(page1.session_id!)).toMatchObject({ ended_reason: 'idle', status: 'expired' });

      const err: unknown = await idleSessions.answer(workflowId, validAnswersFor(page1.fields)).catch((e) => e);
      expect(err).toBeInstanceOf(SessionAnswerError);
      expect((err as SessionAnswerError).type).toBe('SessionClosed');
      expect((err as SessionAnswerError).message).toMatch(/expired/);
      const result = await idleSessions.result(workflowId);
      expect(result).toMatchObject({ outcome: 'expired', status: 'expired', pages_answered: 0 });
      expect(result.detail).toMatch(/^the upstream session expired/);
      expect(await idleSessions.state(workflowId)).toMatchObject({ outcome: 'expired', status: 'expired', error: null });
      const d = await env.client.workflow.getHandle(workflowId).describe();
      expect(d.typedSearchAttributes.get(SA.status)).toBe('expired');
      // Nothing was submitted, and the session stays closed as the upstream closed it.
      expect(await idle.admin.session(page1.session_id!)).toMatchObject({ ended_reason: 'idle', answers: [] });
    });
  } finally {
    await idleJobo.close();
    await idle.close();
  }
});

test('bad input is refused before anything starts, and re-checked by the workflow', async () => {
  const err = await sessions.start({ jobUrl: 'ftp://example.com/job' }).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidSessionInputError);
  expect((err as InvalidSessionInputError).problems).toEqual([{ field: 'jobUrl', message: expect.stringContaining('http(s)') }]);
  const tooLong = await sessions.start({ jobUrl: `https://example.com/${'x'.repeat(2000)}` }).catch((e) => e);
  expect((tooLong as InvalidSessionInputError).problems[0]).toMatchObject({ field: 'jobUrl', message: expect.stringContaining('2000') });

  // Started around the client (as the `temporal` CLI can): the workflow fails fast, typed, naming the field.
  const handle = await env.client.workflow.start('interactiveSession', {
    taskQueue,
    workflowId: `interactive-session/bad-${randomBytes(3).toString('hex')}`,
    args: [{ jobUrl: 'not a url' }],
  });
  const failed = await handle.result().catch((e) => e);
  expect(failed).toBeInstanceOf(WorkflowFailedError);
  const cause = (failed as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe('InvalidSessionInput');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toContain('jobUrl');
});
