/**
 * Feed sync end to end: the real dev server, the product worker in a child process, the sandbox over HTTP
 * with faults on (503 + Retry-After, connection resets, one invalid cursor mid-stream) and a SQLite store.
 * The worker is killed with SIGKILL during the backfill and a new one takes over. After each phase the store
 * must equal the sandbox's ground truth: the backfill, an incremental run after churn, and a full re-sync
 * after a stall longer than the 7-day expired lookback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { feedSyncProgress, startFeedSync } from '../src/feedSync/client';
import type { FeedSyncInput } from '../src/feedSync/input';
import type { FeedSyncProgress } from '../src/feedSync/messages';
import { SqliteJobStore } from '../src/store/sqlite';
import { mirrorProblems } from './support/feedMirror';
import { startSandbox } from './support/sandbox';
import { startDevEnv } from './support/temporal';
import { spawnWorker, type WorkerProcess } from './support/workerProcess';

jest.setTimeout(600_000);

const JOBS = 3000;
const TASK_QUEUE = 'feed-sync-e2e';
const INPUT: FeedSyncInput = { feed: 'e2e', batchSize: 20, expiredBatchSize: 50, pagesPerRun: 40 };

let env: TestWorkflowEnvironment;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let dir: string;
let sqlitePath: string;
let worker: WorkerProcess | undefined;

const config = { temporal: { taskQueue: TASK_QUEUE } } as Parameters<typeof startFeedSync>[1];

function startWorker(): WorkerProcess {
  return spawnWorker({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    JOBO_BASE_URL: sandbox.url,
    JOBO_API_KEY: sandbox.apiKey,
    JOBO_TIMEOUT_MS: '5000',
    APPLYFLOW_STORE: 'sqlite',
    APPLYFLOW_SQLITE_PATH: sqlitePath,
    APPLYFLOW_CODEC_KEYS: '',
    APPLYFLOW_CODEC: 'off', // plain payloads on purpose (no keys is otherwise a refusal)
    LOG_LEVEL: 'WARN',
  });
}

async function stopWorker(signal: NodeJS.Signals): Promise<void> {
  const w = worker;
  worker = undefined;
  if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exited;
}

/** Polls the progress query until `done` holds (or the workflow ends); returns the last progress seen. */
async function waitForProgress(
  handle: WorkflowHandle,
  done: (p: FeedSyncProgress) => boolean,
  timeoutMs = 240_000,
): Promise<FeedSyncProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await feedSyncProgress(handle).catch(() => null);
    if (p && done(p)) return p;
    if (Date.now() > deadline) throw new Error(`progress condition not reached; last ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectMirror(): Promise<void> {
  const store = new SqliteJobStore(sqlitePath);
  try {
    const [states, truth] = [await store.jobStates(), await sandbox.admin.groundTruthJobs()];
    expect(mirrorProblems(states, truth)).toEqual([]);
    expect(states.active.length).toBe(truth.active.length);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'applyflow-feed-e2e-'));
  sqlitePath = join(dir, 'jobs.sqlite');
  env = await startDevEnv();
  sandbox = await startSandbox({ seed: 2024, jobs: JOBS });
  await sandbox.admin.setFaults({ unavailableRate: 0.05, retryAfterSeconds: 1, resetRate: 0.03 });
}, 180_000);

afterAll(async () => {
  await stopWorker('SIGKILL');
  await sandbox?.close();
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

test('backfill under faults with the worker SIGKILLed mid-way ends equal to the ground truth', async () => {
  worker = startWorker();
  await worker.ready;
  const handle = await startFeedSync(env.client, config, INPUT);

  // One invalid cursor mid-stream: the next cursor-bearing request is refused.
  await waitForProgress(handle, (p) => p.pages >= 10);
  await sandbox.admin.setFaults({ invalidCursorNext: 1 });

  // Crash the worker after continue-as-new has happened at least once, then bring up a fresh one.
  const before = await waitForProgress(handle, (p) => p.pages >= 60);
  expect(before.phase).toBe('feed');
  await stopWorker('SIGKILL');
  worker = startWorker();
  await worker.ready;

  const result = await handle.result();
  expect(result.mode).toBe('backfill');
  expect(result.restarts).toBe(1);
  expect(result.pages).toBeGreaterThan(JOBS / INPUT.batchSize!);
  // Counters are at-least-once across a SIGKILL: pages an attempt wrote after its last delivered heartbeat
  // are written again by the retry, which finds them identical and counts them skipped. So: never more
  // writes than jobs (a second identical copy is never written), every job seen, and the store exact.
  expect(result.jobsUpserted).toBeLessThanOrEqual(JOBS);
  expect(result.jobsUpserted + result.skipped).toBeGreaterThanOrEqual(JOBS);
  expect(result.creditsBalance).toBeGreaterThan(0);
  const stats = await sandbox.admin.stats();
  expect(stats.unavailable).toBeGreaterThan(0);
  expect(stats.resets).toBeGreaterThan(0);
  await expectMirror();
});

test('after churn, an incremental run brings the store back to the ground truth', async () => {
  const churn = await sandbox.admin.advanceClock(90);
  expect(churn.created + churn.updated + churn.expired).toBeGreaterThan(0);
  const result = await (await startFeedSync(env.client, config, INPUT)).result();
  expect(result.mode).toBe('incremental');
  expect(result.jobsUpserted).toBeGreaterThanOrEqual(churn.created);
  expect(result.expired).toBeGreaterThan(0);
  expect(result.reconciled).toBe(0);
  await expectMirror();
});

test('after a stall longer than the 7-day lookback, a full re-sync reconciles to the ground truth', async () => {
  await sandbox.admin.advanceClock(8 * 24 * 60);
  const result = await (await startFeedSync(env.client, config, INPUT)).result();
  expect(result.mode).toBe('full-resync');
  expect(result.expiredPages).toBe(0);
  expect(result.reconciled).toBeGreaterThan(0);
  await expectMirror();
  await stopWorker('SIGTERM');
});
