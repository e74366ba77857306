/**
 * A campaign's policy over the HTTP API (issue 16): `policy` and `personDeadlineHours` at create, and
 * POST /api/v1/sessions/{id}/policy while it runs (the setPolicy update). Real HTTP, the real dev server
 * and campaign workflow, the sandbox for profiles; the worker's campaign search finds no jobs (this is
 * about the API: test/campaign.person.test.ts applies). Bad input is a 400 naming the field and starts or
 * changes nothing (the workflow's own query and visibility are the ground truth).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities';
import { buildApi } from '../src/api/server';
import type { ZodApp } from '../src/api/context';
import { getCampaign } from '../src/campaign/client';
import { SA } from '../src/searchAttributes';
import { profileOwnersFor } from '../src/store/profileOwners';
import { createApplicant } from './application.fixtures';
import { testConfig } from './support/config';
import { apiCaller } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';

const taskQueue = 'campaign-api';
const KEY = 'af_test_0123456789abcdef0c4a';
const OTHER_KEY = 'af_test_ffffffffffffffff0c4a';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let app: ZodApp | undefined;
let base: string;
let profileId: string;

const api = apiCaller(() => base, KEY);
const call = (method: string, path: string, body?: unknown, key = KEY) => api(method, path, { body, key });
const fields = (res: { body: { fields?: { field: string }[] } }) => (res.body.fields ?? []).map((f) => f.field);

beforeAll(async () => {
  temp = await openTempStore('applyflow-campaign-api-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 3, jobs: 20 },
    taskQueue,
    activities: (jobo, sandbox) => ({
      ...createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
      searchCampaignJobs: async () => [],
    }),
  });
  env = rig.env;
  profileId = await createApplicant(rig.jobo);
  const owners = await profileOwnersFor(store);
  await owners.assign(profileId, 'alice');
  app = await buildApi({
    client: env.client,
    jobo: rig.jobo,
    taskQueue,
    keys: [
      { userId: 'alice', key: KEY },
      { userId: 'bob', key: OTHER_KEY },
    ],
    rateLimit: { max: 10_000, windowSeconds: 60 },
    ledger: async () => temp!.ledger,
    profileOwners: async () => owners,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await rig?.stop();
  await temp?.close();
});

const recurring = (over: Record<string, unknown> = {}) => ({
  candidateProfileId: profileId,
  filters: { jobTitle: 'Engineer' },
  schedule: { pattern: 'daily', time: '09:00', timezone: 'UTC' },
  ...over,
});

test('policy at create: 201 with it; a bad policy or deadline is a 400 naming the field and starts nothing', async () => {
  const before = (await env.client.workflow.count(`${SA.kind.name} = 'campaign'`)).count;
  for (const [body, field] of [
    [recurring({ policy: 'maybe' }), 'policy'],
    [recurring({ policy: 'ask', personDeadlineHours: 0 }), 'personDeadlineHours'],
    [recurring({ policy: 'ask', personDeadlineHours: 169 }), 'personDeadlineHours'],
    [recurring({ personDeadlineHours: 'soon' }), 'personDeadlineHours'],
  ] as const) {
    const res = await call('POST', '/api/v1/sessions/autopilot/recurring', body);
    expect([res.status, res.body.error]).toEqual([400, 'invalid_request']);
    expect(fields(res)).toEqual([field]);
  }
  expect((await env.client.workflow.count(`${SA.kind.name} = 'campaign'`)).count).toBe(before);

  const created = await call('POST', '/api/v1/sessions/autopilot/recurring', recurring({ policy: 'ask', personDeadlineHours: 48 }));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    policy: 'ask',
    personDeadlineHours: 48,
    stats: { waitingForPerson: 0, needsPersonApplications: 0 },
  });
  // Without a policy: skip, and the stats keep their shape.
  const plain = await call('POST', '/api/v1/sessions/autopilot/recurring', recurring());
  expect(plain.body).toMatchObject({ policy: 'skip', personDeadlineHours: 72 });
  expect(plain.body.stats.waitingForPerson).toBeUndefined();
  await call('POST', `/api/v1/sessions/${created.body.sessionId}/stop`);
  await call('POST', `/api/v1/sessions/${plain.body.sessionId}/stop`);
});

test('POST .../policy changes it while running; bad input is a 400 naming the field; another user 404; a closed session 409', async () => {
  const { body: session } = await call('POST', '/api/v1/sessions/autopilot/recurring', recurring());
  const path = `/api/v1/sessions/${session.sessionId}/policy`;

  for (const [body, field] of [
    [{ policy: 'sometimes' }, 'policy'],
    [{}, 'policy'],
    [{ policy: 'ask', personDeadlineHours: -1 }, 'personDeadlineHours'],
    [{ policy: 'ask', extra: true }, 'extra'],
  ] as const) {
    const res = await call('POST', path, body);
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual([field]);
  }
  expect(await getCampaign(env.client, session.sessionId)).toMatchObject({ policy: 'skip', personDeadlineHours: 72 });

  expect((await call('POST', path, { policy: 'review' }, OTHER_KEY)).status).toBe(404);
  const changed = await call('POST', path, { policy: 'review', personDeadlineHours: 12 });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({
    sessionId: session.sessionId,
    policy: 'review',
    personDeadlineHours: 12,
    stats: { waitingForPerson: 0 },
  });
  // The workflow holds it (its own query), and GET shows it.
  expect(await getCampaign(env.client, session.sessionId)).toMatchObject({ policy: 'review', personDeadlineHours: 12 });
  expect((await call('GET', `/api/v1/sessions/${session.sessionId}`)).body).toMatchObject({ policy: 'review' });

  await call('POST', `/api/v1/sessions/${session.sessionId}/stop`);
  for (;;) {
    if ((await env.client.workflow.getHandle(session.workflowId).describe()).status.name !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await call('POST', path, { policy: 'ask' })).status).toBe(409);
});
