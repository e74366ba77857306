/**
 * The interactive session's activities one by one in a MockActivityEnvironment against the real sandbox
 * over HTTP; its admin API is the ground truth for what reached the upstream. Each step, the keys that make
 * a retry safe, and the named failure types the workflow's retry policy and SessionDriver act on.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SandboxHandle } from '../sandbox/server';
import { createInteractiveSessionActivities } from '../src/interactiveSession/activities';
import { JoboClient } from '../src/jobo/client';
import { NON_RETRYABLE_JOBO_FAILURES } from '../src/jobo/failureTypes';
import { validAnswersFor } from './support/formAnswers';
import { startSandbox } from './support/sandbox';

let sandbox: SandboxHandle;
let jobo: JoboClient;
let acts: ReturnType<typeof createInteractiveSessionActivities>;

/** An activity context, quiet, whose run() has the activity's own result type (the SDK's infers unknown). */
const env = () => {
  const mock = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  return { run: <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => mock.run(fn, ...args) };
};
const jobUrl = () => `https://boards.greenhouse.io/acme/jobs/${randomBytes(4).toString('hex')}`;
const key = () => `interactive-session/test/${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 31 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 5000 });
  acts = createInteractiveSessionActivities({ jobo });
});

afterAll(async () => {
  await jobo?.close();
  await sandbox?.close();
});

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test('start, submit page by page, read and end: what the upstream saw, once each', async () => {
  const url = jobUrl();
  let live = await env().run(acts.startSession, { jobUrl: url, idempotencyKey: key() });
  expect(live).toMatchObject({ status: 'form_ready', is_terminal: false });
  const sessionId = live.session_id;
  expect(await sandbox.admin.session(sessionId)).toMatchObject({ job_url: url, mode: 'interactive', ended: false, page: 0 });

  for (let n = 1; !live.is_terminal; n++) {
    live = await env().run(acts.submitAnswers, { sessionId, answers: validAnswersFor(live.fields), idempotencyKey: `${sessionId}/${n}` });
  }
  expect(live.status).toBe('submitted');
  const { submissions } = await sandbox.admin.submissions();
  expect(submissions.filter((s) => s.job_url === url).map((s) => s.count)).toEqual([1]);
  expect((await env().run(acts.getSession, { sessionId })).state).toBe('completed');

  await env().run(acts.endSession, { sessionId });
  await env().run(acts.endSession, { sessionId }); // idempotent: a retried end is not an error
  expect(await sandbox.admin.session(sessionId)).toMatchObject({ ended: true });
});

test('a start retried with its Idempotency-Key finds the session it opened (an upstream that honours keys)', async () => {
  await sandbox.admin.setFaults({ idempotencyKeys: 'honour' });
  try {
    const url = jobUrl();
    const k = key();
    const first = await env().run(acts.startSession, { jobUrl: url, idempotencyKey: k });
    const again = await env().run(acts.startSession, { jobUrl: url, idempotencyKey: k });
    expect(again.session_id).toBe(first.session_id);
    expect((await sandbox.admin.sessions()).filter((s) => s.job_url === url)).toHaveLength(1);
    await env().run(acts.endSession, { sessionId: first.session_id });
  } finally {
    await sandbox.admin.setFaults({ idempotencyKeys: 'ignore' });
  }
});

test('refusals carry the named, non-retryable Jobo types the workflow acts on', async () => {
  const live = await env().run(acts.startSession, { jobUrl: jobUrl(), idempotencyKey: key() });
  const sessionId = live.session_id;

  // Answers that miss required fields: the same page again, with one validation error per field.
  const again = await env().run(acts.submitAnswers, { sessionId, answers: {}, idempotencyKey: `${sessionId}/1` });
  expect(again).toMatchObject({ status: 'form_ready', is_terminal: false });
  expect(again.validation_errors.map((p) => p.field).sort()).toEqual(
    live.fields
      .filter((f) => f.required)
      .map((f) => f.name)
      .sort(),
  );
  expect(await sandbox.admin.session(sessionId)).toMatchObject({ page: 0, answers: [] }); // nothing accepted

  // A body the upstream cannot read: 400 naming the field (AnswersRejectedUpstream for the person).
  const bad = await failureOf(env().run(acts.submitAnswers, { sessionId, answers: 'x' as never, idempotencyKey: `${sessionId}/2` }));
  expect(bad.type).toBe('JoboBadRequest');
  expect(NON_RETRYABLE_JOBO_FAILURES).toContain(bad.type);
  expect((bad.details?.[0] as { fields?: { field: string }[] }).fields?.map((f) => f.field)).toEqual(['answers']);

  // A session ended upstream: 409 (the driver then asks getSession what happened).
  await env().run(acts.endSession, { sessionId });
  const closed = await failureOf(
    env().run(acts.submitAnswers, { sessionId, answers: validAnswersFor(live.fields), idempotencyKey: `${sessionId}/3` }),
  );
  expect(['JoboConflict', 'JoboNotFound']).toContain(closed.type);
  expect(closed.nonRetryable).toBe(true);
  expect((await env().run(acts.getSession, { sessionId })).state).toBe('closed');

  const unknown = await failureOf(env().run(acts.getSession, { sessionId: '00000000-0000-4000-8000-000000000000' }));
  expect(unknown).toMatchObject({ type: 'JoboNotFound', nonRetryable: true });
});

test('an outage is a retryable failure: the retry policy, not the activity, decides', async () => {
  await sandbox.admin.setFaults({ unavailableRate: 1, retryAfterSeconds: 1 });
  try {
    const err = await failureOf(env().run(acts.startSession, { jobUrl: jobUrl(), idempotencyKey: key() }));
    expect(err.type).toBe('JoboUnavailable');
    expect(err.nonRetryable).toBe(false);
  } finally {
    await sandbox.admin.setFaults({ unavailableRate: 0 });
  }
});
