/**
 * Applications end to end: the real Temporal dev server, a worker with the real activities, the sandbox
 * over HTTP as the upstream (its admin API is the ground truth for submissions) and a SQLite ledger.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import {
  ApplicationNotRetryableError,
  InvalidApplicationInputError,
  answerApplication,
  applicationView,
  retryApplication,
  startApplication,
} from '../src/application/client';
import { canonicalJobUrl, jobKeyOf, type ApplicationInput, type ApplicationView } from '../src/application/input';
import { JoboClient } from '../src/jobo/client';
import { SA } from '../src/searchAttributes';
import type { ApplicationsLedger } from '../src/store/ledger';
import type { SqliteJobStore } from '../src/store/sqlite';
import { application } from '../src/application/workflow';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { startSandbox } from './support/sandbox';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';
import { createTestWorker } from './support/worker';

const taskQueue = 'application-e2e';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let store: SqliteJobStore;
let ledger: ApplicationsLedger;
let jobs: CorpusJob[];

const start = (input: ApplicationInput) => startApplication(env.client, input, { taskQueue });
const sessionsOf = async (profileId: string) => (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);

const awaitingAnswers = (workflowId: string) =>
  waitFor(
    'the application to ask',
    async () => {
      const v = await applicationView(env.client, workflowId).catch(() => null);
      return v?.awaiting ? v : null;
    },
    30_000,
    100,
  );

beforeAll(async () => {
  temp = await openTempStore('applyflow-app-e2e-');
  ({ store, ledger } = temp);
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 11, jobs: 200 },
    taskQueue,
    activities: (jobo) => createApplicationActivities({ jobo, store: async () => store }),
  });
  ({ env, sandbox, jobo } = rig);
  jobs = await corpusJobs(sandbox.admin, store, 40);
});

afterAll(async () => {
  await rig?.stop();
  await temp?.close();
});

const jobOf = (provider: string) => {
  const job = jobs.find((j) => j.provider === provider);
  if (!job) throw new Error(`no ${provider} job in the corpus sample`);
  return job;
};

test('one application is filled from the profile, submitted once, and recorded', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('workday'); // four pages
  const started = await start({ profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS, campaignId: 'camp-1' });
  expect(started.workflowId).toBe(`application/${profileId}/${jobKeyOf({ jobUrl: job.url })}`);
  const result = await started.handle.result();

  expect(result).toMatchObject({
    status: 'SUCCESS',
    provider: 'workday',
    error: null,
    from_ledger: false,
    job_ref: job.id,
    campaign_id: 'camp-1',
    attempts: [{ attempt: 1, status: 'success' }],
  });
  expect(result.result?.confirmationUrl).toContain(job.url);

  const submitted = (await sandbox.admin.submissions()).submissions.filter((s) => s.profile_id === profileId);
  expect(submitted).toEqual([expect.objectContaining({ job_url: job.url, job_id: job.id, count: 1 })]);
  const upstream = await sessionsOf(profileId);
  expect(upstream).toHaveLength(1);
  expect(upstream[0]).toMatchObject({ mode: 'automated', status: 'submitted', ended: true, page_count: 4 });

  expect(await ledger.get(profileId, jobKeyOf({ jobUrl: job.url }))).toMatchObject({
    status: 'SUCCESS',
    jobRef: job.id,
    confirmationUrl: result.result!.confirmationUrl,
    campaignId: 'camp-1',
    provider: 'workday',
    workflowId: started.workflowId,
  });
  const sa = (await started.handle.describe()).typedSearchAttributes;
  expect(sa.get(SA.kind)).toBe('application');
  expect(sa.get(SA.status)).toBe('SUCCESS');
  expect(sa.get(SA.profileId)).toBe(profileId);
  expect(sa.get(SA.campaignId)).toBe('camp-1');
  expect(sa.get(SA.provider)).toBe('workday');
});

test('the same (profile, job) started twice concurrently, then again later, submits once', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('lever');
  const input: ApplicationInput = { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS };
  const [a, b] = await Promise.all([start(input), start(input)]);
  expect(a.workflowId).toBe(b.workflowId);
  expect([a.alreadyClosed, b.alreadyClosed]).toEqual([false, false]);
  const [ra, rb] = await Promise.all([a.handle.result(), b.handle.result()]);
  expect(ra.status).toBe('SUCCESS');
  expect(rb).toEqual(ra);
  expect((await a.handle.describe()).runId).toBe((await b.handle.describe()).runId);

  const later = await start(input);
  expect(later.alreadyClosed).toBe(true); // REJECT_DUPLICATE: the closed run answers
  expect(await later.handle.result()).toEqual(ra);

  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
  expect(await sessionsOf(profileId)).toHaveLength(1);
});

test('a run that finds the SUCCESS in the ledger (e.g. after retention) returns it without going upstream', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('ashby');
  const input: ApplicationInput = { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS };
  const first = await (await start(input)).handle.result();
  expect(first).toMatchObject({ status: 'SUCCESS', error: null, job_id: jobKeyOf({ jobUrl: job.url }), job_ref: job.id });

  // A second workflow under another id stands in for a start after the first run left retention; started
  // with another spelling of the URL and no jobId, it still finds the SUCCESS: the key is the job's.
  const { jobId, ...rest } = input;
  const byUrl = { ...rest, jobUrl: `${job.url}/?utm_source=newsletter#apply` };
  const again: ApplicationView = await env.client.workflow.execute(application, {
    taskQueue,
    workflowId: `application/${profileId}/after-retention`,
    args: [byUrl],
  });
  expect(again).toMatchObject({
    status: 'SUCCESS',
    from_ledger: true,
    job_id: jobKeyOf({ jobUrl: job.url }),
    result: first.result,
    attempts: first.attempts,
  });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
  expect(await sessionsOf(profileId)).toHaveLength(1);
});

test('`skip`: a required field the profile cannot answer fails the application, naming it, with nothing submitted', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`; // generic form: "team"
  const started = await start({ profileId, jobUrl, policy: 'skip' });
  const result = await started.handle.result();
  expect(result.status).toBe('FAILED');
  expect(result.error).toMatch(/^required fields the profile cannot answer: team \(Which team are you applying to\?/);
  expect(result.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'failed', error: result.error })]);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());
  expect((await sessionsOf(profileId)).every((s) => s.ended)).toBe(true);
  expect(await ledger.get(profileId, jobKeyOf({ jobUrl: jobUrl }))).toMatchObject({ status: 'FAILED', error: result.error });
});

test('retrying is explicit and for FAILED only: the retry takes the row over, submits once; a SUCCESS is never retried', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`; // generic form: "team"
  const first = await (await start({ profileId, jobUrl, policy: 'skip' })).handle.result();
  expect(first.status).toBe('FAILED');
  // A plain start again is the same (closed) application: nothing new happens.
  const again = await start({ profileId, jobUrl: `${jobUrl}/`, policy: 'skip', answers: { team: 'Engineering' } });
  expect(again.alreadyClosed).toBe(true);
  expect((await again.handle.result()).status).toBe('FAILED');

  const row = (await ledger.get(profileId, jobKeyOf({ jobUrl })))!;
  const [r1, r2] = await Promise.all([
    retryApplication(env.client, row, { taskQueue, answers: { team: 'Engineering' } }),
    retryApplication(env.client, row, { taskQueue, answers: { team: 'Engineering' } }),
  ]);
  expect(r1.workflowId).toBe(`${first.workflow_id}/retry-1`);
  expect(r2.workflowId).toBe(r1.workflowId); // two retries at once are one
  expect(await r1.handle.result()).toMatchObject({ status: 'SUCCESS', attached_to: null });
  expect(await ledger.get(profileId, jobKeyOf({ jobUrl }))).toMatchObject({ status: 'SUCCESS', workflowId: r1.workflowId });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));

  const done = (await ledger.get(profileId, jobKeyOf({ jobUrl })))!;
  await expect(retryApplication(env.client, done, { taskQueue })).rejects.toBeInstanceOf(ApplicationNotRetryableError);
  // A late retry from the stale FAILED row resolves to the first retry's (closed) run: never applied again.
  const stale = await (await retryApplication(env.client, row, { taskQueue })).handle.result();
  expect(stale).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
});

test('`ask`: the application waits for a person, refuses incomplete answers, and submits once answered', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://jobs.lever.co/acme/${randomBytes(4).toString('hex')}/apply`;
  const { workflowId, handle } = await start({ profileId, jobUrl, policy: 'ask' });

  const asking = await awaitingAnswers(workflowId);
  expect(asking.status).toBe('PROCESSING');
  expect(asking.awaiting).toMatchObject({ page: 2, fields: [expect.objectContaining({ name: 'cards[a1f3][field2]', required: true })] });
  expect(await ledger.get(profileId, jobKeyOf({ jobUrl: jobUrl }))).toMatchObject({ status: 'PROCESSING' });

  const refused = await answerApplication(env.client, workflowId, { comments: 'hi' }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toContain('cards[a1f3][field2] is required');
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());

  const view = await answerApplication(env.client, workflowId, { 'cards[a1f3][field2]': 'The payments pipeline.' }, { page: 2 });
  expect(view).toMatchObject({ status: 'submitted', is_terminal: true });
  const result = await handle.result();
  expect(result).toMatchObject({ status: 'SUCCESS', awaiting: null });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
  const answered = (await sessionsOf(profileId))[0].answers[1];
  expect(answered['cards[a1f3][field2]']).toBe('The payments pipeline.');
});

test('`ask` with nobody answering fails at the deadline; cancelling while asking records CANCELLED', async () => {
  const profileId = await createApplicant(jobo);
  const url = () => `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  const late = await start({ profileId, jobUrl: url(), policy: 'ask', answerDeadlineMinutes: 0.05 });
  expect(await late.handle.result()).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^no answer before deadline: /) });

  const jobUrl = url();
  const cancelled = await start({ profileId, jobUrl, policy: 'ask' });
  await awaitingAnswers(cancelled.workflowId);
  await cancelled.handle.cancel();
  const err = await cancelled.handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(await ledger.get(profileId, jobKeyOf({ jobUrl: jobUrl }))).toMatchObject({
    status: 'CANCELLED',
    attempts: [expect.objectContaining({ status: 'cancelled' })],
  });
  expect((await sessionsOf(profileId)).every((s) => s.ended)).toBe(true);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());
});

test('a cancel while the final submit is in flight records what the upstream did: SUCCESS, never CANCELLED', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('lever');
  await sandbox.admin.setFaults({ latencyMs: 1500 }); // a wide window for the cancel to land in
  try {
    const { handle } = await start({ profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS });
    await waitFor(
      'the final submit to be in flight',
      async () => {
        const [session] = await sessionsOf(profileId);
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const submitting = pending.some((a) => a.activityType?.name === 'applicationSubmitPage');
        return session && session.page === session.page_count - 1 && submitting ? true : null;
      },
      60_000,
      50,
    );
    await handle.cancel();
    const view = await handle.result(); // not a failure: the application went in
    expect(view).toMatchObject({ status: 'SUCCESS', error: null });
    expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
    expect(await ledger.get(profileId, jobKeyOf({ jobUrl: job.url }))).toMatchObject({ status: 'SUCCESS' });
  } finally {
    await sandbox.admin.setFaults({ latencyMs: 0 });
  }
});

test.each(['honour', 'ignore'] as const)(
  'a session create whose response is lost is retried (upstream %s Idempotency-Key): one submission',
  async (idempotencyKeys) => {
    const profileId = await createApplicant(jobo);
    const job = jobOf('greenhouse');
    const resets = (await sandbox.admin.stats()).resets;
    // The first create is carried out upstream, then its connection is dropped before the answer.
    await sandbox.admin.setFaults({ resetAfterCreateNext: 1, idempotencyKeys });
    try {
      const result = await (await start({ profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS })).handle.result();
      expect((await sandbox.admin.stats()).resets).toBe(resets + 1);
      expect((await sandbox.admin.faults()).resetAfterCreateNext).toBe(0);

      expect(result).toMatchObject({ status: 'SUCCESS', attempts: [expect.objectContaining({ attempt: 1, status: 'success' })] });
      const upstream = await sessionsOf(profileId);
      const submitted = upstream.filter((s) => s.status === 'submitted');
      expect(submitted).toHaveLength(1);
      expect(submitted[0]).toMatchObject({ job_url: job.url, ended: true });
      expect(result.attempts[0].session_id).toBe(submitted[0].id);
      // Honoured, the retry finds the first session; ignored, the first is an orphan left to the upstream's expiry.
      expect(upstream).toHaveLength(idempotencyKeys === 'honour' ? 1 : 2);
      expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
    } finally {
      await sandbox.admin.setFaults({ idempotencyKeys: 'ignore' });
    }
  },
);

test('one job named many ways (jobIds, trailing slash, tracking tags, upper-case host, #apply), started at once: one submission', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('lever');
  const upper = job.url.replace(/^https:\/\/([^/]+)/, (_, host: string) => `https://${host.toUpperCase()}`);
  const spellings = [job.url, `${job.url}/`, `${job.url}?utm_source=x`, upper, `${job.url}#apply`];
  const started = await Promise.all(spellings.map((jobUrl, i) => start({ profileId, jobUrl, jobId: `ref-${i}`, answers: CALLER_ANSWERS })));
  expect(new Set(started.map((s) => s.workflowId)).size).toBe(1);
  const results = await Promise.all(started.map((s) => s.handle.result()));
  expect(results.every((r) => r.status === 'SUCCESS')).toBe(true);
  // One submission, at whichever spelling the first start gave (the sandbox records the URL as sent).
  const submitted = [...(await submissionsOf(sandbox.admin, profileId))].map(([url, n]) => [canonicalJobUrl(url), n]);
  expect(submitted).toEqual([[canonicalJobUrl(job.url), 1]]);
  expect(await ledger.list({ profileId })).toEqual([expect.objectContaining({ status: 'SUCCESS', jobId: jobKeyOf({ jobUrl: job.url }) })]);
});

test('a start under a hand-made workflow id racing the real one attaches to it: one submission, both report it', async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('greenhouse');
  const input: ApplicationInput = { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS };
  const [real, stray] = await Promise.all([
    start(input).then((s) => s.handle.result()),
    env.client.workflow.execute(application, { taskQueue, workflowId: `application/${profileId}/hand-made-${Date.now()}`, args: [input] }),
  ]);
  const views = [real, stray];
  expect(views.map((v) => [v.status, v.error])).toEqual([
    ['SUCCESS', null],
    ['SUCCESS', null],
  ]);
  expect(views.filter((v) => v.attached_to !== null || v.from_ledger)).toHaveLength(1);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
});

test("the final submit's response is lost (keys ignored): reconciled from the session state to SUCCESS, never sent again", async () => {
  const profileId = await createApplicant(jobo);
  const job = jobOf('ashby');
  const resets = (await sandbox.admin.stats()).resets;
  await sandbox.admin.setFaults({ resetAfterSubmitNext: 1 });
  const result = await (await start({ profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS })).handle.result();
  expect((await sandbox.admin.stats()).resets).toBe(resets + 1);
  expect(result).toMatchObject({ status: 'SUCCESS', attempts: [expect.objectContaining({ status: 'success' })] });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[job.url, 1]]));
  expect(await sessionsOf(profileId)).toHaveLength(1);
  expect(await ledger.get(profileId, jobKeyOf({ jobUrl: job.url }))).toMatchObject({ status: 'SUCCESS' });
});

test('bad input is refused with every field named, and nothing starts', async () => {
  const err = await start({ profileId: 'nope', jobUrl: 'ftp://x', policy: 'maybe' as 'ask' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidApplicationInputError);
  expect((err as InvalidApplicationInputError).problems.map((p) => p.field)).toEqual(['profileId', 'jobUrl', 'policy']);
});

/**
 * An `ask` application against its own sandbox, whose sessions expire after a second idle (a worker on its
 * own task queue): the person answers the form's one open question only after the upstream expired the
 * first attempt's session. Returns the result and the sandbox's ground truth for the profile.
 */
async function answeredLate(queue: string, jobUrlOf: (slug: string) => string) {
  const idle = await startSandbox({ seed: 12, jobs: 20, sessionIdleTimeoutMs: 1000 });
  const idleJobo = new JoboClient({ baseUrl: idle.url, apiKey: idle.apiKey });
  try {
    const w = await createTestWorker(env, {
      taskQueue: queue,
      activities: createApplicationActivities({ jobo: idleJobo, store: async () => store }),
    });
    return await w.runUntil(async () => {
      const profileId = await createApplicant(idleJobo);
      const jobUrl = jobUrlOf(`acme/${randomBytes(4).toString('hex')}`);
      const { workflowId, handle } = await startApplication(env.client, { profileId, jobUrl, policy: 'ask' }, { taskQueue: queue });
      await awaitingAnswers(workflowId);
      await new Promise((r) => setTimeout(r, 2000)); // the person is slow: the upstream session expires
      await env.client.workflow.getHandle(workflowId).signal('answers', { answers: { 'cards[a1f3][field2]': 'The payments pipeline.' } });
      const result = await handle.result();
      const { submissions } = await idle.admin.submissions();
      return {
        result,
        submissions: submissions.filter((s) => s.profile_id === profileId).map((s) => s.count),
        upstream: (await idle.admin.sessions()).filter((s) => s.profile_id === profileId),
      };
    });
  } finally {
    await idleJobo.close();
    await idle.close();
  }
}

/** Attempt 1 failed on the expired session; attempt 2 reused the answers and submitted. */
const expiredThenSubmitted = {
  status: 'SUCCESS',
  error: null,
  attempts: [
    expect.objectContaining({ attempt: 1, status: 'failed', error: expect.stringMatching(/^the upstream session expired: JoboConflict/) }),
    expect.objectContaining({ attempt: 2, status: 'success' }),
  ],
};

test('an upstream session that expires while a person answers is started again, and their answers are reused', async () => {
  const { result, submissions, upstream } = await answeredLate('application-e2e-idle', (slug) => `https://jobs.lever.co/${slug}/apply`);
  expect(result).toMatchObject(expiredThenSubmitted);
  expect(submissions).toEqual([1]);
  expect(upstream.map((s) => s.ended_reason).sort()).toEqual(['idle', 'terminal']);
});

test('the redirect limit counts per attempt: a re-attempt follows its own redirects again', async () => {
  // Two redirects to the Lever form (2 of the 3 allowed per attempt), in each attempt.
  const { result, submissions, upstream } = await answeredLate(
    'application-e2e-idle-redirect',
    (slug) => `https://careers.example.com/redirect/2/lever/${slug}`,
  );
  expect(result).toMatchObject(expiredThenSubmitted);
  expect(submissions).toEqual([1]);
  // Each attempt: two redirect sessions and the form's session; every one of them ended.
  expect(upstream).toHaveLength(6);
  expect(upstream.every((s) => s.ended)).toBe(true);
  expect(upstream.map((s) => s.status).sort()).toEqual([
    'expired',
    'redirect_required',
    'redirect_required',
    'redirect_required',
    'redirect_required',
    'submitted',
  ]);
});
