/**
 * The usual end-to-end rig: a Temporal env, the sandbox as the upstream, a Jobo client on it and a worker
 * running the given activities. `stop()` in afterAll; a start that fails half way stops what it started.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { JoboClient } from '../../src/jobo/client';
import type { SandboxHandle, SandboxOptions } from '../../sandbox/server';
import { startSandbox } from './sandbox';
import { createTestWorker, type TestWorkerOptions } from './worker';

export interface SandboxWorker {
  env: TestWorkflowEnvironment;
  sandbox: SandboxHandle;
  jobo: JoboClient;
  worker: Worker;
  /** Shuts the worker down and waits for it, then closes the Jobo client, the sandbox and the env. */
  stop(): Promise<void>;
}

export async function startSandboxWorker(opts: {
  env: () => Promise<TestWorkflowEnvironment>;
  sandbox: SandboxOptions;
  taskQueue: string;
  activities: (jobo: JoboClient, sandbox: SandboxHandle) => TestWorkerOptions['activities'];
  /** More worker options (e.g. maxConcurrentActivityTaskExecutions). */
  worker?: Omit<TestWorkerOptions, 'taskQueue' | 'activities'>;
}): Promise<SandboxWorker> {
  let env: TestWorkflowEnvironment | undefined;
  let sandbox: SandboxHandle | undefined;
  let jobo: JoboClient | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const stop = async () => {
    worker?.shutdown();
    await running;
    await jobo?.close();
    await sandbox?.close();
    await env?.teardown();
  };
  try {
    env = await opts.env();
    sandbox = await startSandbox(opts.sandbox);
    jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
    worker = await createTestWorker(env, { ...opts.worker, taskQueue: opts.taskQueue, activities: opts.activities(jobo, sandbox) });
    running = worker.run();
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, sandbox, jobo, worker, stop };
}
