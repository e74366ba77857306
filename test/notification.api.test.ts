/**
 * Campaign webhooks over real HTTP and through the CLI: the campaign's owner adds (secret shown once,
 * stored encrypted), lists, tests (a signed ping the receiver verifies) and removes its webhooks; another
 * user gets the unknown-campaign 404 for every route and changes nothing. What happened is read from the
 * store's rows and the receiver's record, not from the API's answers.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import { createActivities } from '../src/activities';
import type { ZodApp } from '../src/api/context';
import { buildApi } from '../src/api/server';
import type { JoboClient } from '../src/jobo/client';
import { secretBoxFor } from '../src/notification/secrets';
import { verifySignature } from '../src/notification/signature';
import { profileOwnersFor } from '../src/store/profileOwners';
import { usersFor } from '../src/store/users';
import { webhooksFor, type Webhooks } from '../src/store/webhooks';
import { APPLICANT, CALLER_ANSWERS, corpusJobs } from './application.fixtures';
import { captureCli } from './support/cli';
import { testConfig } from './support/config';
import { apiCaller } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'notification-api';
const ALICE = 'af_alice_notify_1111111111';
const BOB = 'af_bob_notify_22222222222';
const keys = [{ id: 'kn', key: randomBytes(32) }];

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let jobo: JoboClient;
let app: ZodApp | undefined;
let base: string;
let webhooks: Webhooks;
let campaignId: string;
let receiver: Server | undefined;
let receiverUrl: string;
const received: { headers: Record<string, string | string[] | undefined>; raw: string }[] = [];
const savedEnv = { ...process.env };

const call = apiCaller(() => base, ALICE);

const rawSecret = (id: string) =>
  (temp!.store.db.prepare(`SELECT secret FROM campaign_webhooks WHERE id = ?`).get(id) as { secret: string }).secret;
const rowCount = () => (temp!.store.db.prepare(`SELECT count(*) AS n FROM campaign_webhooks`).get() as { n: number }).n;

beforeAll(async () => {
  temp = await openTempStore('applyflow-notification-api-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 31, jobs: 60 },
    taskQueue,
    activities: (jobo, sandbox) =>
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo,
        store: async () => store,
      }),
  });
  ({ env, jobo } = rig);
  webhooks = await webhooksFor(store, secretBoxFor(keys));
  const owners = await profileOwnersFor(store);
  const users = await usersFor(store);
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
    users: async () => users,
    jobStore: async () => store,
    webhooks: async () => webhooks,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/applyflow`;

  // A real campaign of alice's (one job), so ownership is Temporal's, as for every campaign route.
  const jobs = (await corpusJobs(rig.sandbox.admin, store, 20)).filter((j) => j.provider === 'greenhouse').slice(0, 1);
  const profile = (await call('POST', '/api/v1/profiles', { body: APPLICANT })).body.id;
  const created = await call('POST', '/api/v1/sessions/apply', {
    body: {
      candidateProfileId: profile,
      jobs: jobs.map((j) => ({ companyName: 'Acme', title: 'Engineer', jobId: j.id, link: j.url })),
      answers: CALLER_ANSWERS,
    },
  });
  expect(created.status).toBe(201);
  campaignId = created.body.sessionId;
  await waitFor(
    'the campaign to complete',
    async () => (await call('GET', `/api/v1/sessions/${campaignId}`)).body.status === 'completed',
    60_000,
  );
});

afterAll(async () => {
  process.env = savedEnv;
  await app?.close();
  await rig?.stop();
  if (receiver) await new Promise<void>((r) => receiver!.close(() => r()));
  await temp?.close();
});

const hooks = () => `/api/v1/campaigns/${campaignId}/webhooks`;

test('the owner adds a webhook (secret once, stored encrypted), lists it without the secret, pings it signed, removes it', async () => {
  const created = await call('POST', hooks(), { body: { url: receiverUrl, events: ['question.waiting', 'run.completed'] } });
  expect(created.status).toBe(201);
  const { webhookId, secret } = created.body;
  expect(created.headers.location).toBe(`${hooks()}/${webhookId}`);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  // Ground truth: the row, owned by alice, its secret sealed under the codec key.
  expect(await webhooks.get(campaignId, webhookId)).toMatchObject({
    userId: 'alice',
    url: receiverUrl,
    events: ['question.waiting', 'run.completed'],
    secret,
  });
  expect(rawSecret(webhookId)).toMatch(/^enc:kn:/);
  expect(rawSecret(webhookId)).not.toContain(secret.slice(6));

  const listed = await call('GET', hooks());
  expect(listed.status).toBe(200);
  expect(listed.body.data).toEqual([
    expect.objectContaining({ webhookId, status: 'active', events: ['question.waiting', 'run.completed'] }),
  ]);
  expect(JSON.stringify(listed.body)).not.toContain(secret);

  const ping = await call('POST', `${hooks()}/${webhookId}/test`);
  expect(ping.status).toBe(200);
  expect(ping.body.data).toEqual([expect.objectContaining({ webhookId, ok: true, statusCode: 204, error: null })]);
  const got = received.at(-1)!;
  expect(got.headers['x-applyflow-event']).toBe('ping');
  expect(got.headers['x-applyflow-delivery']).toBe(ping.body.data[0].deliveryId);
  expect(verifySignature(secret, got.headers['x-applyflow-signature'] as string, got.raw)).toMatchObject({ ok: true });
  expect(JSON.parse(got.raw)).toMatchObject({ id: ping.body.data[0].deliveryId, type: 'ping', campaignId, data: { webhookId } });

  expect((await call('DELETE', `${hooks()}/${webhookId}`)).status).toBe(204);
  expect(await webhooks.get(campaignId, webhookId)).toBeNull();
  expect((await call('DELETE', `${hooks()}/${webhookId}`)).status).toBe(404);
});

test('bad input is a 400 naming each field, and stores nothing', async () => {
  const before = rowCount();
  const res = await call('POST', hooks(), { body: { url: 'ftp://example.org/x', events: ['run.finished'], secret: 'short' } });
  expect(res.status).toBe(400);
  expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['events[0]', 'secret', 'url']);
  expect(rowCount()).toBe(before);
});

test("another user cannot list, add, test or remove webhooks on alice's campaign: the unknown-campaign 404, nothing changes", async () => {
  const mine = await call('POST', hooks(), {
    body: { url: receiverUrl, events: ['application.failed'], secret: 'alice-secret-0123456789' },
  });
  expect(mine.status).toBe(201);
  const before = rowCount();
  const pings = received.length;
  const unknown = await call('GET', '/api/v1/campaigns/sess_does_not_exist/webhooks', { key: BOB });
  expect(unknown.status).toBe(404);
  const asBob = [
    await call('GET', hooks(), { key: BOB }),
    await call('POST', hooks(), { key: BOB, body: { url: 'https://attacker.example.org/x', events: ['run.completed'] } }),
    await call('POST', `${hooks()}/${mine.body.webhookId}/test`, { key: BOB }),
    await call('DELETE', `${hooks()}/${mine.body.webhookId}`, { key: BOB }),
  ];
  for (const res of asBob) {
    expect([res.status, res.body.error]).toEqual([404, 'not_found']);
    expect(res.body.message).toBe(`campaign ${campaignId} not found`);
    expect(JSON.stringify(res.body)).not.toContain('alice');
  }
  expect(rowCount()).toBe(before);
  expect(received.length).toBe(pings);
  expect((await webhooks.list(campaignId)).map((w) => w.url)).toEqual([receiverUrl]);
});

test('applyflow webhook add|list|test|remove work on the same rows', async () => {
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: env.address,
    APPLYFLOW_SQLITE_PATH: `${temp!.dir}/jobs.sqlite`,
    APPLYFLOW_CODEC_KEYS: `kn:${keys[0].key.toString('base64')}`,
  });
  const added = await captureCli('webhook', 'add', campaignId, '--url', receiverUrl, '--event', 'run.completed,review.waiting', '--json');
  expect(added.code).toBe(0);
  const w = JSON.parse(added.out);
  expect(await webhooks.get(campaignId, w.id)).toMatchObject({
    userId: 'alice',
    events: ['run.completed', 'review.waiting'],
    secret: w.secret,
  });

  const bad = await captureCli('webhook', 'add', campaignId, '--url', receiverUrl, '--event', 'run.finished');
  expect([bad.code, bad.err]).toEqual([1, expect.stringContaining('--event: run.finished')]);
  expect((await captureCli('webhook', 'add', 'sess_nope', '--url', receiverUrl)).err).toContain('campaign sess_nope not found');

  const listed = await captureCli('webhook', 'list', campaignId);
  expect(listed.out).toContain(w.id);
  expect(listed.out).not.toContain(w.secret);

  const pings = received.length;
  const tested = await captureCli('webhook', 'test', campaignId, '--json');
  expect(tested.code).toBe(0);
  const results = JSON.parse(tested.out) as { webhookId: string; deliveryId: string; ok: boolean }[];
  const active = await webhooks.list(campaignId);
  expect(results.map((r) => r.webhookId).sort()).toEqual(active.map((a) => a.id).sort());
  // Each ping reached the receiver, signed with its own webhook's secret.
  const newPings = received.slice(pings);
  expect(newPings).toHaveLength(active.length);
  for (const r of results) {
    const got = newPings.find((p) => p.headers['x-applyflow-delivery'] === r.deliveryId)!;
    const secret = (await webhooks.get(campaignId, r.webhookId))!.secret;
    expect(verifySignature(secret, got.headers['x-applyflow-signature'] as string, got.raw).ok).toBe(true);
  }

  expect((await captureCli('webhook', 'remove', campaignId, w.id)).code).toBe(0);
  expect(await webhooks.get(campaignId, w.id)).toBeNull();
  expect((await captureCli('webhook', 'remove', campaignId, w.id)).code).toBe(1);
});

test('the OpenAPI document has the webhook routes under the notification tag, the secret only in the create answer', async () => {
  const res = await request(`${base}/api/v1/openapi.json`);
  const doc = (await res.body.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const path = '/api/v1/campaigns/{campaignId}/webhooks';
  for (const op of [
    doc.paths[path].post,
    doc.paths[path].get,
    doc.paths[`${path}/{webhookId}`].delete,
    doc.paths[`${path}/{webhookId}/test`].post,
  ]) {
    expect(op.tags).toEqual(['notification']);
  }
  expect(Object.keys(doc.components.schemas.CreatedWebhook.properties)).toContain('secret');
  expect(Object.keys(doc.components.schemas.Webhook.properties)).not.toContain('secret');
  expect(doc.paths[path].post.requestBody.content['application/json'].schema.properties.events.items.enum).toEqual([
    'question.waiting',
    'review.waiting',
    'application.failed',
    'run.completed',
  ]);
});
