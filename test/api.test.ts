/**
 * The HTTP API end to end over real HTTP (fastify listening on a free loopback port): the real Temporal dev
 * server, a worker with the product's activities, the sandbox as the Jobo upstream and a SQLite ledger.
 * Bad requests must get a 400 naming the field and start nothing: no workflow (visibility count) and no
 * upstream session (the sandbox's ground truth).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import { jobKeyOf } from '../src/application/input';
import { buildApi, OPENAPI_PATH } from '../src/api/server';
import type { ZodApp } from '../src/api/context';
import { JoboClient } from '../src/jobo/client';
import type { ApplicationsLedger } from '../src/store/ledger';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { CALLER_ANSWERS, corpusJobs, createApplicant, type CorpusJob } from './application.fixtures';
import { testConfig } from './support/config';
import { validAnswersFor } from './support/formAnswers';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'api-e2e';
const KEY = 'af_test_0123456789abcdef0123';
const OTHER_KEY = 'af_test_ffffffffffffffffffff';
const UNKNOWN_PROFILE = '00000000-0000-4000-8000-000000000000';
const GREENHOUSE = 'https://boards.greenhouse.io/acme/jobs/7654321';

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let ledger: ApplicationsLedger;
let app: ZodApp;
let base: string;
let profileId: string;
let bobsProfileId: string;
let owners: ProfileOwners;
let profileEmail: string;
let jobs: CorpusJob[];

interface Res {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; auth?: string | null; to?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? `Bearer ${KEY}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  let payload: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = opts.raw ?? JSON.stringify(opts.body);
  }
  const res = await fetch(`${opts.to ?? base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const bob = { auth: `Bearer ${OTHER_KEY}` };

const job = (i: number, over: Record<string, unknown> = {}) => ({
  companyName: 'Acme Corp',
  title: 'Senior Software Engineer',
  jobId: `job-${i}`,
  link: `https://boards.greenhouse.io/acme/jobs/${1000 + i}`,
  ...over,
});
const WEEKLY = { pattern: 'weekly', daysOfWeek: ['monday'], time: '09:00', timezone: 'America/New_York' };

beforeAll(async () => {
  temp = await openTempStore('applyflow-api-');
  const { store } = temp;
  ledger = temp.ledger;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 17, jobs: 200 },
    taskQueue,
    activities: (jobo, sandbox) =>
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
  });
  ({ env, sandbox, jobo } = rig);
  jobs = await corpusJobs(sandbox.admin, store, 30);
  profileId = await createApplicant(jobo);
  profileEmail = (await jobo.getProfile(profileId)).contact!.email;
  bobsProfileId = await createApplicant(jobo);
  // Made outside the API: assigned as an operator would (`applyflow profile assign`).
  owners = await profileOwnersFor(store);
  await owners.assign(profileId, 'alice');
  await owners.assign(bobsProfileId, 'bob');
  app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [
      { userId: 'alice', key: KEY },
      { userId: 'bob', key: OTHER_KEY },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => ledger,
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

describe('bad requests get a 400 naming the field and start nothing', () => {
  const long = `https://boards.greenhouse.io/acme/jobs/${'9'.repeat(2001 - 'https://boards.greenhouse.io/acme/jobs/'.length)}`;
  const runOnce = (over: Record<string, unknown>) => ({ candidateProfileId: profileId, jobs: [job(1)], ...over });
  const recurring = (schedule: Record<string, unknown>) => ({ candidateProfileId: profileId, filters: { jobTitle: 'Engineer' }, schedule });

  // [name, method, path, body (function: built once the profile exists), expected field]
  const cases: [string, string, string, (() => unknown) | { raw: string } | undefined, string][] = [
    ['wrong type: profile id a number', 'POST', '/api/v1/sessions/apply', () => runOnce({ candidateProfileId: 123 }), 'candidateProfileId'],
    ['wrong type: jobs a string', 'POST', '/api/v1/sessions/apply', () => runOnce({ jobs: 'all of them' }), 'jobs'],
    ['wrong type: title a number', 'POST', '/api/v1/sessions/apply', () => runOnce({ jobs: [job(1, { title: 5 })] }), 'jobs[0].title'],
    ['missing profile id', 'POST', '/api/v1/sessions/apply', () => ({ jobs: [job(1)] }), 'candidateProfileId'],
    [
      'missing link',
      'POST',
      '/api/v1/sessions/apply',
      () => runOnce({ jobs: [job(1), { companyName: 'A', title: 'B', jobId: 'c' }] }),
      'jobs[1].link',
    ],
    ['missing body', 'POST', '/api/v1/sessions/apply', undefined, 'body'],
    ['invalid JSON', 'POST', '/api/v1/sessions/apply', { raw: '{"candidateProfileId": ' }, 'body'],
    ['101 jobs', 'POST', '/api/v1/sessions/apply', () => runOnce({ jobs: Array.from({ length: 101 }, (_, i) => job(i)) }), 'jobs'],
    ['no jobs', 'POST', '/api/v1/sessions/apply', () => runOnce({ jobs: [] }), 'jobs'],
    [
      'non-http link',
      'POST',
      '/api/v1/sessions/apply',
      () => runOnce({ jobs: [job(1, { link: 'ftp://boards.greenhouse.io/acme/1' })] }),
      'jobs[0].link',
    ],
    [
      'javascript: link',
      'POST',
      '/api/v1/sessions/apply',
      () => runOnce({ jobs: [job(1), job(2, { link: 'javascript:alert(1)' })] }),
      'jobs[1].link',
    ],
    ['2001-character link', 'POST', '/api/v1/sessions/apply', () => runOnce({ jobs: [job(1, { link: long })] }), 'jobs[0].link'],
    [
      'bad job id',
      'POST',
      '/api/v1/sessions/apply',
      () => runOnce({ jobs: [job(1, { jobId: 'has spaces/and slashes' })] }),
      'jobs[0].jobId',
    ],
    ['bad email', 'POST', '/api/v1/sessions/apply', () => runOnce({ overrideEmail: 'not-an-email' }), 'overrideEmail'],
    ['unknown field', 'POST', '/api/v1/sessions/apply', () => runOnce({ priority: 'high' }), 'priority'],
    [
      'bad timezone',
      'POST',
      '/api/v1/sessions/autopilot/recurring',
      () => recurring({ ...WEEKLY, timezone: 'Mars/Olympus_Mons' }),
      'schedule.timezone',
    ],
    ['bad time', 'POST', '/api/v1/sessions/autopilot/recurring', () => recurring({ ...WEEKLY, time: '25:00' }), 'schedule.time'],
    [
      'weekly without days',
      'POST',
      '/api/v1/sessions/autopilot/recurring',
      () => recurring({ pattern: 'weekly', time: '09:00', timezone: 'UTC' }),
      'schedule.daysOfWeek',
    ],
    [
      'missing schedule',
      'POST',
      '/api/v1/sessions/autopilot/recurring',
      () => ({ candidateProfileId: profileId, filters: {} }),
      'schedule',
    ],
    [
      'unknown work type',
      'POST',
      '/api/v1/sessions/autopilot/once',
      () => ({ candidateProfileId: profileId, filters: { workType: ['Mars'] } }),
      'filters.workType[0]',
    ],
    [
      'maxJobsPerRun 101',
      'POST',
      '/api/v1/sessions/autopilot/once',
      () => ({ candidateProfileId: profileId, filters: {}, limits: { maxJobsPerRun: 101 } }),
      'limits.maxJobsPerRun',
    ],
    ['interactive: missing job_url', 'POST', '/api/v1/interactive-sessions', () => ({}), 'job_url'],
    ['interactive: non-http job_url', 'POST', '/api/v1/interactive-sessions', () => ({ job_url: 'mailto:jobs@acme.com' }), 'job_url'],
    ['interactive: 2001-character job_url', 'POST', '/api/v1/interactive-sessions', () => ({ job_url: long }), 'job_url'],
    [
      'interactive: idle minutes a string',
      'POST',
      '/api/v1/interactive-sessions',
      () => ({ job_url: GREENHOUSE, idle_timeout_minutes: 'ten' }),
      'idle_timeout_minutes',
    ],
    ['list: limit 101', 'GET', '/api/v1/sessions?limit=101', undefined, 'limit'],
    ['list: page 0', 'GET', '/api/v1/sessions?page=0', undefined, 'page'],
    ['list: page not a number', 'GET', '/api/v1/sessions?page=two', undefined, 'page'],
    ['list: unknown status', 'GET', '/api/v1/sessions?status=running', undefined, 'status'],
    ['list: unknown type', 'GET', '/api/v1/sessions?type=sometimes', undefined, 'type'],
    ['applications: unknown status', 'GET', '/api/v1/applications?status=DONE', undefined, 'status'],
    ['applications: limit 0', 'GET', '/api/v1/applications?limit=0', undefined, 'limit'],
    ['runs: unknown status', 'GET', '/api/v1/sessions/sess_x/runs?status=ok', undefined, 'status'],
    ['malformed session id', 'GET', '/api/v1/sessions/has%20space', undefined, 'sessionId'],
    ['malformed interactive id', 'GET', '/api/v1/interactive-sessions/nope', undefined, 'id'],
  ];

  let before: { workflows: number; upstreamSessions: number };
  beforeAll(async () => {
    before = { workflows: (await env.client.workflow.count()).count, upstreamSessions: (await sandbox.admin.sessions()).length };
  });

  test.each(cases.map(([name, method, path, body, field]) => ({ name, method, path, body, field })))(
    '$name → 400 naming $field',
    async ({ method, path, body, field }) => {
      const res = await call(method, path, typeof body === 'function' ? { body: body() } : body ? { raw: body.raw } : {});
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      for (const f of res.body.fields) expect(f.message).toEqual(expect.any(String));
    },
  );

  test('one request with several problems lists each field', async () => {
    const res = await call('POST', '/api/v1/sessions/apply', {
      body: { candidateProfileId: 'nope', jobs: [job(1, { link: 'ftp://x' }), job(2, { title: '' })], overrideEmail: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'candidateProfileId',
      'jobs[0].link',
      'jobs[1].title',
      'overrideEmail',
    ]);
  });

  // Unknown profiles: the same 404 another user's profile gets (test/api.tenancy.test.ts), naming the field.
  test.each([
    ['run-once', '/api/v1/sessions/apply', () => runOnce({ candidateProfileId: UNKNOWN_PROFILE }), 'candidateProfileId'],
    ['autopilot', '/api/v1/sessions/autopilot/once', () => ({ candidateProfileId: UNKNOWN_PROFILE, filters: {} }), 'candidateProfileId'],
    ['interactive', '/api/v1/interactive-sessions', () => ({ job_url: GREENHOUSE, profile_id: UNKNOWN_PROFILE }), 'profile_id'],
  ])('unknown profile (%s) → 404 naming the field', async (_name, path, body, field) => {
    const res = await call('POST', path, { body: body() });
    expect([res.status, res.body.error, res.body.message]).toEqual([404, 'not_found', `profile ${UNKNOWN_PROFILE} not found`]);
    expect(res.body.fields).toEqual([{ field, message: 'unknown profile' }]);
  });

  test('...and none of them started a workflow or an upstream session', async () => {
    expect((await env.client.workflow.count()).count).toBe(before.workflows);
    expect((await sandbox.admin.sessions()).length).toBe(before.upstreamSessions);
  });
});

describe('authentication', () => {
  test('401 without credentials, with a malformed header or with an unknown key, before validation', async () => {
    const missing = await call('GET', '/api/v1/sessions', { auth: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('unauthorized');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    for (const auth of ['Basic YWxpY2U6c2VjcmV0', 'Bearer', `Token ${KEY}`, `Bearer ${KEY} extra`]) {
      expect((await call('GET', '/api/v1/sessions', { auth })).status).toBe(401);
    }
    const unknown = await call('GET', '/api/v1/sessions', { auth: 'Bearer af_test_not_a_key_we_know' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('unauthorized');
    // A key differing only in its last character, and a prefix of a real key, are just as unknown.
    expect((await call('GET', '/api/v1/sessions', { auth: `Bearer ${KEY.slice(0, -1)}4` })).status).toBe(401);
    expect((await call('GET', '/api/v1/sessions', { auth: `Bearer ${KEY.slice(0, 20)}` })).status).toBe(401);
    // Authentication comes first: an invalid body from an unknown caller says nothing about the schema.
    const noKeyBadBody = await call('POST', '/api/v1/sessions/apply', { body: { jobs: 'x' }, auth: null });
    expect(noKeyBadBody.status).toBe(401);
    expect(noKeyBadBody.body.fields).toBeUndefined();
    expect((await call('GET', '/api/v1/sessions', { auth: `bearer ${OTHER_KEY}` })).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  test('is public, parses, and lists every route with its schemas', async () => {
    const res = await call('GET', OPENAPI_PATH, { auth: null });
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /api/v1/sessions/apply',
        'POST /api/v1/sessions/autopilot/once',
        'POST /api/v1/sessions/autopilot/recurring',
        'GET /api/v1/sessions',
        'GET /api/v1/sessions/{sessionId}',
        'POST /api/v1/sessions/{sessionId}/pause',
        'POST /api/v1/sessions/{sessionId}/resume',
        'POST /api/v1/sessions/{sessionId}/stop',
        'POST /api/v1/sessions/{sessionId}/policy',
        'GET /api/v1/sessions/{sessionId}/runs',
        'GET /api/v1/applications',
        'POST /api/v1/applications/{applicationId}/retry',
        'POST /api/v1/interactive-sessions',
        'GET /api/v1/interactive-sessions/{id}',
        'POST /api/v1/interactive-sessions/{id}/answers',
        'DELETE /api/v1/interactive-sessions/{id}',
        'POST /api/v1/profiles',
        'GET /api/v1/profiles',
        'GET /api/v1/profiles/{profileId}',
        'PATCH /api/v1/profiles/{profileId}',
        'PUT /api/v1/profiles/{profileId}/resume',
        'GET /api/v1/profiles/{profileId}/resume/import',
        'GET /api/v1/profiles/{profileId}/answers',
        'PUT /api/v1/profiles/{profileId}/answers/{key}',
        'DELETE /api/v1/profiles/{profileId}/answers/{key}',
        'POST /api/v1/users',
        'GET /api/v1/users',
        'GET /api/v1/users/{userId}',
        'PATCH /api/v1/users/{userId}',
        'DELETE /api/v1/users/{userId}',
        'POST /api/v1/users/{userId}/api-keys',
        'GET /api/v1/users/{userId}/api-keys',
        'DELETE /api/v1/users/{userId}/api-keys/{keyId}',
        'GET /api/v1/users/{userId}/usage',
        'GET /api/v1/usage',
        'GET /api/v1/analytics/summary',
        'POST /api/v1/jobs/search',
        'POST /api/v1/campaigns/{campaignId}/webhooks',
        'GET /api/v1/campaigns/{campaignId}/webhooks',
        'DELETE /api/v1/campaigns/{campaignId}/webhooks/{webhookId}',
        'POST /api/v1/campaigns/{campaignId}/webhooks/{webhookId}/test',
        'GET /api/v1/questions',
        'POST /api/v1/questions/{id}/answer',
        'POST /api/v1/reviews/{id}/approve',
        'POST /api/v1/reviews/{id}/reject',
      ].sort(),
    );
    const apply = doc.paths['/api/v1/sessions/apply'].post;
    const ref: string = apply.requestBody.content['application/json'].schema.$ref;
    const body = JSON.stringify(doc.components.schemas[ref.split('/').pop()!]);
    for (const name of ['candidateProfileId', 'jobs', 'companyName', 'title', 'jobId', 'link']) expect(body).toContain(name);
    expect(JSON.stringify(doc)).toContain('"maxItems":100');
    expect(Object.keys(apply.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '429']));
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    // Every $ref points at a schema the document defines.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(5);
    for (const r of new Set(refs)) expect({ ref: r, defined: r in doc.components.schemas }).toEqual({ ref: r, defined: true });
    const listParams = doc.paths['/api/v1/sessions'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams.sort()).toEqual(['limit', 'page', 'status', 'type']);
  });
});

describe('404s', () => {
  test.each([
    ['GET', '/api/v1/sessions/sess_unknown'],
    ['POST', '/api/v1/sessions/sess_unknown/pause'],
    ['POST', '/api/v1/sessions/sess_unknown/resume'],
    ['POST', '/api/v1/sessions/sess_unknown/stop'],
    ['GET', '/api/v1/sessions/sess_unknown/runs'],
    ['GET', '/api/v1/applications?sessionId=sess_unknown'],
    ['GET', '/api/v1/interactive-sessions/0000beef-00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/interactive-sessions/0000beef-00000000-0000-4000-8000-000000000000/answers'],
    ['DELETE', '/api/v1/interactive-sessions/0000beef-00000000-0000-4000-8000-000000000000'],
    ['GET', '/api/v1/nothing-here'],
  ])('%s %s → 404', async (method, path) => {
    const res = await call(method, path, method === 'POST' && path.endsWith('answers') ? { body: { answers: { a: 'b' } } } : {});
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describe('campaigns (reference 002 sessions)', () => {
  test('a run-once session applies to its jobs; get, runs, applications and the list show it', async () => {
    const picked = [jobs.find((j) => j.provider === 'greenhouse')!, jobs.find((j) => j.provider === 'lever')!];
    const created = await call('POST', '/api/v1/sessions/apply', {
      body: {
        candidateProfileId: profileId,
        searchId: 'srch_api_1',
        jobs: picked.map((j, i) => ({ companyName: `Company ${i}`, title: `Engineer ${i}`, jobId: j.id, link: j.url })),
        answers: CALLER_ANSWERS,
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.sessionId;
    expect(created.headers.get('location')).toBe(`/api/v1/sessions/${id}`);
    expect(created.body).toMatchObject({
      type: 'run_once',
      userId: 'alice',
      candidateProfileId: profileId,
      status: 'active',
      searchId: 'srch_api_1',
      searchContext: { titles: ['Engineer 0', 'Engineer 1'], locations: [] },
      createdAt: expect.any(String),
    });
    expect(created.body.stats).toMatchObject({ totalApplications: expect.any(Number), jobsQueued: expect.any(Number) });

    const done = await waitFor('the session to complete', async () => {
      const s = await call('GET', `/api/v1/sessions/${id}`);
      return s.body.status === 'completed' && s.body;
    });
    expect(done.stats).toMatchObject({
      totalRuns: 1,
      totalApplications: 2,
      successfulApplications: 2,
      failedApplications: 0,
      jobsQueued: 0,
    });

    const runs = await call('GET', `/api/v1/sessions/${id}/runs`);
    expect(runs.status).toBe(200);
    expect(runs.body.pagination).toEqual({ page: 1, limit: 20, total: 1, totalPages: 1 });
    expect(runs.body.data[0]).toMatchObject({
      sessionId: id,
      status: 'completed',
      stats: { jobsFound: 2, applicationsAttempted: 2, applicationsSuccessful: 2, applicationsFailed: 0 },
    });
    expect((await call('GET', `/api/v1/sessions/${id}/runs?status=failed`)).body.data).toEqual([]);

    const apps = await call('GET', `/api/v1/applications?sessionId=${id}`);
    expect(apps.status).toBe(200);
    expect(apps.body.pagination.total).toBe(2);
    for (const a of apps.body.data) {
      const j = picked.find((p) => p.id === a.job_id)!;
      expect(a).toMatchObject({
        application_id: `application/${profileId}/${jobKeyOf({ jobUrl: j.url })}`, // keyed by the canonical apply URL
        session_id: id,
        job_url: j.url,
        ats_type: j.provider,
        status: 'SUCCESS',
        search_id: 'srch_api_1',
        error: null,
        result: { confirmationUrl: expect.stringContaining('http') },
        attempts: [expect.objectContaining({ attempt: 1, status: 'success' })],
        candidate_email: profileEmail, // no overrideEmail: the profile's contact email
      });
    }
    const paged = await call('GET', `/api/v1/applications?sessionId=${id}&limit=1&page=2`);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.pagination).toEqual({ page: 2, limit: 1, total: 2, totalPages: 2 });
    expect((await call('GET', `/api/v1/applications?sessionId=${id}&status=FAILED`)).body.data).toEqual([]);

    const all = await call('GET', '/api/v1/applications?status=SUCCESS&limit=100');
    const mine = all.body.data.filter((a: { session_id: string }) => a.session_id === id);
    expect(mine).toHaveLength(2);
    for (const a of mine) expect(a.candidate_email).toBe(profileEmail);
    // Bob sees none of alice's applications, whichever way he asks.
    const bobs = await call('GET', '/api/v1/applications?limit=100', bob);
    expect(bobs.status).toBe(200);
    expect(bobs.body.data.filter((a: { session_id: string }) => a.session_id === id)).toEqual([]);
    expect((await call('GET', `/api/v1/applications?sessionId=${id}`, bob)).status).toBe(404);

    // With overrideEmail, applications give that address (here both jobs are already applied to: the ledger answers).
    const override = await call('POST', '/api/v1/sessions/apply', {
      body: {
        candidateProfileId: profileId,
        overrideEmail: 'me+ats@example.org',
        jobs: picked.map((j, i) => ({ companyName: `Company ${i}`, title: `Engineer ${i}`, jobId: j.id, link: j.url })),
      },
    });
    expect(override.status).toBe(201);
    await waitFor(
      'the override session to complete',
      async () => (await call('GET', `/api/v1/sessions/${override.body.sessionId}`)).body.status === 'completed',
    );
    const overridden = await call('GET', `/api/v1/applications?sessionId=${override.body.sessionId}`);
    expect(overridden.body.data.map((a: { candidate_email: string }) => a.candidate_email)).toEqual([
      'me+ats@example.org',
      'me+ats@example.org',
    ]);

    const listed = await waitFor('the list to show it', async () => {
      const l = await call('GET', '/api/v1/sessions?type=run_once&status=completed&limit=100');
      return l.body.data.find((s: { sessionId: string }) => s.sessionId === id);
    });
    expect(listed).toMatchObject({
      type: 'run_once',
      userId: 'alice',
      status: 'completed',
      candidateProfileId: profileId,
      workflowId: `campaign/${id}`,
      searchContext: { titles: ['Engineer 0', 'Engineer 1'], locations: [] },
      createdAt: expect.any(String),
    });
    // Exactly once upstream per job, whatever the API did.
    const submitted = (await sandbox.admin.submissions()).submissions.filter((s) => s.profile_id === profileId);
    for (const j of picked) expect(submitted.filter((s) => s.job_url === j.url).map((s) => s.count)).toEqual([1]);
  });

  test('a recurring session is paused, resumed and stopped; controls that change nothing are no-ops', async () => {
    const created = await call('POST', '/api/v1/sessions/autopilot/recurring', {
      body: {
        candidateProfileId: profileId,
        schedule: WEEKLY,
        filters: { jobTitle: 'Engineer', workType: ['Remote'] },
        limits: { maxJobsPerRun: 5 },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.sessionId;
    expect(created.body).toMatchObject({ type: 'autopilot_recurring', status: 'active', schedule: WEEKLY, limits: { maxJobsPerRun: 5 } });
    expect(created.body.stats.nextRunAt).toEqual(expect.any(String));

    const paused = await call('POST', `/api/v1/sessions/${id}/pause`);
    expect([paused.status, paused.body.status, paused.body.stats.nextRunAt]).toEqual([200, 'paused', null]);
    expect((await call('POST', `/api/v1/sessions/${id}/pause`)).body.status).toBe('paused');
    const resumed = await call('POST', `/api/v1/sessions/${id}/resume`);
    expect([resumed.status, resumed.body.status]).toEqual([200, 'active']);
    const stopped = await call('POST', `/api/v1/sessions/${id}/stop`);
    expect([stopped.status, stopped.body.status]).toEqual([200, 'cancelled']);
    expect((await call('POST', `/api/v1/sessions/${id}/resume`)).body.status).toBe('cancelled');
    expect((await call('GET', `/api/v1/sessions/${id}`)).body.status).toBe('cancelled');
    await waitFor('the list to show it cancelled', async () => {
      const l = await call('GET', '/api/v1/sessions?status=cancelled&type=autopilot_recurring');
      return l.body.data.some((s: { sessionId: string }) => s.sessionId === id);
    });
  });

  test('a create retried with the same Idempotency-Key answers with the session it made, and starts nothing more', async () => {
    const body = { candidateProfileId: profileId, schedule: WEEKLY, filters: { jobTitle: 'Engineer' } };
    const post = (key: string, b: unknown = body) =>
      fetch(`${base}/api/v1/sessions/autopilot/recurring`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(b),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { sessionId: string; status: string } }));
    const first = await post('retry-me-1');
    expect(first.status).toBe(201);
    const campaigns = async () => (await env.client.workflow.count(`ApplyflowKind = 'campaign'`)).count;
    const before = await campaigns();
    const again = await post('retry-me-1');
    expect([again.status, again.body.sessionId]).toEqual([200, first.body.sessionId]);
    expect(await campaigns()).toBe(before);
    // The same key for another request is a conflict, not a silent replay.
    expect((await post('retry-me-1', { ...body, candidateProfileId: UNKNOWN_PROFILE })).status).toBe(404); // profile checked first
    const other = await post('retry-me-1', { candidateProfileId: profileId, filters: { jobTitle: 'Engineer' } });
    expect(other.status).toBe(400); // schedule missing: validated before the key is looked at
    const otherType = await fetch(`${base}/api/v1/sessions/autopilot/once`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': 'retry-me-1' },
      body: JSON.stringify({ candidateProfileId: profileId, filters: { jobTitle: 'Engineer' } }),
    });
    expect(otherType.status).toBe(409);
    expect(((await otherType.json()) as { error: string }).error).toBe('conflict');
    // Keys are per API user: bob's retry-me-1 is bob's own session.
    const bob = await fetch(`${base}/api/v1/sessions/autopilot/recurring`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OTHER_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'retry-me-1' },
      body: JSON.stringify({ ...body, candidateProfileId: bobsProfileId }),
    });
    expect(bob.status).toBe(201);
    expect(((await bob.json()) as { sessionId: string }).sessionId).not.toBe(first.body.sessionId);
    await call('POST', `/api/v1/sessions/${first.body.sessionId}/stop`);
  });

  test('an autopilot-once session searches the job store and completes', async () => {
    const created = await call('POST', '/api/v1/sessions/autopilot/once', {
      body: { candidateProfileId: profileId, filters: { companyInclude: ['No Such Company Anywhere'] } },
    });
    expect(created.status).toBe(201);
    const done = await waitFor('completion', async () => {
      const s = await call('GET', `/api/v1/sessions/${created.body.sessionId}`);
      return s.body.status === 'completed' && s.body;
    });
    expect(done.stats).toMatchObject({ totalRuns: 1, totalApplications: 0 });
    const page = await call('GET', '/api/v1/sessions?limit=1&page=1');
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination.total).toBeGreaterThanOrEqual(3);
    expect(page.body.pagination.totalPages).toBe(page.body.pagination.total);
  });
});

describe('interactive sessions (Jobo document shapes)', () => {
  test('start, read with fields, answer page by page to submitted, then end is idempotent and answers are refused', async () => {
    const created = await call('POST', '/api/v1/interactive-sessions', { body: { job_url: GREENHOUSE } });
    expect(created.status).toBe(201);
    const id: string = created.body.session_id;
    expect(created.headers.get('location')).toBe(`/api/v1/interactive-sessions/${id}`);
    expect(created.body).toMatchObject({
      status: 'form_ready',
      is_terminal: false,
      provider_id: 'greenhouse',
      error: null,
      redirect_url: null,
      page: 1,
    });
    expect(created.body.fields.length).toBeGreaterThan(0);
    expect(created.body.upstream_session_id).toMatch(/^[0-9a-f-]{36}$/);

    const got = await call('GET', `/api/v1/interactive-sessions/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id,
      session_id: id,
      state: 'running',
      mode: 'interactive',
      job_url: GREENHOUSE,
      profile_id: null,
      completed_at: null,
    });
    expect(got.body.fields).toEqual(created.body.fields);
    expect(Date.parse(got.body.started_at)).not.toBeNaN();

    // A required field left out: 400 naming it, nothing sent upstream.
    const required = created.body.fields.find((f: { required: boolean }) => f.required);
    const { [required.name]: _left, ...partial } = validAnswersFor(created.body.fields);
    const refused = await call('POST', `/api/v1/interactive-sessions/${id}/answers`, { body: { answers: partial } });
    expect(refused.status).toBe(400);
    expect(refused.body.fields.map((f: { field: string }) => f.field)).toContain(required.name);
    const wrongPage = await call('POST', `/api/v1/interactive-sessions/${id}/answers`, {
      body: { answers: validAnswersFor(created.body.fields), page: 7 },
    });
    expect(wrongPage.status).toBe(400);
    expect(wrongPage.body.fields.map((f: { field: string }) => f.field)).toEqual(['page']);
    expect((await call('POST', `/api/v1/interactive-sessions/${id}/answers`, { body: { answers: 'yes' } })).body.fields[0].field).toBe(
      'answers',
    );

    let state = created.body;
    for (let n = 0; !state.is_terminal; n++) {
      if (n > 10) throw new Error('no end after 10 pages');
      const res = await call('POST', `/api/v1/interactive-sessions/${id}/answers`, {
        body: { answers: validAnswersFor(state.fields), page: state.page },
      });
      expect(res.status).toBe(200);
      state = res.body;
    }
    expect(state).toMatchObject({ status: 'submitted', is_terminal: true, fields: [] });
    const finished = await waitFor('completed', async () => {
      const g = await call('GET', `/api/v1/interactive-sessions/${id}`);
      return g.body.completed_at && g.body;
    });
    expect(finished).toMatchObject({ state: 'completed', status: 'submitted' });

    expect((await call('POST', `/api/v1/interactive-sessions/${id}/answers`, { body: { answers: { x: 'y' } } })).status).toBe(409);
    expect((await call('DELETE', `/api/v1/interactive-sessions/${id}`)).status).toBe(204);
    const submitted = (await sandbox.admin.submissions()).submissions.filter((s) => s.job_url === GREENHOUSE);
    expect(submitted.reduce((n, s) => n + s.count, 0)).toBe(1);
  });

  test('DELETE ends the session and the upstream session', async () => {
    const created = await call('POST', '/api/v1/interactive-sessions', {
      body: { job_url: 'https://jobs.lever.co/acme/abc-123', idle_timeout_minutes: 5 },
    });
    expect(created.status).toBe(201);
    const id = created.body.session_id;
    expect((await call('DELETE', `/api/v1/interactive-sessions/${id}`)).status).toBe(204);
    const ended = await waitFor('closed', async () => {
      const g = await call('GET', `/api/v1/interactive-sessions/${id}`);
      return g.body.state === 'closed' && g.body.completed_at && g.body;
    });
    expect(ended.is_terminal).toBe(true);
    await waitFor('the upstream session to end', async () => (await sandbox.admin.session(created.body.upstream_session_id)).ended);
    expect((await call('DELETE', `/api/v1/interactive-sessions/${id}`)).status).toBe(204);
  });
});

describe('tenancy: every API key is a user who sees only their own sessions', () => {
  test("another user's campaign session is a 404 everywhere and is left untouched; lists show only the caller's", async () => {
    const created = await call('POST', '/api/v1/sessions/autopilot/recurring', {
      body: { candidateProfileId: profileId, schedule: WEEKLY, filters: { jobTitle: 'Engineer' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.userId).toBe('alice');
    const id: string = created.body.sessionId;
    const byBob = await Promise.all([
      call('GET', `/api/v1/sessions/${id}`, bob),
      call('POST', `/api/v1/sessions/${id}/pause`, bob),
      call('POST', `/api/v1/sessions/${id}/resume`, bob),
      call('POST', `/api/v1/sessions/${id}/stop`, bob),
      call('GET', `/api/v1/sessions/${id}/runs`, bob),
      call('GET', `/api/v1/applications?sessionId=${id}`, bob),
    ]);
    expect(byBob.map((r) => [r.status, r.body.error])).toEqual(Array(6).fill([404, 'not_found']));
    // The same answer as for an id that does not exist: nothing tells bob the session is there.
    expect(byBob[0].body.message).toBe(`session ${id} not found`);
    const still = await call('GET', `/api/v1/sessions/${id}`);
    expect([still.status, still.body.status, still.body.userId]).toEqual([200, 'active', 'alice']);

    const bobs = await call('POST', '/api/v1/sessions/autopilot/recurring', {
      ...bob,
      body: { candidateProfileId: bobsProfileId, schedule: WEEKLY, filters: { jobTitle: 'Designer' } },
    });
    expect([bobs.status, bobs.body.userId]).toEqual([201, 'bob']);
    expect((await call('GET', `/api/v1/sessions/${bobs.body.sessionId}`)).status).toBe(404);

    const listOf = async (who: { auth?: string }, want: string) =>
      waitFor(`${want} in the list`, async () => {
        const l = await call('GET', '/api/v1/sessions?limit=100', who);
        return l.body.data.some((s: { sessionId: string }) => s.sessionId === want) && l.body;
      });
    const alices = await listOf({}, id);
    const bobsList = await listOf(bob, bobs.body.sessionId);
    expect(new Set(alices.data.map((s: { userId: string }) => s.userId))).toEqual(new Set(['alice']));
    expect(new Set(bobsList.data.map((s: { userId: string }) => s.userId))).toEqual(new Set(['bob']));
    expect(alices.data.map((s: { sessionId: string }) => s.sessionId)).not.toContain(bobs.body.sessionId);
    expect(bobsList.data.map((s: { sessionId: string }) => s.sessionId)).not.toContain(id);
    expect(bobsList.pagination.total).toBe(bobsList.data.length); // the count is bob's too
    await call('POST', `/api/v1/sessions/${id}/stop`);
    await call('POST', `/api/v1/sessions/${bobs.body.sessionId}/stop`, bob);
  });

  test("another user's interactive session is a 404 for get, answers and end, and keeps running", async () => {
    const created = await call('POST', '/api/v1/interactive-sessions', { body: { job_url: 'https://jobs.lever.co/acme/tenancy-1' } });
    expect(created.status).toBe(201);
    const id: string = created.body.session_id;
    const byBob = [
      await call('GET', `/api/v1/interactive-sessions/${id}`, bob),
      await call('POST', `/api/v1/interactive-sessions/${id}/answers`, { ...bob, body: { answers: { name: 'Mallory' } } }),
      await call('DELETE', `/api/v1/interactive-sessions/${id}`, bob),
    ];
    expect(byBob.map((r) => [r.status, r.body.error])).toEqual(Array(3).fill([404, 'not_found']));
    const mine = await call('GET', `/api/v1/interactive-sessions/${id}`);
    expect([mine.status, mine.body.state, mine.body.is_terminal]).toEqual([200, 'running', false]);
    expect((await call('DELETE', `/api/v1/interactive-sessions/${id}`)).status).toBe(204);
  });
});

describe('rate limiting', () => {
  test('429 with Retry-After once the window is used up; the usual headers on every response', async () => {
    const limited = await buildApi({
      client: env.client,
      jobo,
      taskQueue,
      keys: [
        { userId: 'carol', key: KEY },
        { userId: 'dave', key: OTHER_KEY },
      ],
      rateLimit: { max: 3, windowSeconds: 60 },
      profileOwners: async () => owners,
    });
    await limited.listen({ host: '127.0.0.1', port: 0 });
    const to = `http://127.0.0.1:${(limited.server.address() as { port: number }).port}`;
    try {
      const seen: Res[] = [];
      for (let i = 0; i < 4; i++) seen.push(await call('GET', '/api/v1/sessions?limit=1', { to }));
      expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(seen.map((r) => r.headers.get('x-ratelimit-limit'))).toEqual(['3', '3', '3', '3']);
      expect(seen.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      for (const r of seen) expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      const last = seen[3];
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(last.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(last.body).toMatchObject({ error: 'rate_limited', message: expect.any(String) });
      // Limits are per API user: dave, on the same address, still has his whole window.
      const dave = await call('GET', '/api/v1/sessions?limit=1', { to, auth: `Bearer ${OTHER_KEY}` });
      expect([dave.status, dave.headers.get('x-ratelimit-remaining')]).toEqual([200, '2']);
      // The OpenAPI document is public, limited per address rather than per key.
      expect((await call('GET', OPENAPI_PATH, { to, auth: null })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
