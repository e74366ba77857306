/**
 * Webhook delivery through a real Temporal worker (dev server) with the activity's retries: local HTTP
 * receivers that fail every other request (alternating 503 and a dropped connection) still get every
 * event at least once, each with its delivery id (dedupe by id gives exactly the set sent), every request
 * signed so that verifySignature accepts it, and no receiver is sent an event again once it took it.
 * Ground truth is what the receivers recorded and the store's rows, not the activity's answer.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createNotificationActivities } from '../src/notification/activities';
import { addWebhook } from '../src/notification/client';
import { CAMPAIGN_EVENT_TYPES, NotificationFailureType, notificationDelivery, type CampaignEvent } from '../src/notification/messages';
import { secretBoxFor } from '../src/notification/secrets';
import { verifySignature } from '../src/notification/signature';
import { webhooksFor, type Webhooks } from '../src/store/webhooks';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { createTestWorker } from './support/worker';
import type { EventOutcome } from './workflows/notification';

const taskQueue = 'notification-delivery';
const keys = [{ id: 'k1', key: randomBytes(32) }];

interface Received {
  deliveryId: string | undefined;
  event: string | undefined;
  signature: string | undefined;
  raw: string;
  answered: number | 'dropped';
}

/** A receiver answering by `decide(n)` for its n-th request (0-based); it records every request. */
class Receiver {
  readonly requests: Received[] = [];
  private server!: Server;
  url = '';

  constructor(private readonly decide: (n: number) => number | 'drop') {}

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.decide(this.requests.length);
        this.requests.push({
          deliveryId: req.headers['x-applyflow-delivery'] as string | undefined,
          event: req.headers['x-applyflow-event'] as string | undefined,
          signature: req.headers['x-applyflow-signature'] as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
          answered: answer === 'drop' ? 'dropped' : answer,
        });
        if (answer === 'drop') req.socket.destroy();
        else res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  /** Distinct delivery ids received. */
  ids(): Set<string> {
    return new Set(this.requests.map((r) => r.deliveryId!));
  }

  /** How many 2xx answers each delivery id got. */
  taken(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.requests)
      if (typeof r.answered === 'number' && r.answered < 300) m.set(r.deliveryId!, (m.get(r.deliveryId!) ?? 0) + 1);
    return m;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

// Fails half the time, deterministically: odd requests succeed, even ones fail (503, or every fourth a dropped connection).
const flaky = (n: number): number | 'drop' => (n % 2 === 1 ? 200 : n % 4 === 0 ? 'drop' : 503);

let temp: TempStore;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let webhooks: Webhooks;
const receivers: Receiver[] = [];
const receiver = async (decide: (n: number) => number | 'drop') => {
  const r = await new Receiver(decide).start();
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  // Failed attempts are the point here: the worker's WARN line for each would bury the results.
  if (!process.env.TEST_LOG_LEVEL) Runtime.install({ logger: new DefaultLogger('ERROR') });
  temp = await openTempStore('applyflow-notification-');
  webhooks = await webhooksFor(temp.store, secretBoxFor(keys));
  env = await startDevEnv();
  worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath: resolve(__dirname, 'workflows', 'notification.ts'),
    activities: createNotificationActivities({ store: async () => temp.store, codecKeys: keys }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  for (const r of receivers) await r.stop();
  await temp?.close();
});

const run = (events: CampaignEvent[], id: string) =>
  env.client.workflow.execute<(e: CampaignEvent[]) => Promise<EventOutcome[]>>('notifyEvents', {
    taskQueue,
    workflowId: id,
    args: [events],
  });

const event = (campaignId: string, i: number, type = CAMPAIGN_EVENT_TYPES[i % CAMPAIGN_EVENT_TYPES.length]): CampaignEvent => ({
  campaignId,
  deliveryId: `${campaignId}/${type}/app-${i}`,
  type,
  occurredAt: new Date(Date.UTC(2026, 11, 2, 0, 0, i)).toISOString(),
  data: {
    applicationId: `app-${i}`,
    jobId: `job-${i}`,
    jobUrl: `https://boards.greenhouse.io/acme/jobs/${i}`,
    status: 'FAILED',
    fields: ['Date of birth'],
  },
});

test('the preset retries with backoff for up to a day and names its non-retryable types', () => {
  expect(notificationDelivery).toMatchObject({
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: '24h',
    retry: { initialInterval: '2s', maximumInterval: '10m' },
  });
  expect(notificationDelivery.retry.nonRetryableErrorTypes).toEqual([NotificationFailureType.Gone, NotificationFailureType.InvalidInput]);
});

test('receivers failing half the time get every event at least once, signed, each taken exactly once', async () => {
  const all = await receiver(flaky);
  const questions = await receiver(flaky);
  const other = await receiver(flaky);
  const { webhook: wAll, secret: allSecret } = await addWebhook(webhooks, 'camp_a', 'alice', {
    url: all.url,
    events: [...CAMPAIGN_EVENT_TYPES],
  });
  const { webhook: wQ, secret: qSecret } = await addWebhook(webhooks, 'camp_a', 'alice', {
    url: questions.url,
    events: ['question.waiting'],
    secret: 'given-secret-0123456789',
  });
  const { secret: otherSecret } = await addWebhook(webhooks, 'camp_b', 'bob', { url: other.url, events: [...CAMPAIGN_EVENT_TYPES] });
  expect(qSecret).toBe('given-secret-0123456789');
  expect(allSecret).toMatch(/^whsec_/);

  const eventsA = Array.from({ length: 20 }, (_, i) => event('camp_a', i));
  const eventsB = Array.from({ length: 4 }, (_, i) => event('camp_b', i));
  const outcomes = await run([...eventsA, ...eventsB], 'notify-flaky');
  expect(outcomes.filter((o) => !o.ok)).toEqual([]);

  // Dedupe by delivery id gives exactly the set sent, per receiver and its subscription.
  const idsOf = (es: CampaignEvent[]) => new Set(es.map((e) => e.deliveryId));
  expect(all.ids()).toEqual(idsOf(eventsA));
  expect(questions.ids()).toEqual(idsOf(eventsA.filter((e) => e.type === 'question.waiting')));
  expect(other.ids()).toEqual(idsOf(eventsB));
  // Failures happened (the receivers' own record), and still each event was taken once, never resent after.
  for (const r of [all, questions, other]) {
    expect(r.requests.some((q) => q.answered === 'dropped')).toBe(true);
    expect(r.requests.some((q) => q.answered === 503)).toBe(true);
    expect([...r.taken().values()].every((n) => n === 1)).toBe(true);
    expect(r.taken().size).toBe(r.ids().size);
  }

  // Every request: the headers match the body, and the signature verifies with that webhook's secret only.
  const sent = new Map([...eventsA, ...eventsB].map((e) => [e.deliveryId, e]));
  for (const [r, secret] of [
    [all, allSecret],
    [questions, qSecret],
    [other, otherSecret],
  ] as const) {
    for (const q of r.requests) {
      const body = JSON.parse(q.raw);
      const e = sent.get(q.deliveryId!)!;
      expect(body).toEqual({ id: e.deliveryId, type: e.type, occurredAt: e.occurredAt, campaignId: e.campaignId, data: e.data });
      expect(q.event).toBe(e.type);
      expect(q.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(secret, q.signature, q.raw)).toMatchObject({ ok: true });
      expect(verifySignature(secret === allSecret ? qSecret : allSecret, q.signature, q.raw)).toEqual({
        ok: false,
        reason: 'signature_mismatch',
      });
    }
  }

  // The store records each (delivery, webhook) that took it.
  for (const e of eventsA) {
    const expected = e.type === 'question.waiting' ? [wAll.id, wQ.id] : [wAll.id];
    expect([...(await webhooks.deliveredTo(e.deliveryId))].sort()).toEqual(expected.sort());
  }

  // The same events again (a workflow replaying its sends): nothing reaches any receiver.
  const before = receivers.map((r) => r.requests.length);
  expect((await run(eventsA.slice(0, 5), 'notify-again')).every((o) => o.ok)).toBe(true);
  expect(receivers.map((r) => r.requests.length)).toEqual(before);
});

test('410 Gone disables the webhook and is not retried; an event carrying PII is refused without a request', async () => {
  const gone = await receiver(() => 410);
  const fine = await receiver(() => 204);
  const { webhook: wGone } = await addWebhook(webhooks, 'camp_gone', 'alice', { url: gone.url, events: ['run.completed'] });
  await addWebhook(webhooks, 'camp_gone', 'alice', { url: fine.url, events: ['run.completed'] });
  const piiEvent = { ...event('camp_gone', 1, 'run.completed'), deliveryId: 'camp_gone/pii', data: { applicantEmail: 'ada@example.org' } };
  const outcomes = await run([event('camp_gone', 0, 'run.completed'), piiEvent], 'notify-gone');
  expect(outcomes).toEqual([
    { deliveryId: 'camp_gone/run.completed/app-0', ok: false, failureType: NotificationFailureType.Gone },
    { deliveryId: 'camp_gone/pii', ok: false, failureType: NotificationFailureType.InvalidInput },
  ]);
  expect(gone.requests).toHaveLength(1); // not retried
  expect(fine.requests.map((r) => r.deliveryId)).toEqual(['camp_gone/run.completed/app-0']);
  expect(await webhooks.get('camp_gone', wGone.id)).toMatchObject({ status: 'disabled', disabledReason: '410 Gone from the receiver' });

  // Later events skip the disabled webhook.
  expect((await run([event('camp_gone', 2, 'run.completed')], 'notify-after-gone'))[0].ok).toBe(true);
  expect(gone.requests).toHaveLength(1);
  expect(fine.requests).toHaveLength(2);
});
