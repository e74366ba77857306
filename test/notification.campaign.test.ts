/**
 * A real campaign's events reach its webhook: an `ask` campaign of one job whose form asks what no profile
 * answers (the sandbox's generic form, its required "team"), a webhook added through the API while the
 * application waits, the question answered, the run completes. The receiver fails every other request, so
 * the campaign's deliveries are retried; it records what it got, and the sandbox's ground truth has the one
 * submission. The campaign does not wait for a receiver to act: it completes once deliveries settle.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import type { ZodApp } from '../src/api/context';
import { buildApi } from '../src/api/server';
import { answerQuestion, personTask } from '../src/application/client';
import type { JoboClient } from '../src/jobo/client';
import { secretBoxFor } from '../src/notification/secrets';
import { verifySignature } from '../src/notification/signature';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import { usersFor } from '../src/store/users';
import { webhooksFor } from '../src/store/webhooks';
import { APPLICANT, createApplicant, submissionsOf } from './application.fixtures';
import { testConfig } from './support/config';
import { apiCaller } from './support/apiCall';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'notification-campaign';
const ALICE = 'af_alice_campaign_notify_11';

let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let jobo: JoboClient;
let app: ZodApp | undefined;
let base: string;
let owners: ProfileOwners;
let receiver: Server | undefined;
let receiverUrl: string;
const received: { deliveryId: string; event: string; signature: string; raw: string; answered: number }[] = [];

const api = apiCaller(() => base, ALICE);
const call = (method: string, path: string, body?: unknown) => api(method, path, { body });

beforeAll(async () => {
  // Failed delivery attempts are the point here: the worker's WARN line for each would bury the results.
  if (!process.env.TEST_LOG_LEVEL) Runtime.install({ logger: new DefaultLogger('ERROR') });
  temp = await openTempStore('applyflow-notification-campaign-');
  const { store } = temp;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 37, jobs: 40 },
    taskQueue,
    activities: (j, sandbox) =>
      createActivities({
        config: testConfig({ JOBO_BASE_URL: sandbox.url, JOBO_API_KEY: sandbox.apiKey }),
        jobo: j,
        store: async () => store,
      }),
  });
  ({ env, jobo } = rig);
  owners = await profileOwnersFor(store);
  const users = await usersFor(store);
  const webhooks = await webhooksFor(store, secretBoxFor([])); // the worker's config has the codec off too
  app = await buildApi({
    client: env.client,
    jobo,
    taskQueue,
    keys: [{ userId: 'alice', key: ALICE }],
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
      const answered = received.length % 2 === 0 ? 503 : 200; // every other request fails
      received.push({
        deliveryId: String(req.headers['x-applyflow-delivery']),
        event: String(req.headers['x-applyflow-event']),
        signature: String(req.headers['x-applyflow-signature']),
        raw: Buffer.concat(chunks).toString('utf8'),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/events`;
});

afterAll(async () => {
  await app?.close();
  await rig?.stop();
  if (receiver) await new Promise<void>((r) => receiver!.close(() => r()));
  await temp?.close();
});

test('an ask campaign sends its question and its finished run to the webhook, retried through failures, signed', async () => {
  // A complete profile with a resume: the form's one question no profile answers is "team".
  const profile = await createApplicant(jobo);
  await owners.assign(profile, 'alice');
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  const created = await call('POST', '/api/v1/sessions/apply', {
    candidateProfileId: profile,
    policy: 'ask',
    jobs: [{ companyName: 'Acme', title: 'Engineer', jobId: 'notify-1', link: jobUrl }],
  });
  expect(created.status).toBe(201);
  const campaignId: string = created.body.sessionId;
  const hook = await call('POST', `/api/v1/campaigns/${campaignId}/webhooks`, {
    url: receiverUrl,
    events: ['question.waiting', 'review.waiting', 'application.failed', 'run.completed'],
  });
  expect(hook.status).toBe(201);
  const secret: string = hook.body.secret;

  // The application waits for its question (the workflow's own word), then a person answers it.
  const appId = await waitFor('the application to be listed', async () => {
    const res = await call('GET', `/api/v1/applications?sessionId=${campaignId}`);
    return res.body?.data?.[0]?.application_id ?? null;
  });
  await waitFor('the question', async () => (await personTask(env.client, appId).catch(() => null))?.kind === 'question', 60_000, 100);
  await answerQuestion(env.client, appId, { answers: { team: 'Design' } });
  await waitFor(
    'the campaign to complete',
    async () => (await call('GET', `/api/v1/sessions/${campaignId}`)).body.status === 'completed',
    90_000,
  );
  // The workflow closes once its deliveries have settled (retries included): then the receiver has all.
  await env.client.workflow.getHandle(created.body.workflowId).result();

  // Ground truth: one submission upstream; the receiver's record of the events.
  expect([...(await submissionsOf(rig!.sandbox.admin, profile)).values()]).toEqual([1]);
  const byId = new Map<string, typeof received>();
  for (const r of received) byId.set(r.deliveryId, [...(byId.get(r.deliveryId) ?? []), r]);
  const events = [...byId.values()].map(
    (rs) => JSON.parse(rs[0].raw) as { id: string; type: string; campaignId: string; data: Record<string, unknown> },
  );
  const completed = events.filter((e) => e.type === 'run.completed');
  expect(completed).toHaveLength(1);
  expect(completed[0]).toMatchObject({ campaignId, data: { status: 'completed' } });
  // The question was sent unless it began waiting before the webhook was added (the add races the application).
  for (const q of events.filter((e) => e.type === 'question.waiting')) expect(q.data).toMatchObject({ applicationId: appId });
  expect(events.map((e) => e.type).filter((t) => t !== 'run.completed' && t !== 'question.waiting')).toEqual([]);

  for (const [id, rs] of byId) {
    expect(rs.filter((r) => r.answered === 200)).toHaveLength(1); // taken once, never resent after
    for (const r of rs) {
      expect(JSON.parse(r.raw).id).toBe(id);
      expect(verifySignature(secret, r.signature, r.raw).ok).toBe(true);
      expect(r.raw).not.toContain(APPLICANT.contact.email);
    }
  }
  expect(received.some((r) => r.answered === 503)).toBe(true); // the retries were needed
});
