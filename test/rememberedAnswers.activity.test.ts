/**
 * Remembered answers in the activities, against the real sandbox forms: the worker's own activity set
 * (createActivities, with the payload codec on) runs in a MockActivityEnvironment. rememberAnswers stores
 * what a person answered; answerApplicationPage then answers the same question on a form from it, and the
 * page submitted upstream carries it. Ground truth: the sandbox session's accepted answers and its
 * submissions (/__admin), and the store's rows.
 */
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { providerJobUrl } from '../sandbox/urls';
import { createActivities, type Activities } from '../src/activities';
import { JoboClient } from '../src/jobo/client';
import type { LiveSessionState } from '../src/jobo/schemas';
import { rememberedAnswersFor } from '../src/store/rememberedAnswers';
import { APPLICANT, createApplicant, submissionsOf } from './application.fixtures';
import { testConfig } from './support/config';
import { startSandbox } from './support/sandbox';
import { openTempStore, type TempStore } from './support/tempStore';

const KEY = { id: 'rem1', key: randomBytes(32) };
const TEAM = 'Which team are you applying to?';
const AGE = 'Are you at least 18 years of age?';

let sandbox: SandboxHandle;
let jobo: JoboClient;
let temp: TempStore;
let acts: Activities;
let env: MockActivityEnvironment;
let profileId: string;
let n = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 41, jobs: 20 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  temp = await openTempStore('applyflow-remembered-acts-');
  const config = testConfig({
    JOBO_BASE_URL: sandbox.url,
    JOBO_API_KEY: sandbox.apiKey,
    APPLYFLOW_CODEC_KEYS: `${KEY.id}:${KEY.key.toString('base64')}`,
  });
  acts = createActivities({ config, jobo, store: async () => temp.store });
  env = new MockActivityEnvironment();
  // No date of birth: the profile cannot say whether the person is 18 (workday asks).
  profileId = await createApplicant(jobo, { contact: { ...APPLICANT.contact, date_of_birth: null } });
});

afterAll(async () => {
  await jobo?.close();
  await temp?.close();
  await sandbox?.close();
});

/** An activity run in the mock context, typed (MockActivityEnvironment.run infers unknown). */
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run<A, R, typeof fn>(fn, ...args);

/** Drives one upstream session page by page with the engine's answers (plus `extra`), as the workflow does. */
async function apply(jobUrl: string, extra: Record<string, string> = {}) {
  let state: LiveSessionState = await run(acts.applicationStartSession, { jobUrl, profileId, idempotencyKey: `start-${++n}` });
  const pages = [];
  while (!state.is_terminal) {
    // The caller's word on the job, as a campaign passes it (the store has no such job).
    const page = await run(acts.answerApplicationPage, {
      profileId,
      jobUrl,
      job: { companyName: 'Acme', title: 'Engineer' },
      fields: state.fields,
    });
    pages.push(page);
    if (page.missing.some((m) => extra[m.field] === undefined)) return { pages, state, sessionId: state.session_id };
    state = await run(acts.applicationSubmitPage, {
      sessionId: state.session_id,
      answers: { ...page.answers, ...extra },
      idempotencyKey: `page-${++n}`,
    });
  }
  return { pages, state, sessionId: state.session_id };
}

test('a question answered with remember is answered from it on the next form, and submitted upstream', async () => {
  const jobUrl = providerJobUrl('generic', 'acme/remembered-1');
  // Before: the team question goes to a person.
  const before = await apply(jobUrl);
  expect(before.pages[0].missing.map((m) => m.field)).toEqual(['team']);
  expect(before.state.is_terminal).toBe(false);
  await run(acts.applicationEndSession, { sessionId: before.sessionId });

  // A person answers it and asks to remember it (the form's label, type and options come along).
  const field = before.state.fields.find((f) => f.name === 'team')!;
  const saved = await run(acts.rememberAnswers, {
    profileId,
    answers: [{ label: field.label, type: field.type, options: field.options, value: 'Product' }],
  });
  expect(saved).toEqual({ remembered: [{ key: 'select:which-team-are-you-applying-to', changed: true }], skipped: [] });
  // Remembering again (an activity retry) changes nothing.
  expect(
    (
      await run(acts.rememberAnswers, {
        profileId,
        answers: [{ label: field.label, type: field.type, options: field.options, value: 'Product' }],
      })
    ).remembered,
  ).toEqual([{ key: 'select:which-team-are-you-applying-to', changed: false }]);

  const after = await apply(providerJobUrl('generic', 'acme/remembered-2'));
  expect(after.pages[0].missing).toEqual([]);
  expect(after.pages[0].remembered).toEqual([
    { field: 'team', label: TEAM, key: 'select:which-team-are-you-applying-to', reason: 'remembered answer' },
  ]);
  expect(after.state.status).toBe('submitted');
  // Ground truth: the page the sandbox accepted, and one submission for the job.
  const session = await sandbox.admin.session(after.sessionId);
  expect(session.answers[0].team).toBe('Product');
  expect(session.state).toBe('completed');
  expect((await submissionsOf(sandbox.admin, profileId)).get(providerJobUrl('generic', 'acme/remembered-2'))).toBe(1);
});

test('a multi-page form: the age question on page 3 is answered from a remembered answer (sealed at rest)', async () => {
  const jobUrl = providerJobUrl('workday', 'acme/remembered-3');
  const saved = await run(acts.rememberAnswers, {
    profileId,
    answers: [
      {
        label: `${AGE} *`,
        type: 'select',
        options: [
          { value: 'Yes', label: 'Yes' },
          { value: 'No', label: 'No' },
        ],
        value: 'Yes',
      },
      // A file cannot be remembered: skipped, the rest is still stored.
      { label: 'Resume/CV', type: 'file', value: { kind: 'profile_resume', profile_id: profileId } },
    ],
  });
  expect(saved.remembered).toEqual([{ key: 'select:are-you-at-least-18-years-of-age', changed: true }]);
  expect(saved.skipped).toEqual([
    { index: 1, field: 'answers[1].type', message: expect.stringContaining('file answers are not remembered') },
  ]);

  const applied = await apply(jobUrl);
  expect(applied.pages.flatMap((p) => p.missing)).toEqual([]);
  expect(applied.state.status).toBe('submitted');
  const used = applied.pages.flatMap((p) => p.remembered ?? []);
  expect(used).toEqual([{ field: 'q_age', label: AGE, key: 'select:are-you-at-least-18-years-of-age', reason: 'remembered answer' }]);
  const session = await sandbox.admin.session(applied.sessionId);
  expect(session.answers.find((page) => 'q_age' in page)?.q_age).toBe('Yes');
  expect((await submissionsOf(sandbox.admin, profileId)).get(jobUrl)).toBe(1);

  // At rest the value is sealed with the worker's codec key.
  const row = temp.store.db
    .prepare(`SELECT value, value_key_id FROM remembered_answers WHERE profile_id = ? AND answer_key = ?`)
    .get(profileId, 'select:are-you-at-least-18-years-of-age') as { value: string; value_key_id: string };
  expect(row.value_key_id).toBe(KEY.id);
  expect(row.value).not.toContain('Yes');
});

test('a remembered choice the form no longer offers is not used: the field is asked, nothing is submitted', async () => {
  const answers = await rememberedAnswersFor(temp.store, { codecKeys: [KEY] });
  await answers.remember(profileId, { label: TEAM, type: 'select', value: 'Research' }); // not among this form's teams
  const jobUrl = providerJobUrl('generic', 'acme/remembered-4');
  const applied = await apply(jobUrl);
  expect(applied.pages[0].missing).toEqual([
    expect.objectContaining({ field: 'team', reason: expect.stringMatching(/; the remembered answer is not one of this form's options$/) }),
  ]);
  expect(applied.pages[0].remembered).toBeUndefined();
  await run(acts.applicationEndSession, { sessionId: applied.sessionId });
  expect((await submissionsOf(sandbox.admin, profileId)).get(jobUrl)).toBeUndefined();
  expect((await sandbox.admin.session(applied.sessionId)).answers).toEqual([]);
});

test('rememberAnswers refuses a request without a profile id, naming the field', async () => {
  await expect(run(acts.rememberAnswers, { profileId: '', answers: [] })).rejects.toMatchObject({
    type: 'InvalidRememberRequest',
    nonRetryable: true,
    message: expect.stringContaining('profileId'),
  });
});
