/**
 * The worker (a child process) is killed with SIGKILL at each step of one application, while the sandbox
 * ignores Idempotency-Keys and drops the final submit's response. Each step is watched for in ground truth
 * (the ledger file, the sandbox's admin view of sessions), the kill lands right there, and a new worker
 * takes over. Every application must end SUCCESS or FAILED (UNCONFIRMED only on the way), with at most
 * one submission upstream and the ledger agreeing with the sandbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApplication } from '../src/application/client';
import { jobKeyOf } from '../src/application/input';
import { dataConverterForKeys } from '../src/codec';
import { JoboClient } from '../src/jobo/client';
import { ledgerFor, type ApplicationsLedger } from '../src/store/ledger';
import { SqliteJobStore } from '../src/store/sqlite';
import { CALLER_ANSWERS, corpusJobs, createApplicant, submissionsOf, type CorpusJob } from './application.fixtures';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { spawnWorker, type WorkerProcess } from './support/workerProcess';

const taskQueue = 'application-kill-steps';
const codecKey = { id: 'kill-steps', key: randomBytes(32) };

let env: TestWorkflowEnvironment;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let jobo: JoboClient;
let store: SqliteJobStore;
let ledger: ApplicationsLedger;
let dir: string;
let worker: WorkerProcess | undefined;
let jobs: CorpusJob[];

function spawn(): WorkerProcess {
  return spawnWorker({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JOBO_BASE_URL: sandbox.url,
    JOBO_API_KEY: sandbox.apiKey,
    APPLYFLOW_SQLITE_PATH: join(dir, 'jobs.sqlite'),
    APPLYFLOW_CODEC_KEYS: `${codecKey.id}:${codecKey.key.toString('base64')}`,
    LOG_LEVEL: 'WARN',
  });
}

async function restart(): Promise<void> {
  if (worker) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  worker = spawn();
  await worker.ready;
}

beforeAll(async () => {
  env = await startDevEnv({ dataConverter: dataConverterForKeys([codecKey]) });
  // Latency keeps each step open long enough for the watcher to land its kill inside it.
  sandbox = await startSandbox({ seed: 29, jobs: 200, faults: { latencyMs: 150 } });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  dir = mkdtempSync(join(tmpdir(), 'applyflow-kill-steps-'));
  store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  ledger = await ledgerFor(store);
  jobs = (await corpusJobs(sandbox.admin, store, 60)).filter((j) => j.provider === 'workday'); // four pages
  await restart();
}, 120_000);

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await jobo?.close();
  await sandbox?.close();
  await store?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Step = { name: string; reached: (profileId: string, job: CorpusJob) => Promise<boolean> };

const sessionsOf = async (profileId: string) => (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);

const STEPS: Step[] = [
  { name: 'after the claim', reached: async (p, job) => (await ledger.get(p, jobKeyOf({ jobUrl: job.url }))) !== null },
  { name: 'after the session create', reached: async (p) => (await sessionsOf(p)).length > 0 },
  { name: 'mid-form', reached: async (p) => (await sessionsOf(p)).some((s) => s.page >= 1) },
  { name: 'during the final submit', reached: async (p) => (await sessionsOf(p)).some((s) => s.page >= 3) },
  {
    name: 'after the final submit, before the ledger write',
    reached: async (p) => (await sessionsOf(p)).some((s) => s.status === 'submitted'),
  },
];

test.each(STEPS.map((s, i) => [s.name, i] as const))(
  'SIGKILL %s, the final response dropped and keys ignored: one submission, the truth recorded',
  async (_name, i) => {
    const step = STEPS[i];
    const job = jobs[i];
    const profileId = await createApplicant(jobo);
    await sandbox.admin.setFaults({ resetAfterSubmitNext: 1, idempotencyKeys: 'ignore' });
    const { handle } = await startApplication(
      env.client,
      { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS },
      { taskQueue },
    );

    let killed = false;
    const result = handle.result();
    const done = result.then(() => true);
    for (let n = 0; n < 1500 && !killed; n++) {
      if (await Promise.race([done, new Promise<false>((r) => setTimeout(() => r(false), 10))])) break;
      if (await step.reached(profileId, job)) {
        await restart();
        killed = true;
      }
    }
    const view = await result;
    const unconfirmed = view.attempts.some((a) => a.error?.includes('outcome unknown')) || /outcome unknown/.test(view.error ?? '');
    console.log(`killed ${step.name}: ${view.status} after ${view.attempts.length} attempt(s)${unconfirmed ? ', via UNCONFIRMED' : ''}`);
    expect(killed).toBe(true);
    expect(['SUCCESS', 'FAILED']).toContain(view.status);

    const submissions = await submissionsOf(sandbox.admin, profileId);
    const submitted = submissions.get(job.url) ?? 0;
    expect(submitted).toBeLessThanOrEqual(1);
    // What the upstream did is what is recorded, in the result and in the ledger.
    expect(view.status === 'SUCCESS' ? 1 : 0).toBe(submitted);
    expect(await ledger.get(profileId, jobKeyOf({ jobUrl: job.url }))).toMatchObject({
      status: view.status,
      workflowId: handle.workflowId,
    });
    const upstream = await sessionsOf(profileId);
    expect(upstream.filter((s) => s.status === 'submitted')).toHaveLength(submitted);
  },
  180_000,
);
