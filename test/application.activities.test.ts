/**
 * The application's activities one by one in a MockActivityEnvironment: the real sandbox over HTTP (its
 * admin API is the ground truth) and a temp SQLite job store and ledger. What each does upstream and in
 * the ledger, that the long calls heartbeat, and that each failure carries its named type.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities, type LedgerUpdate } from '../src/application/activities';
import { jobKeyOf } from '../src/application/input';
import { ApplicationFailureType } from '../src/application/messages';
import { JoboClient } from '../src/jobo/client';
import { APPLICANT, CALLER_ANSWERS, createApplicant, submissionsOf } from './application.fixtures';
import { startSandbox } from './support/sandbox';
import { openTempStore, type TempStore } from './support/tempStore';
import { waitFor } from './support/waitFor';

let sandbox: SandboxHandle;
let jobo: JoboClient;
let temp: TempStore;
let acts: ReturnType<typeof createApplicationActivities>;

const RUN = '7a1f0c3e-0000-4000-8000-000000000001';
/** env.run with the activity's own result type (the SDK's signature infers unknown). */
const run = <A extends unknown[], R>(env: MockActivityEnvironment, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  env.run(fn, ...args);
/** An activity context as an application workflow's run gives it. */
const envOf = (workflowId: string, runId = RUN) => new MockActivityEnvironment({ workflowExecution: { workflowId, runId } });

beforeAll(async () => {
  temp = await openTempStore('applyflow-app-acts-');
  sandbox = await startSandbox({ seed: 17, jobs: 20 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  acts = createApplicationActivities({ jobo, store: async () => temp.store });
});

afterAll(async () => {
  await jobo?.close();
  await sandbox?.close();
  await temp?.close();
});

function failureOf(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test('the upstream session steps: start, answer from the profile, submit, read and end, each heartbeating', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  const env = envOf(`application/${profileId}/k1`);
  let beats = 0;
  env.on('heartbeat', () => beats++);

  const live = await run(env, acts.applicationStartSession, { jobUrl, profileId, idempotencyKey: `k1/${randomBytes(4).toString('hex')}` });
  expect(live).toMatchObject({ status: 'form_ready', is_terminal: false });
  expect(await sandbox.admin.sessions()).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: live.session_id, profile_id: profileId, ended: false })]),
  );

  const page = await run(env, acts.answerApplicationPage, { profileId, jobUrl, fields: live.fields });
  expect(page.answers).toMatchObject({
    full_name: `${APPLICANT.contact.first_name} ${APPLICANT.contact.last_name}`,
    email: APPLICANT.contact.email,
  });
  expect(page.missing.map((m) => m.field)).toEqual(['team']); // nothing in a profile says which team

  const answers = { ...page.answers, team: CALLER_ANSWERS.team as string };
  const done = await run(env, acts.applicationSubmitPage, {
    sessionId: live.session_id,
    answers,
    idempotencyKey: `k1/${live.session_id}/1`,
  });
  expect(done).toMatchObject({ status: 'submitted', is_terminal: true });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
  expect((await run(env, acts.applicationGetSession, { sessionId: live.session_id })).state).toBe('completed');

  await run(env, acts.applicationEndSession, { sessionId: live.session_id });
  await run(env, acts.applicationEndSession, { sessionId: live.session_id }); // idempotent
  expect((await sandbox.admin.sessions()).find((s) => s.id === live.session_id)).toMatchObject({ ended: true });
  expect(beats).toBeGreaterThanOrEqual(6); // one at the start of each heartbeating call
});

test('a profile whose resume import failed is ProfileNotReady (not retried); importing is ProfileImporting (retried)', async () => {
  const profile = await jobo.createProfile({ ...APPLICANT });
  await jobo.uploadResume(
    profile.id,
    { fileName: 'empty.pdf', contentType: 'application/pdf', data: Buffer.from([0, 1, 2, 3, 254, 255]) },
    { import: true },
  ); // binary: nothing to import
  const req = { profileId: profile.id, jobUrl: 'https://careers.acme.example.org/jobs/x1', fields: [] };
  const seen = await waitFor(
    'the import to end',
    async () => {
      const err = await run(envOf('application/p/k'), acts.answerApplicationPage, req).then(
        () => null,
        (e: unknown) => failureOf(e),
      );
      return err && err.type === ApplicationFailureType.ProfileNotReady
        ? err
        : (expect([err?.type, err?.nonRetryable]).toEqual([ApplicationFailureType.ProfileImporting, false]), null);
    },
    30_000,
    100,
  );
  expect(seen.nonRetryable).toBe(true);
  expect(seen.message).toContain('resume import failed');
});

test('a stored file answer whose bytes are gone is AnswerFileMissing, and nothing is sent upstream', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  const env = envOf(`application/${profileId}/k2`);
  const live = await run(env, acts.applicationStartSession, { jobUrl, profileId, idempotencyKey: `k2/${randomBytes(4).toString('hex')}` });
  const gone = { kind: 'stored_file' as const, sha256: 'f'.repeat(64), file_name: 'cv.pdf', content_type: 'application/pdf', bytes: 10 };
  const err = failureOf(
    await run(env, acts.applicationSubmitPage, { sessionId: live.session_id, answers: { resume: gone }, idempotencyKey: 'k2/1' }).catch(
      (e: unknown) => e,
    ),
  );
  expect([err.type, err.nonRetryable]).toEqual([ApplicationFailureType.AnswerFileMissing, true]);
  expect((await sandbox.admin.sessions()).find((s) => s.id === live.session_id)).toMatchObject({ answers: [], ended: false });
});

describe('the ledger', () => {
  const profileId = 'a0000000-0000-4000-8000-00000000000a';
  const jobUrl = 'https://jobs.lever.co/acme/ledger-1/apply';
  const update = (workflowId: string, over: Partial<LedgerUpdate> = {}): LedgerUpdate => ({
    profileId,
    jobId: jobKeyOf({ jobUrl }),
    jobUrl,
    jobRef: null,
    awaitingUntil: null,
    status: 'QUEUED',
    attempts: [],
    error: null,
    confirmationUrl: null,
    campaignId: null,
    provider: null,
    workflowId,
    runStartedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  });

  test('a claim takes the row once; another workflow learns it is owned; a person task is written and cleared', async () => {
    const mine = `application/${profileId}/${jobKeyOf({ jobUrl })}`;
    const env = envOf(mine);
    expect((await run(env, acts.claimApplication, { ...update(mine), retryOf: null })).kind).toBe('claimed');
    expect((await run(env, acts.claimApplication, { ...update(mine), retryOf: null })).kind).toBe('claimed'); // a retried claim: same answer
    const other = await run(envOf('application/hand-made', '7a1f0c3e-0000-4000-8000-000000000002'), acts.claimApplication, {
      ...update('application/hand-made'),
      retryOf: null,
    });
    expect(other).toMatchObject({ kind: 'owned', row: { workflowId: mine, status: 'QUEUED' } });

    const deadline = '2026-12-01T11:00:00.000Z';
    await run(env, acts.recordApplication, update(mine, { status: 'PROCESSING', awaitingKind: 'question', awaitingUntil: deadline }));
    expect(await temp.ledger.get(profileId, jobKeyOf({ jobUrl }))).toMatchObject({
      status: 'PROCESSING',
      awaitingKind: 'question',
      awaitingUntil: deadline,
    });
    await run(
      env,
      acts.recordApplication,
      update(mine, { status: 'NEEDS_PERSON', awaitingKind: 'needs_person', error: 'A captcha challenge blocked the submission' }),
    );
    await run(env, acts.recordApplication, update(mine, { status: 'PROCESSING' })); // a late write never moves a final row back
    expect(await run(envOf('x'), acts.applicationLedgerRow, { profileId, jobKey: jobKeyOf({ jobUrl }) })).toMatchObject({
      status: 'NEEDS_PERSON',
      workflowId: mine,
    });
    expect(await temp.ledger.get(profileId, jobKeyOf({ jobUrl }))).toMatchObject({ awaitingKind: 'needs_person' });
  });
});
