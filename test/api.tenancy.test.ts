/**
 * Tenancy over real HTTP: profiles belong to the API user who created them (or to whom an operator
 * assigned them), and user B can neither use nor see anything of user A's (profiles, campaigns, interactive
 * sessions, applications, runs). Each attempt is a 404 like an unknown id, and "starts nothing" is read from
 * Temporal's own list of workflows and the sandbox's ground truth (/__admin/*), never from the API's answer.
 * Also the auth details: several keys per user, a revoked key is a 401, failed authentications are limited
 * per client address.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { get } from 'node:http';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import type { ZodApp } from '../src/api/context';
import { buildApi, type ApiDeps } from '../src/api/server';
import type { JoboClient } from '../src/jobo/client';
import { analyticsFor } from '../src/store/analytics';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { usersFor, type Users } from '../src/store/users';
import { APPLICANT, CALLER_ANSWERS, corpusJobs, type CorpusJob } from './application.fixtures';
import { testConfig } from './support/config';
import { apiCaller, type ApiResponse } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'api-tenancy';
const ALICE_1 = 'af_alice_1111111111111111';
const ALICE_2 = 'af_alice_2222222222222222';
const BOB = 'af_bob_33333333333333333333';
const UNKNOWN_PROFILE = '00000000-0000-4000-8000-000000000000';

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let owners: ProfileOwners;
let users: Users;
let jobs: CorpusJob[];
const apps: ZodApp[] = [];
let base: string;

type Res = ApiResponse;

const call = apiCaller(() => base, ALICE_1);

async function startApp(over: Partial<ApiDeps> = {}): Promise<string> {
  const app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [
      { userId: 'alice', key: ALICE_1 },
      { userId: 'alice', key: ALICE_2 },
      { userId: 'bob', key: BOB },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => temp!.ledger,
    profileOwners: async () => owners,
    users: async () => users,
    jobStore: async () => temp!.store,
    analytics: async () => analyticsFor(temp!.store),
    interactiveWaitMs: 5_000,
    ...over,
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  temp = await openTempStore('applyflow-api-tenancy-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 29, jobs: 120 },
    taskQueue,
    activities: (jobo, sandbox) =>
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
  });
  ({ env, sandbox, jobo } = rig);
  owners = await profileOwnersFor(store);
  users = await usersFor(store);
  jobs = await corpusJobs(sandbox.admin, store, 20);
  base = await startApp();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await rig?.stop();
  await temp?.close();
});

const routeCount = async (route: string): Promise<number> => (await sandbox.admin.stats()).byRoute[route]?.total ?? 0;
const PROFILE_ROUTES = ['POST /api/auto-apply/profiles', 'PATCH /api/auto-apply/profiles/:id', 'PUT /api/auto-apply/profiles/:id/resume'];

describe('profiles through the API', () => {
  test('create records the caller as owner; get, patch, resume upload and import status work for the owner', async () => {
    const created = await call('POST', '/api/v1/profiles', { body: APPLICANT });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(created.headers.location).toBe(`/api/v1/profiles/${id}`);
    expect(created.body.contact.email).toBe(APPLICANT.contact.email);
    // Ground truth: the owner row in the store and the profile upstream.
    expect(await owners.ownerOf(id)).toBe('alice');
    expect((await jobo.getProfile(id)).contact?.email).toBe(APPLICANT.contact.email);

    expect((await call('GET', `/api/v1/profiles/${id}`, { key: ALICE_2 })).body.id).toBe(id); // either of alice's keys
    const patched = await call('PATCH', `/api/v1/profiles/${id}`, { body: { memories: ['Prefers remote work.'] } });
    expect([patched.status, patched.body.memories]).toEqual([200, ['Prefers remote work.']]);
    expect((await jobo.getProfile(id)).memories).toEqual(['Prefers remote work.']);

    const upload = await call('PUT', `/api/v1/profiles/${id}/resume`, {
      raw: Buffer.from('Ada Lovelace\nada@example.org\nSenior engineer at Analytical Engines, 2019-2024\n'),
      headers: { 'content-type': 'text/plain', 'x-file-name': 'ada.txt' },
    });
    expect(upload.status).toBe(202);
    const settled = await waitFor('the import to settle', async () => {
      const s = await call('GET', `/api/v1/profiles/${id}/resume/import`);
      return s.body.status !== 'importing' && s.body;
    });
    expect(settled).toMatchObject({
      profile_id: id,
      status: expect.stringMatching(/^(ready|import_failed)$/),
      resume: { file_name: 'ada.txt', content_type: 'text/plain' },
    });
    expect((await jobo.getProfile(id)).resume?.file_name).toBe('ada.txt');

    const listed = await call('GET', '/api/v1/profiles');
    expect(listed.body.data.map((p: { profile_id: string }) => p.profile_id)).toContain(id);
  });

  test('the CLI validation: per-field 400s, nothing sent upstream', async () => {
    const before = await Promise.all(PROFILE_ROUTES.map(routeCount));
    const noContact = await call('POST', '/api/v1/profiles', { body: { name: 'No contact' } });
    expect([noContact.status, noContact.body.error]).toEqual([400, 'invalid_request']);
    expect(noContact.body.fields.map((f: { field: string }) => f.field)).toContain('contact');
    const badEmail = await call('POST', '/api/v1/profiles', { body: { ...APPLICANT, contact: { ...APPLICANT.contact, email: 'nope' } } });
    expect(badEmail.body.fields.map((f: { field: string }) => f.field)).toContain('contact.email');
    expect((await call('POST', '/api/v1/profiles', { body: { ...APPLICANT, nickname: 'x' } })).body.fields).toEqual([
      { field: 'nickname', message: 'unknown field' },
    ]);

    const mine = (await call('POST', '/api/v1/profiles', { body: APPLICANT })).body.id as string;
    const created = await routeCount(PROFILE_ROUTES[0]);
    const emptyPatch = await call('PATCH', `/api/v1/profiles/${mine}`, { body: {} });
    expect([emptyPatch.status, emptyPatch.body.fields]).toEqual([
      400,
      [{ field: '(body)', message: 'nothing to change: give at least one section' }],
    ]);
    const exe = await call('PUT', `/api/v1/profiles/${mine}/resume`, {
      raw: Buffer.from('MZ'),
      headers: { 'content-type': 'text/plain', 'x-file-name': 'run.exe' },
    });
    expect([exe.status, exe.body.fields[0].field]).toEqual([400, 'resume']);
    const mismatch = await call('PUT', `/api/v1/profiles/${mine}/resume`, {
      raw: Buffer.from('%PDF-1.4'),
      headers: { 'content-type': 'text/plain', 'x-file-name': 'cv.pdf' },
    });
    expect([mismatch.status, mismatch.body.fields[0].field]).toEqual([400, 'content-type']);
    const empty = await call('PUT', `/api/v1/profiles/${mine}/resume`, {
      raw: Buffer.alloc(0),
      headers: { 'content-type': 'application/pdf', 'x-file-name': 'cv.pdf' },
    });
    expect(empty.status).toBe(400);
    const after = await Promise.all(PROFILE_ROUTES.map(routeCount));
    expect(after).toEqual([created, before[1], before[2]]); // only the one valid create went upstream
    expect(created).toBe(before[0] + 1);
  });
});

describe("user B can neither use nor see anything of user A's", () => {
  let aliceProfile: string;
  let aliceSession: string;
  let aliceInteractive: string;
  let aliceApplication: string;

  beforeAll(async () => {
    aliceProfile = (await call('POST', '/api/v1/profiles', { body: APPLICANT })).body.id;
    const picked = jobs.filter((j) => j.provider === 'greenhouse').slice(0, 1);
    const created = await call('POST', '/api/v1/sessions/apply', {
      body: {
        candidateProfileId: aliceProfile,
        jobs: picked.map((j) => ({ companyName: 'Acme', title: 'Engineer', jobId: j.id, link: j.url })),
        answers: CALLER_ANSWERS,
      },
    });
    expect(created.status).toBe(201);
    aliceSession = created.body.sessionId;
    await waitFor(
      "alice's session to complete",
      async () => (await call('GET', `/api/v1/sessions/${aliceSession}`)).body.status === 'completed',
    );
    const listed = await call('GET', `/api/v1/applications?sessionId=${aliceSession}`);
    expect(listed.body.data).toHaveLength(1);
    aliceApplication = listed.body.data[0].application_id;
    const interactive = await call('POST', '/api/v1/interactive-sessions', {
      body: { job_url: 'https://jobs.lever.co/acme/tenancy-a', profile_id: aliceProfile },
    });
    expect(interactive.status).toBe(201);
    aliceInteractive = interactive.body.session_id;
  });

  test('every attempt is the 404 an unknown id gets, and starts nothing (Temporal and sandbox ground truth)', async () => {
    const workflowsBefore = (await env.client.workflow.count()).count;
    const upstreamSessionsBefore = (await sandbox.admin.sessions()).length;
    const submissionsBefore = (await sandbox.admin.submissions()).total;
    const profileWritesBefore = await Promise.all(PROFILE_ROUTES.map(routeCount));
    const aliceUpstream = await jobo.getProfile(aliceProfile);
    const asBob = { key: BOB };
    const jobsBody = { jobs: [{ companyName: 'Acme', title: 'Engineer', jobId: 'bob-1', link: jobs[1].url }] };

    // [what, method, path for a profile id, body for a profile id]; each is also sent for an id that does not exist
    const attempts: [string, string, (profile: string) => string, ((profile: string) => Record<string, unknown>) | undefined][] = [
      ['get profile', 'GET', (p) => `/api/v1/profiles/${p}`, undefined],
      ['patch profile', 'PATCH', (p) => `/api/v1/profiles/${p}`, () => ({ memories: ['Mallory was here.'] })],
      ['import status', 'GET', (p) => `/api/v1/profiles/${p}/resume/import`, undefined],
      ['run-once campaign', 'POST', () => '/api/v1/sessions/apply', (p) => ({ candidateProfileId: p, ...jobsBody })],
      [
        'autopilot once',
        'POST',
        () => '/api/v1/sessions/autopilot/once',
        (p) => ({ candidateProfileId: p, filters: { jobTitle: 'Engineer' } }),
      ],
      [
        'autopilot recurring',
        'POST',
        () => '/api/v1/sessions/autopilot/recurring',
        (p) => ({ candidateProfileId: p, filters: {}, schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' } }),
      ],
      [
        'interactive session',
        'POST',
        () => '/api/v1/interactive-sessions',
        (p) => ({ job_url: 'https://jobs.lever.co/acme/tenancy-b', profile_id: p }),
      ],
      ['applications by profile', 'GET', (p) => `/api/v1/applications?profileId=${p}`, undefined],
    ];
    for (const [what, method, path, body] of attempts) {
      const theirs = await call(method, path(aliceProfile), { ...asBob, ...(body ? { body: body(aliceProfile) } : {}) });
      const unknown = await call(method, path(UNKNOWN_PROFILE), { ...asBob, ...(body ? { body: body(UNKNOWN_PROFILE) } : {}) });
      expect([what, theirs.status, theirs.body.error]).toEqual([what, 404, 'not_found']);
      // Byte for byte the unknown id's answer, the id aside: nothing discloses that alice's profile exists.
      expect([what, JSON.stringify(theirs.body).replaceAll(aliceProfile, '<id>')]).toEqual([
        what,
        JSON.stringify(unknown.body).replaceAll(UNKNOWN_PROFILE, '<id>'),
      ]);
    }
    const upload = await call('PUT', `/api/v1/profiles/${aliceProfile}/resume`, {
      ...asBob,
      raw: Buffer.from('Mallory'),
      headers: { 'content-type': 'text/plain', 'x-file-name': 'm.txt' },
    });
    expect([upload.status, upload.body.error]).toEqual([404, 'not_found']);

    // Alice's campaign session, its runs and applications, her interactive session: the same 404s.
    const sessionAttempts = [
      await call('GET', `/api/v1/sessions/${aliceSession}`, asBob),
      await call('GET', `/api/v1/sessions/${aliceSession}/runs`, asBob),
      await call('POST', `/api/v1/sessions/${aliceSession}/stop`, asBob),
      await call('GET', `/api/v1/applications?sessionId=${aliceSession}`, asBob),
      await call('GET', `/api/v1/interactive-sessions/${aliceInteractive}`, asBob),
      await call('POST', `/api/v1/interactive-sessions/${aliceInteractive}/answers`, { ...asBob, body: { answers: { name: 'Mallory' } } }),
      await call('DELETE', `/api/v1/interactive-sessions/${aliceInteractive}`, asBob),
      await call('POST', `/api/v1/applications/${encodeURIComponent(aliceApplication)}/retry`, asBob),
    ];
    expect(sessionAttempts.map((r) => [r.status, r.body.error])).toEqual(Array(sessionAttempts.length).fill([404, 'not_found']));

    // Nothing of alice's in bob's lists.
    const bobsProfiles = await call('GET', '/api/v1/profiles', asBob);
    expect(bobsProfiles.body.data.map((p: { profile_id: string }) => p.profile_id)).not.toContain(aliceProfile);
    const bobsApps = await call('GET', '/api/v1/applications?limit=100', asBob);
    expect(bobsApps.body.data.map((a: { application_id: string }) => a.application_id)).not.toContain(aliceApplication);
    const bobsSessions = await call('GET', '/api/v1/sessions?limit=100', asBob);
    expect(bobsSessions.body.data.map((s: { sessionId: string }) => s.sessionId)).not.toContain(aliceSession);

    // Starts nothing, changes nothing: Temporal's list, the sandbox's sessions, submissions and writes.
    expect((await env.client.workflow.count()).count).toBe(workflowsBefore);
    expect((await sandbox.admin.sessions()).length).toBe(upstreamSessionsBefore);
    expect((await sandbox.admin.submissions()).total).toBe(submissionsBefore);
    expect(await Promise.all(PROFILE_ROUTES.map(routeCount))).toEqual(profileWritesBefore);
    expect((await jobo.getProfile(aliceProfile)).updated_at).toBe(aliceUpstream.updated_at);
    expect(await owners.ownerOf(aliceProfile)).toBe('alice');
    // Alice's own things are untouched and still hers.
    const hers = await call('GET', `/api/v1/interactive-sessions/${aliceInteractive}`);
    expect([hers.status, hers.body.is_terminal]).toEqual([200, false]);
    expect(
      (await call('GET', `/api/v1/applications?profileId=${aliceProfile}`)).body.data.map(
        (a: { application_id: string }) => a.application_id,
      ),
    ).toEqual([aliceApplication]);
    expect((await call('DELETE', `/api/v1/interactive-sessions/${aliceInteractive}`)).status).toBe(204);
  });

  test('the owner retries her FAILED application once: 202 and one workflow; the old id is then a 404 naming the new one', async () => {
    const before = (await env.client.workflow.count()).count;
    const listed = (await call('GET', `/api/v1/applications?sessionId=${aliceSession}`)).body.data[0];
    expect(listed).toMatchObject({ application_id: aliceApplication, status: 'FAILED' }); // her profile has no resume
    const retry = await call('POST', `/api/v1/applications/${encodeURIComponent(aliceApplication)}/retry`, {
      body: { answers: { note: 'retry' } },
    });
    expect([retry.status, retry.body]).toEqual([
      202,
      { application_id: `${aliceApplication}/retry-1`, retry_of: aliceApplication, status: 'QUEUED' },
    ]);
    await env.client.workflow.getHandle(`${aliceApplication}/retry-1`).result();
    const stale = await call('POST', `/api/v1/applications/${encodeURIComponent(aliceApplication)}/retry`);
    expect([stale.status, stale.body.fields]).toEqual([
      404,
      [{ field: 'applicationId', message: `the application of this job is now ${aliceApplication}/retry-1` }],
    ]);
    const unknown = await call(
      'POST',
      `/api/v1/applications/${encodeURIComponent(`application/${aliceProfile}/u-0000000000000000`)}/retry`,
    );
    expect([unknown.status, unknown.body.error]).toEqual([404, 'not_found']);
    const malformed = await call('POST', `/api/v1/applications/${encodeURIComponent('campaign/x')}/retry`);
    expect([malformed.status, malformed.body.fields?.[0]?.field]).toEqual([400, 'applicationId']);
    expect((await env.client.workflow.count()).count).toBe(before + 1);
  });

  test("a profile made outside the API is nobody's until an operator assigns it, then only its owner's", async () => {
    const outside = (await jobo.createProfile(APPLICANT)).id;
    const body = { candidateProfileId: outside, filters: {}, schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' } };
    const workflowsBefore = (await env.client.workflow.count()).count;
    expect((await call('POST', '/api/v1/sessions/autopilot/recurring', { body })).status).toBe(404);
    expect((await call('GET', `/api/v1/profiles/${outside}`, { key: BOB })).status).toBe(404);
    expect((await env.client.workflow.count()).count).toBe(workflowsBefore);
    await owners.assign(outside, 'bob');
    expect((await owners.assign(outside, 'alice')).userId).toBe('bob'); // an owned profile is not taken over silently
    expect((await call('POST', '/api/v1/sessions/autopilot/recurring', { body })).status).toBe(404);
    const bobs = await call('POST', '/api/v1/sessions/autopilot/recurring', { key: BOB, body });
    expect([bobs.status, bobs.body.userId]).toEqual([201, 'bob']);
    await call('POST', `/api/v1/sessions/${bobs.body.sessionId}/stop`, { key: BOB });
  });
});

describe('auth details', () => {
  test("several keys per user; a revoked key is a 401 while the user's other key still works", async () => {
    const one = await call('GET', '/api/v1/profiles', { key: ALICE_1 });
    const two = await call('GET', '/api/v1/profiles', { key: ALICE_2 });
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body).toEqual(one.body); // the same user
    // Rotation done: ALICE_1 is removed from the configured keys.
    const to = await startApp({
      keys: [
        { userId: 'alice', key: ALICE_2 },
        { userId: 'bob', key: BOB },
      ],
    });
    const revoked = await call('GET', '/api/v1/profiles', { key: ALICE_1, to });
    expect([revoked.status, revoked.body.error]).toEqual([401, 'unauthorized']);
    expect(revoked.headers['www-authenticate']).toContain('Bearer');
    expect((await call('GET', '/api/v1/profiles', { key: ALICE_2, to })).body).toEqual(one.body);
  });

  test('failed authentications are limited per client address; a forgotten header is not counted', async () => {
    const to = await startApp({ authFailureLimit: { max: 3, windowSeconds: 60 } });
    // Two client addresses on the loopback network (Linux routes all of 127.0.0.0/8 to lo).
    const from = (localAddress: string, key: string | null) =>
      new Promise<Pick<Res, 'status' | 'body'> & { retryAfter?: string }>((resolve, reject) => {
        get(`${to}/api/v1/profiles`, { localAddress, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
        }).on('error', reject);
      });
    const guesser = '127.0.0.2';
    const other = '127.0.0.3';
    for (let i = 0; i < 5; i++) expect((await from(guesser, null)).status).toBe(401);
    const guesses = [];
    for (let i = 0; i < 4; i++) guesses.push(await from(guesser, `af_guess_${i}_000000000000000`));
    expect(guesses.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(Number(guesses[3].retryAfter)).toBeGreaterThan(0);
    expect(guesses[3].body.error).toBe('rate_limited');
    // Blocked means blocked: a right key from that address is refused too, so a guess cannot be confirmed.
    expect((await from(guesser, ALICE_1)).status).toBe(429);
    // Another address is not affected.
    expect((await from(other, ALICE_1)).status).toBe(200);
    expect((await from(other, 'af_guess_x_000000000000000')).status).toBe(401);
  });
});

describe('file answers of a campaign are stored once', () => {
  test('an upload in answers reaches every application by reference: no history carries its bytes', async () => {
    const profile = (await call('POST', '/api/v1/profiles', { body: APPLICANT })).body.id; // no resume: the form asks for one
    const bytes = Buffer.alloc(300_000, 7);
    bytes.write(`%PDF-1.4 ${Date.now()}`);
    const upload = { kind: 'upload', file_name: 'cv.pdf', content_type: 'application/pdf', content_base64: bytes.toString('base64') };
    const picked = jobs.filter((j) => j.provider === 'greenhouse').slice(1, 4);
    expect(picked).toHaveLength(3);
    const created = await call('POST', '/api/v1/sessions/apply', {
      body: {
        candidateProfileId: profile,
        jobs: picked.map((j) => ({ companyName: 'Acme', title: 'Engineer', jobId: j.id, link: j.url })),
        answers: { ...CALLER_ANSWERS, resume: upload },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.sessionId;
    await waitFor('the session to complete', async () => (await call('GET', `/api/v1/sessions/${id}`)).body.status === 'completed', 60_000);
    const apps = (await call('GET', `/api/v1/applications?sessionId=${id}`)).body.data as {
      application_id: string;
      status: string;
      error: string | null;
    }[];
    expect(apps.map((a) => [a.status, a.error])).toEqual(Array(3).fill(['SUCCESS', null]));
    // The upstream got the file on every form (its ground truth keeps uploads' names, not their bytes)...
    const sent = (await sandbox.admin.sessions()).filter((s) => s.profile_id === profile && s.status === 'submitted');
    expect(sent).toHaveLength(3);
    for (const s of sent) expect(JSON.stringify(s.answers)).toContain('cv.pdf');
    // ...and no history holds anything near its 400 KB of base64: the campaign's, or any application's.
    for (const workflowId of [`campaign/${id}`, ...apps.map((a) => a.application_id)]) {
      const history = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
      expect([workflowId, history.length < 100_000]).toEqual([workflowId, true]);
    }
  });

  test('where nothing can store it (no ledger), an inline upload is a 400 naming the field, and nothing starts', async () => {
    const bare = await startApp({ ledger: undefined });
    const profile = (await call('POST', '/api/v1/profiles', { body: APPLICANT, to: bare })).body.id;
    const before = (await env.client.workflow.count()).count;
    const upload = {
      kind: 'upload',
      file_name: 'cv.pdf',
      content_type: 'application/pdf',
      content_base64: Buffer.from('%PDF-1.4').toString('base64'),
    };
    const res = await call('POST', '/api/v1/sessions/apply', {
      to: bare,
      body: {
        candidateProfileId: profile,
        jobs: [{ companyName: 'Acme', title: 'Engineer', jobId: 'x', link: jobs[0].url }],
        answers: { resume: upload },
      },
    });
    expect([res.status, res.body.fields?.map((f: { field: string }) => f.field)]).toEqual([400, ['answers.resume']]);
    expect((await env.client.workflow.count()).count).toBe(before);
  });
});

describe("users, keys, usage and searches are the operator's or the user's alone", () => {
  test("bob gets the unknown-id 404 for alice's users and keys, sees none of her usage, and cannot use her search records", async () => {
    const made = await call('POST', '/api/v1/users', { body: { externalUserId: 'tenancy-1' } });
    expect(made.status).toBe(201);
    const id = made.body.userId as string;
    const key = await call('POST', `/api/v1/users/${id}/api-keys`, { body: {} });
    const before = JSON.stringify([await users.byId(id), await users.listKeys(id)]);
    const asBob = { key: BOB };
    const attempts = [
      await call('GET', `/api/v1/users/${id}`, asBob),
      await call('PATCH', `/api/v1/users/${id}`, { ...asBob, body: { maxTotalJobApplications: 1 } }),
      await call('DELETE', `/api/v1/users/${id}`, asBob),
      await call('GET', `/api/v1/users/${id}/api-keys`, asBob),
      await call('POST', `/api/v1/users/${id}/api-keys`, { ...asBob, body: {} }),
      await call('DELETE', `/api/v1/users/${id}/api-keys/${key.body.keyId}`, asBob),
      await call('GET', `/api/v1/users/${id}/usage`, asBob),
    ];
    expect(attempts.map((r) => [r.status, r.body.error])).toEqual(Array(attempts.length).fill([404, 'not_found']));
    expect(JSON.stringify([await users.byId(id), await users.listKeys(id)])).toBe(before);
    expect((await call('GET', '/api/v1/users', asBob)).body.data).toEqual([]);

    // alice's account has applications (the session above); bob's has none of them.
    expect((await call('GET', '/api/v1/usage?period=all')).body.applications.total).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/usage?period=all', asBob)).body.applications.total).toBe(0);
    expect((await call('GET', '/api/v1/analytics/summary?period=all', asBob)).body.recentActivity).toEqual([]);

    const search = await call('POST', '/api/v1/jobs/search', { body: { limit: 1 } });
    expect(search.status).toBe(200);
    const workflowsBefore = (await env.client.workflow.count()).count;
    const bobProfile = (await call('POST', '/api/v1/profiles', { ...asBob, body: APPLICANT })).body.id as string;
    const withAlicesSearch = await call('POST', '/api/v1/sessions/apply', {
      ...asBob,
      body: {
        candidateProfileId: bobProfile,
        searchId: search.body.searchId,
        jobs: [{ companyName: 'Acme', title: 'Engineer', jobId: 'b', link: jobs[2].url }],
      },
    });
    expect([withAlicesSearch.status, withAlicesSearch.body.fields]).toEqual([
      400,
      [{ field: 'searchId', message: `unknown or expired search record ${search.body.searchId}` }],
    ]);
    expect((await env.client.workflow.count()).count).toBe(workflowsBefore);
  });
});
