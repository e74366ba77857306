/**
 * The inbox API over real HTTP: the real Temporal dev server, a worker with the real application and
 * profile activities, the sandbox as the upstream (its admin API is the ground truth for submissions) and a
 * SQLite ledger. Questions, reviews and needs_person items are listed for their owner only; answers and
 * verdicts are workflow updates (a validator's refusal is a 400 naming the field and nothing changes);
 * another tenant's id is the unknown id's 404. Also the page's session and CSRF rules over plain HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { personTask, startApplication } from '../src/application/client';
import { jobKeyOf, type ApplicationInput } from '../src/application/input';
import type { ZodApp } from '../src/api/context';
import { buildApi } from '../src/api/server';
import { inboxIdOf } from '../src/inbox/input';
import type { JoboClient } from '../src/jobo/client';
import { createProfileActivities } from '../src/profile/activities';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { lazyRememberedAnswers } from '../src/store/rememberedAnswers';
import { createApplicant, submissionsOf } from './application.fixtures';
import { apiCaller, type ApiResponse } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'inbox-api';
const ALICE = 'af_inbox_alice_1111111111111';
const BOB = 'af_inbox_bob_222222222222222';

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let owners: ProfileOwners;
let app: ZodApp | undefined;
let base: string;

type Res = ApiResponse;

const call = apiCaller(() => base, ALICE);

/** The sandbox's one-page generic form: its required "team" select (Engineering, Product, Design, Sales, Operations) no profile answers. */
const genericJob = () => `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
const start = (input: ApplicationInput) => startApplication(env.client, input, { taskQueue });

/** An application of a profile Alice owns, started as a campaign's would be. */
async function aliceApplication(over: Partial<ApplicationInput>) {
  const profileId = await createApplicant(jobo);
  await owners.assign(profileId, 'alice');
  const jobUrl = over.jobUrl ?? genericJob();
  const started = await start({ profileId, jobUrl, ...over });
  return { profileId, jobUrl, id: inboxIdOf(started.workflowId), ...started };
}

/** Waits until the workflow itself says it asks (ground truth for "pending"), then reads the inbox. */
async function listed(workflowId: string, kind: string, query = '') {
  await waitFor(
    `${workflowId} to wait for a ${kind}`,
    async () => (await personTask(env.client, workflowId).catch(() => null))?.kind === kind,
    30_000,
    100,
  );
  return waitFor(`${workflowId} in the inbox`, async () => {
    const res = await call('GET', `/api/v1/questions${query}`);
    expect(res.status).toBe(200);
    return res.body.data.find((i: { application_id: string }) => i.application_id === workflowId) ?? null;
  });
}

beforeAll(async () => {
  temp = await openTempStore('applyflow-inbox-api-');
  const store = temp.store;
  const rememberedAnswers = lazyRememberedAnswers(async () => store, { codecKeys: [] });
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 17, jobs: 50 },
    taskQueue,
    activities: (j) => ({
      ...createApplicationActivities({ jobo: j, store: async () => store, rememberedAnswers }),
      ...createProfileActivities({ rememberedAnswers }),
    }),
  });
  ({ env, sandbox, jobo } = rig);
  owners = await profileOwnersFor(store);
  app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [
      { userId: 'alice', key: ALICE },
      { userId: 'bob', key: BOB },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => temp!.ledger,
    profileOwners: async () => owners,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await rig?.stop();
  await temp?.close();
});

test('a question: listed for its owner with the field from the workflow; a bad answer is a 400 naming the field and changes nothing; the answer submits once', async () => {
  const a = await aliceApplication({ policy: 'ask', campaignId: 'inbox-camp-q' });
  const item = await listed(a.workflowId, 'question');
  expect(item).toMatchObject({
    id: a.id,
    kind: 'question',
    campaign_id: 'inbox-camp-q',
    profile_id: a.profileId,
    status: 'PROCESSING',
    details: 'workflow',
  });
  const team = item.fields.find((f: { name: string }) => f.name === 'team');
  expect(team).toMatchObject({ type: 'select', required: true, label: 'Which team are you applying to?' });
  expect(team.options.map((o: { value: string }) => o.value)).toEqual(['Engineering', 'Product', 'Design', 'Sales', 'Operations']);
  expect(item.id).toMatch(/^[A-Za-z0-9_-]+$/);

  // Bob sees none of it, and his answer is the unknown id's 404 (nothing changes).
  const bobs = await call('GET', '/api/v1/questions', { key: BOB });
  expect(bobs.body.data.map((i: { id: string }) => i.id)).not.toContain(a.id);
  const bob = await call('POST', `/api/v1/questions/${a.id}/answer`, { key: BOB, body: { answers: { team: 'Design' } } });
  expect(bob).toMatchObject({ status: 404, body: { error: 'not_found' } });
  expect(
    (await call('POST', `/api/v1/questions/${inboxIdOf('application/x/y')}/answer`, { body: { answers: { team: 'Design' } } })).status,
  ).toBe(404);
  expect((await call('POST', `/api/v1/questions/not-an-id!/answer`, { body: { answers: {} } })).status).toBe(404);
  // A review route for a question: it is not waiting for that.
  expect((await call('POST', `/api/v1/reviews/${a.id}/approve`, { body: {} })).status).toBe(409);

  const bad = await call('POST', `/api/v1/questions/${a.id}/answer`, { body: { answers: { team: 'Marketing' } } });
  expect(bad.status).toBe(400);
  expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'team' })]);
  const badShape = await call('POST', `/api/v1/questions/${a.id}/answer`, { body: { answer: { team: 'Design' } } });
  expect(badShape.status).toBe(400);
  expect(badShape.body.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['answers']));
  expect((await personTask(env.client, a.workflowId))?.kind).toBe('question');
  expect(await submissionsOf(sandbox.admin, a.profileId)).toEqual(new Map());

  const ok = await call('POST', `/api/v1/questions/${a.id}/answer`, { body: { answers: { team: 'Design' }, remember: true } });
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ id: a.id, application_id: a.workflowId });
  expect(await a.handle.result()).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, a.profileId)).toEqual(new Map([[a.jobUrl, 1]]));
  const [session] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === a.profileId);
  expect(session.answers[0].team).toBe('Design');
  // Answered: no longer in the inbox; a second answer is a 409, not a second submission.
  expect((await call('GET', '/api/v1/questions')).body.data.map((i: { id: string }) => i.id)).not.toContain(a.id);
  expect((await call('POST', `/api/v1/questions/${a.id}/answer`, { body: { answers: { team: 'Design' } } })).status).toBe(409);
  expect(await submissionsOf(sandbox.admin, a.profileId)).toEqual(new Map([[a.jobUrl, 1]]));
});

test('reviews: approve with a change submits that change once; reject submits nothing (CANCELLED); a bad change is a 400 naming the field', async () => {
  const approveMe = await aliceApplication({ policy: 'review', answers: { team: 'Engineering' } });
  const rejectMe = await aliceApplication({ policy: 'review', answers: { team: 'Engineering' } });
  const item = await listed(approveMe.workflowId, 'review');
  expect(item.answers.team).toBe('Engineering');
  expect(item.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['full_name', 'email', 'team']));
  await listed(rejectMe.workflowId, 'review');

  const bad = await call('POST', `/api/v1/reviews/${approveMe.id}/approve`, { body: { answers: { team: 'Marketing' } } });
  expect(bad.status).toBe(400);
  expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['team']);
  expect((await call('POST', `/api/v1/reviews/${approveMe.id}/approve`, { key: BOB, body: {} })).status).toBe(404);
  expect((await call('POST', `/api/v1/reviews/${rejectMe.id}/reject`, { key: BOB, body: { reason: 'no' } })).status).toBe(404);
  expect((await call('POST', `/api/v1/reviews/${rejectMe.id}/reject`, { body: { reason: 'x'.repeat(501) } })).status).toBe(400);
  expect(await submissionsOf(sandbox.admin, approveMe.profileId)).toEqual(new Map());
  expect((await personTask(env.client, approveMe.workflowId))?.kind).toBe('review');

  const approved = await call('POST', `/api/v1/reviews/${approveMe.id}/approve`, { body: { answers: { team: 'Product' } } });
  expect(approved).toMatchObject({ status: 200, body: { status: 'SUCCESS', waiting_for: null } });
  expect(await submissionsOf(sandbox.admin, approveMe.profileId)).toEqual(new Map([[approveMe.jobUrl, 1]]));
  const [session] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === approveMe.profileId);
  expect(session.answers[0].team).toBe('Product');

  const rejected = await call('POST', `/api/v1/reviews/${rejectMe.id}/reject`, { body: { reason: 'not this one' } });
  expect(rejected).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
  expect(await rejectMe.handle.result()).toMatchObject({ status: 'CANCELLED' });
  expect(await submissionsOf(sandbox.admin, rejectMe.profileId)).toEqual(new Map());
  expect(await temp!.ledger.get(rejectMe.profileId, jobKeyOf({ jobUrl: rejectMe.jobUrl }))).toMatchObject({
    status: 'CANCELLED',
    awaitingKind: null,
  });
});

test('needs_person items with the live URL; filter by campaign; cursor pages; a bad cursor is a 400 naming it', async () => {
  const wall = await aliceApplication({
    jobUrl: `https://careers.example.com/captcha/acme-${randomBytes(4).toString('hex')}`,
    answers: { team: 'Engineering' },
    campaignId: 'inbox-camp-w',
  });
  expect(await wall.handle.result()).toMatchObject({ status: 'NEEDS_PERSON' });
  const other = await aliceApplication({ policy: 'ask', campaignId: 'inbox-camp-other' });
  await listed(other.workflowId, 'question');
  const item = await listed(wall.workflowId, 'needs_person', '?campaignId=inbox-camp-w');
  expect(item).toMatchObject({ kind: 'needs_person', status: 'NEEDS_PERSON', live_url: expect.stringContaining(wall.jobUrl) });
  const filtered = await call('GET', '/api/v1/questions?campaignId=inbox-camp-w');
  expect(filtered.body.data.map((i: { id: string }) => i.id)).toEqual([wall.id]);
  expect(await submissionsOf(sandbox.admin, wall.profileId)).toEqual(new Map());

  // Every pending item once, across pages of one.
  const all = (await call('GET', '/api/v1/questions?limit=100')).body.data.map((i: { id: string }) => i.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Res = await call('GET', `/api/v1/questions?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    seen.push(...page.body.data.map((i: { id: string }) => i.id));
    cursor = page.body.pagination.nextCursor;
  } while (cursor);
  expect(seen).toEqual(all);
  expect(all).toEqual(expect.arrayContaining([wall.id, other.id]));

  const badCursor = await call('GET', '/api/v1/questions?cursor=nope');
  expect(badCursor).toMatchObject({ status: 400, body: { fields: [{ field: 'cursor' }] } });
  expect((await call('GET', '/api/v1/questions?limit=0')).body.fields).toEqual([expect.objectContaining({ field: 'limit' })]);
  expect((await call('GET', '/api/v1/questions', { key: null })).status).toBe(401);

  // NEEDS_PERSON is final for the automation; an explicit retry takes the row over (here it meets the wall again).
  const retry = await call('POST', `/api/v1/applications/${encodeURIComponent(wall.workflowId)}/retry`, {
    body: { answers: { team: 'Engineering' } },
  });
  expect(retry).toMatchObject({ status: 202, body: { retry_of: wall.workflowId } });
  const again = await listed(retry.body.application_id, 'needs_person', '?campaignId=inbox-camp-w');
  expect(again.id).toBe(inboxIdOf(retry.body.application_id));
  expect((await call('GET', '/api/v1/questions?campaignId=inbox-camp-w')).body.data.map((i: { id: string }) => i.id)).toEqual([again.id]);
  expect(await submissionsOf(sandbox.admin, wall.profileId)).toEqual(new Map());
});

test('the OpenAPI document lists the inbox routes under the inbox tag', async () => {
  const doc = (await call('GET', '/api/v1/openapi.json', { key: null })).body;
  for (const [path, method] of [
    ['/api/v1/questions', 'get'],
    ['/api/v1/questions/{id}/answer', 'post'],
    ['/api/v1/reviews/{id}/approve', 'post'],
    ['/api/v1/reviews/{id}/reject', 'post'],
  ] as const) {
    expect(doc.paths[path]?.[method]?.tags).toEqual(['inbox']);
  }
  expect(Object.keys(doc.paths).some((p) => p.startsWith('/inbox'))).toBe(false);
});

describe('the page: sessions and CSRF over plain HTTP', () => {
  const cookieOf = (res: Res) => String(res.headers['set-cookie'] ?? '').split(';')[0];
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

  test('sign-in needs the form token; the cookie is HttpOnly and SameSite=Strict; a bad key is refused; every POST without the token is a 403 and changes nothing', async () => {
    const first = await call('GET', '/inbox', { key: null });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toContain('text/html');
    expect(first.headers['content-security-policy']).toContain("script-src 'nonce-");
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain http here; Secure over https
    const anon = cookieOf(first);
    const token = csrfOf(first.text);

    expect((await call('POST', '/inbox/sign-in', { key: null, cookie: anon, form: `apiKey=${ALICE}` })).status).toBe(403);
    expect((await call('POST', '/inbox/sign-in', { key: null, form: `apiKey=${ALICE}&_csrf=${token}` })).status).toBe(403);
    const wrong = await call('POST', '/inbox/sign-in', { key: null, cookie: anon, form: `apiKey=af_nope_000000000000000&_csrf=${token}` });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That API key is not valid.');

    const signedIn = await call('POST', '/inbox/sign-in', { key: null, cookie: anon, form: `apiKey=${ALICE}&_csrf=${token}` });
    expect(signedIn.status).toBe(303);
    const session = cookieOf(signedIn);
    expect(session).not.toBe(anon); // a new id on sign-in
    const page = await call('GET', '/inbox', { key: null, cookie: session });
    expect(page.text).toContain('Signed in as alice');
    const csrf = csrfOf(page.text);
    expect((await call('GET', '/inbox', { key: null, cookie: anon })).text).toContain('Sign in');

    // A forged answer (no token, or another session's) is a 403 and nothing reaches the workflow.
    const a = await aliceApplication({ policy: 'ask' });
    await listed(a.workflowId, 'question');
    for (const form of ['a%3Ateam=Design', `a%3Ateam=Design&_csrf=${token}`]) {
      expect((await call('POST', `/inbox/questions/${a.id}/answer`, { key: null, cookie: session, form })).status).toBe(403);
    }
    expect((await personTask(env.client, a.workflowId))?.kind).toBe('question');
    expect(await submissionsOf(sandbox.admin, a.profileId)).toEqual(new Map());

    // A refused answer is shown beside its field (400), and nothing changes.
    const refused = await call('POST', `/inbox/questions/${a.id}/answer`, {
      key: null,
      cookie: session,
      form: `a%3Ateam=Marketing&_csrf=${csrf}`,
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/class="field-error"[^>]*>[^<]+</);
    expect((await personTask(env.client, a.workflowId))?.kind).toBe('question');

    const answered = await call('POST', `/inbox/questions/${a.id}/answer`, {
      key: null,
      cookie: session,
      form: `a%3Ateam=Sales&_csrf=${csrf}`,
    });
    expect(answered).toMatchObject({ status: 303, headers: { location: '/inbox?done=answered' } });
    expect(await a.handle.result()).toMatchObject({ status: 'SUCCESS' });
    expect(await submissionsOf(sandbox.admin, a.profileId)).toEqual(new Map([[a.jobUrl, 1]]));

    const out = await call('POST', '/inbox/sign-out', { key: null, cookie: session, form: `_csrf=${csrf}` });
    expect(out.status).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await call('GET', '/inbox', { key: null, cookie: session })).text).toContain('Sign in');
  });
});
