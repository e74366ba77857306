/**
 * Idle expiry under the time-skipping server: once nobody answers for idleTimeoutMinutes, the workflow
 * ends the upstream session itself and returns `expired`, without anyone waiting those minutes.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createInteractiveSessionActivities } from '../src/activities/interactiveSession';
import { InteractiveSessionClient } from '../src/interactiveSession/client';
import { JoboClient } from '../src/jobo/client';
import { validAnswersFor } from './support/formAnswers';
import { startSandbox } from './support/sandbox';
import { startTimeSkippingEnv } from './support/temporal';
import { createTestWorker } from './support/worker';

const taskQueue = 'interactive-session-idle';
let env: TestWorkflowEnvironment;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let jobo: JoboClient;
let worker: Worker;
let running: Promise<void>;
let sessions: InteractiveSessionClient;

const upstreamSession = (id: string) => sandbox.admin.session(id);

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  sandbox = await startSandbox({ seed: 5 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  worker = await createTestWorker(env, { taskQueue, activities: createInteractiveSessionActivities({ jobo }) });
  running = worker.run();
  sessions = new InteractiveSessionClient(env.client, { taskQueue });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await jobo?.close();
  await sandbox?.close();
  await env?.teardown();
});

test('an idle session expires after idleTimeoutMinutes and its upstream session is ended', async () => {
  const { workflowId } = await sessions.start(
    { jobUrl: 'https://acme.wd1.myworkdayjobs.com/en-US/External/job/1100', idleTimeoutMinutes: 45 },
    { id: 'idle-1' },
  );
  // Time skipping is locked while the test does anything but wait on a result.
  const page1 = await sessions.waitForState(workflowId);
  expect(page1.is_terminal).toBe(false);
  // An answer restarts the idle window; the session then idles out on page 2.
  const page2 = await sessions.answer(workflowId, validAnswersFor(page1.fields));
  expect(page2.page).toBe(2);

  const startedAt = await env.currentTimeMs();
  const result = await sessions.result(workflowId); // the server skips the 45 idle minutes here
  const skipped = (await env.currentTimeMs()) - startedAt;
  expect(result).toMatchObject({ outcome: 'expired', status: 'expired', pages_answered: 1 });
  expect(result.detail).toMatch(/no answers for 45 minutes/);
  expect(skipped).toBeGreaterThanOrEqual(45 * 60_000);
  expect(await upstreamSession(page1.session_id!)).toMatchObject({ ended: true, ended_reason: 'deleted' });
  expect((await sessions.state(workflowId)).status).toBe('expired');
});

test('the default idle timeout is 30 minutes', async () => {
  const { workflowId } = await sessions.start({ jobUrl: 'https://jobs.lever.co/acme/2200' }, { id: 'idle-2' });
  const page1 = await sessions.waitForState(workflowId);
  const t0 = await env.currentTimeMs();
  const result = await sessions.result(workflowId);
  const skipped = (await env.currentTimeMs()) - t0;
  expect(result).toMatchObject({ outcome: 'expired', detail: 'no answers for 30 minutes' });
  expect(skipped).toBeGreaterThanOrEqual(30 * 60_000);
  expect(skipped).toBeLessThan(45 * 60_000);
  expect(await upstreamSession(page1.session_id!)).toMatchObject({ ended: true, ended_reason: 'deleted' });
});
