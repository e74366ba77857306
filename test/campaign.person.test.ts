/**
 * A person in the loop for campaigns (issue 16), end to end: the real Temporal dev server, a worker with
 * the worker's own activity set (src/activities.ts: applications, campaigns, remembered answers, webhook
 * delivery), the sandbox over HTTP and a SQLite store and ledger. The person acts through the application
 * updates (answerQuestion, approveReview, rejectReview) with a client, as the inbox does. Ground truth: the
 * sandbox's admin API (submissions and the answers each session accepted) and a local webhook receiver.
 *
 * The applicant has no date of birth, so Workday's "Are you at least 18 years of age?" is a question no
 * profile answers: every Workday form needs a person, the other providers' forms do not.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createActivities } from '../src/activities';
import { answerQuestion, approveReview, personTask, rejectReview } from '../src/application/client';
import {
  campaignApplications,
  createRunOnce,
  getCampaign,
  InvalidCampaignInputError,
  setCampaignPolicy,
  tellCampaignWebhooks,
} from '../src/campaign/client';
import type { CampaignApplication, CampaignJob } from '../src/campaign/input';
import { addWebhook } from '../src/notification/client';
import { secretBoxFor } from '../src/notification/secrets';
import type { JoboClient } from '../src/jobo/client';
import type { SqliteJobStore } from '../src/store/sqlite';
import { webhooksFor } from '../src/store/webhooks';
import { HISTORIES_DIR, type RecordedHistory } from './support/histories';
import { APPLICANT, CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { testConfig } from './support/config';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

jest.setTimeout(15 * 60_000);

const taskQueue = 'campaign-person';
const AGE = 'Are you at least 18 years of age?';
const WAIT_MS = 8 * 60_000;
const KEY = { id: 'cp1', key: randomBytes(32) };
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
let store: SqliteJobStore;
let workday: CorpusJob[];
let others: CorpusJob[];
let receiver: Server | undefined;
const received: { deliveryId: string; type: string; data: Record<string, unknown> }[] = [];

const asCampaignJob = (j: CorpusJob, i: number): CampaignJob => ({
  companyName: `Company ${i}`,
  title: `Job ${i}`,
  jobId: j.id,
  link: j.url,
});
const noBirthday = () => createApplicant(jobo, { contact: { ...APPLICANT.contact, date_of_birth: null } });
const apps = async (campaignId: string) => (await campaignApplications(env.client, campaignId, { limit: 100 })).data;

/**
 * RECORD_HISTORIES=1: saves the campaign's history as test/histories/campaign.<path>.json, the replay
 * fixture of this path (record on the commit whose behaviour it pins; see test/histories/README.md).
 */
async function maybeRecord(handle: WorkflowHandle, path: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  const fixture: RecordedHistory = {
    workflowType: 'campaign',
    path,
    recordedOn: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
  writeFileSync(resolve(HISTORIES_DIR, `campaign.${path}.json`), JSON.stringify(fixture, null, 1) + '\n');
}

beforeAll(async () => {
  temp = await openTempStore('applyflow-campaign-person-');
  ({ store } = temp);
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 21, jobs: 300 },
    taskQueue,
    activities: (client, sb) => {
      const config = testConfig({
        JOBO_BASE_URL: sb.url,
        JOBO_API_KEY: sb.apiKey,
        APPLYFLOW_CODEC_KEYS: `${KEY.id}:${KEY.key.toString('base64')}`,
      });
      return createActivities({ config, jobo: client, store: async () => store });
    },
    worker: { maxConcurrentActivityTaskExecutions: 40 },
  });
  ({ env, sandbox, jobo } = rig);
  const jobs = await corpusJobs(sandbox.admin, store, 200);
  workday = jobs.filter((j) => j.provider === 'workday');
  others = jobs.filter((j) => j.provider !== 'workday');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };
      received.push({ deliveryId: event.id, type: event.type, data: event.data });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
}, 180_000);

afterAll(async () => {
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await rig?.stop();
  await temp?.close();
});

test('ask: 15 submit while 5 wait without a slot; two answers (one remembered) submit, a later job is answered from memory, the deadline fails the rest naming the field', async () => {
  expect(workday.length).toBeGreaterThanOrEqual(6);
  const profileId = await noBirthday();
  const asking = workday.slice(0, 5);
  const plain = others.slice(0, 15);
  // The five that need a person first, and three slots: were a waiting application to hold its slot, nothing else would run.
  const list = [...asking, ...plain];
  const { campaignId, handle } = await createRunOnce(
    env.client,
    {
      candidateProfileId: profileId,
      jobs: list.map(asCampaignJob),
      answers: CALLER_ANSWERS,
      policy: 'ask',
      personDeadlineHours: 4 / 60,
      limits: { concurrency: 3 },
    },
    { taskQueue },
  );
  const idOf = (j: CorpusJob) => async () => (await apps(campaignId)).find((a) => a.job_url === j.url)!.applicationId;

  await waitFor(
    'the five workday applications to wait for a person',
    async () => (await getCampaign(env.client, campaignId)).stats.waitingForPerson === 5,
    WAIT_MS,
    1000,
  );
  const [first, second] = [await idOf(asking[0])(), await idOf(asking[1])()];
  const task = await personTask(env.client, first);
  expect(task).toMatchObject({ kind: 'question', campaign_id: campaignId, profile_id: profileId, job_url: asking[0].url });
  const age = task!.fields.find((f) => f.label === AGE)!;
  expect(age).toMatchObject({ reason: expect.any(String) });
  expect(task!.fields.map((f) => f.label)).toEqual([AGE]);

  // One answer remembered for the profile, one for this application only.
  await answerQuestion(env.client, first, { answers: { [age.name]: 'Yes' }, remember: [age.name] });
  await answerQuestion(env.client, second, { answers: { [age.name]: 'Yes' } });

  // The fifteen others and the two answered submit while the other three still wait.
  const midway = await waitFor(
    'fifteen plus two submitted',
    async () => {
      const submitted = await submissionsOf(sandbox.admin, profileId);
      return [...plain, asking[0], asking[1]].every((j) => submitted.get(j.url) === 1) ? getCampaign(env.client, campaignId) : null;
    },
    WAIT_MS,
    1000,
  );
  expect(midway.stats.waitingForPerson).toBe(3);
  expect(midway.status).toBe('active');
  const waiting = (await apps(campaignId)).filter((a) => a.waiting_for === 'question').map((a) => a.job_url);
  expect(new Set(waiting)).toEqual(new Set(asking.slice(2).map((j) => j.url)));

  // A later job with the same question, in another campaign of the profile: answered from memory, nobody asked.
  const later = await createRunOnce(
    env.client,
    {
      candidateProfileId: profileId,
      jobs: [asCampaignJob(workday[5], 99)],
      answers: CALLER_ANSWERS,
      policy: 'ask',
      personDeadlineHours: 4 / 60,
    },
    { taskQueue },
  );
  const laterDone = await later.handle.result();
  expect(laterDone.stats).toMatchObject({ successfulApplications: 1, failedApplications: 0, waitingForPerson: 0 });
  const laterSession = (await sandbox.admin.sessions()).find(
    (s) => s.profile_id === profileId && s.job_url === workday[5].url && s.state === 'completed',
  );
  expect(JSON.stringify(laterSession?.answers)).toContain(`"${age.name}":"Yes"`);

  // The deadline: the three nobody answered fail, naming the field; the campaign completes once they are final.
  const done = await handle.result();
  await maybeRecord(handle, 'askPolicy');
  expect(done).toMatchObject({ status: 'completed', policy: 'ask' });
  expect(done.stats).toMatchObject({ totalApplications: 20, successfulApplications: 17, failedApplications: 3, waitingForPerson: 0 });
  const failed = (await apps(campaignId)).filter((a) => a.status === 'FAILED');
  expect(new Set(failed.map((a) => a.job_url))).toEqual(new Set(asking.slice(2).map((j) => j.url)));
  for (const a of failed) expect(a.error).toMatch(new RegExp(`${age.name}|${AGE.replace(/\?/g, '\\?')}`));

  // Ground truth: one submission for each of the 18 submitted, none for the three.
  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect(submitted.size).toBe(18);
  expect([...submitted.values()].every((n) => n === 1)).toBe(true);
  for (const j of asking.slice(2)) expect(submitted.has(j.url)).toBe(false);
});

test('review: nothing is submitted until approved; a rejected review is CANCELLED, never submitted; events reach the webhook', async () => {
  const profileId = await createApplicant(jobo);
  const [a, b] = others.slice(20, 22);
  const campaignId = `review-${randomBytes(4).toString('hex')}`;
  // The webhook exists before the campaign starts; the campaign is told right after it does.
  const hooks = await webhooksFor(store, secretBoxFor([KEY]));
  const url = `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/hook`;
  await addWebhook(hooks, campaignId, null, { url, events: ['review.waiting', 'application.failed', 'run.completed'] });
  const { handle } = await createRunOnce(
    env.client,
    { campaignId, candidateProfileId: profileId, jobs: [a, b].map(asCampaignJob), answers: CALLER_ANSWERS, policy: 'review' },
    { taskQueue },
  );
  await tellCampaignWebhooks(env.client, campaignId, 1);

  // setPolicy: a bad request names its field and changes nothing; a good one answers with the campaign.
  const bad = await setCampaignPolicy(env.client, campaignId, { policy: 'maybe' as 'ask', personDeadlineHours: 0 }).catch(
    (e: unknown) => e,
  );
  expect(bad).toBeInstanceOf(InvalidCampaignInputError);
  expect((bad as InvalidCampaignInputError).problems.map((p) => p.field)).toEqual(['policy', 'personDeadlineHours']);
  expect(await setCampaignPolicy(env.client, campaignId, { policy: 'review', personDeadlineHours: 24 })).toMatchObject({
    policy: 'review',
    personDeadlineHours: 24,
  });

  const entries = await waitFor(
    'both to wait for a review',
    async () => {
      const list = await apps(campaignId);
      return list.length === 2 && list.every((x) => x.waiting_for === 'review') ? list : null;
    },
    WAIT_MS,
    1000,
  );
  expect((await submissionsOf(sandbox.admin, profileId)).size).toBe(0);
  const byUrl = (u: string) => entries.find((x: CampaignApplication) => x.job_url === u)!.applicationId;
  const review = await personTask(env.client, byUrl(a.url));
  expect(review).toMatchObject({ kind: 'review', job_url: a.url });
  expect(Object.keys(review!.answers).length).toBeGreaterThan(0);

  await rejectReview(env.client, byUrl(b.url), { reason: 'not this one' });
  // A form may be reviewed again before a later final page: approve each review until it is submitted.
  const approved = byUrl(a.url);
  await approveReview(env.client, approved, {});
  await waitFor(
    'the approved application to finish',
    async () => {
      const t = await personTask(env.client, approved).catch(() => null);
      if (t?.kind === 'review') await approveReview(env.client, approved, {});
      return (await apps(campaignId)).find((x) => x.applicationId === approved)!.status === 'SUCCESS';
    },
    WAIT_MS,
    1000,
  );

  const done = await handle.result();
  await maybeRecord(handle, 'reviewWithWebhook');
  expect(done.status).toBe('completed');
  const final = await apps(campaignId);
  expect(final.find((x) => x.job_url === a.url)!.status).toBe('SUCCESS');
  expect(final.find((x) => x.job_url === b.url)!.status).toBe('CANCELLED');
  const submitted = await submissionsOf(sandbox.admin, profileId);
  expect([...submitted.entries()]).toEqual([[a.url, 1]]);

  // Every event the campaign sent reached the receiver, each with its own deterministic delivery id.
  await waitFor(
    'run.completed at the receiver',
    async () => received.some((e) => e.type === 'run.completed' && e.deliveryId.startsWith(`campaign/${campaignId}/`)),
    WAIT_MS,
    1000,
  );
  const mine = received.filter((e) => e.deliveryId.startsWith(`campaign/${campaignId}/event-`));
  expect(mine.filter((e) => e.type === 'review.waiting').map((e) => e.data.applicationId)).toEqual(
    expect.arrayContaining([byUrl(a.url), byUrl(b.url)]),
  );
  expect(new Set(mine.map((e) => e.deliveryId)).size).toBe(mine.length);
});
