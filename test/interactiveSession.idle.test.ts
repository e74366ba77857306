/**
 * Idle expiry under the time-skipping server: once nobody answers for idleTimeoutMinutes, the workflow
 * ends the upstream session itself and returns `expired`, without anyone waiting those minutes.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createInteractiveSessionActivities } from '../src/interactiveSession/activities';
import { InteractiveSessionClient } from '../src/interactiveSession/client';
import { validAnswersFor } from './support/formAnswers';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { startTimeSkippingEnv } from './support/temporal';

const taskQueue = 'interactive-session-idle';
let rig: SandboxWorker | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let sessions: InteractiveSessionClient;

const upstreamSession = (id: string) => sandbox.admin.session(id);

beforeAll(async () => {
  rig = await startSandboxWorker({
    env: startTimeSkippingEnv,
    sandbox: { seed: 5 },
    taskQueue,
    activities: (jobo) => createInteractiveSessionActivities({ jobo }),
  });
  ({ env, sandbox } = rig);
  sessions = new InteractiveSessionClient(env.client, { taskQueue });
});

afterAll(() => rig?.stop());

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
