/**
 * A person's side of an application from the terminal: `applyflow application start --policy review`,
 * `task`, `approve --field`, `reject`, against the dev server, a worker with the real activities and the
 * sandbox (whose admin API says what was submitted).
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createApplicationActivities } from '../src/application/activities';
import { personTask } from '../src/application/client';
import { applicationWorkflowId } from '../src/application/input';
import type { JoboClient } from '../src/jobo/client';
import { createApplicant, submissionsOf } from './application.fixtures';
import { captureCli } from './support/cli';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { openTempStore, type TempStore } from './support/tempStore';
import { startDevEnv } from './support/temporal';
import { waitFor } from './support/waitFor';

const taskQueue = 'application-cli';
let rig: SandboxWorker | undefined;
let temp: TempStore | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;
let jobo: JoboClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  temp = await openTempStore('applyflow-app-cli-');
  const store = temp.store;
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 19, jobs: 20 },
    taskQueue,
    activities: (j) => createApplicationActivities({ jobo: j, store: async () => store }),
  });
  ({ env, sandbox, jobo } = rig);
  // The test worker runs without the codec, so the CLI must too.
  Object.assign(process.env, { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, APPLYFLOW_CODEC: 'off' });
});

afterAll(async () => {
  process.env = savedEnv;
  await rig?.stop();
  await temp?.close();
});

const cli = (...args: string[]) => captureCli('application', ...args);
const reviewOf = (workflowId: string) =>
  waitFor(
    'a review',
    async () => ((await personTask(env.client, workflowId).catch(() => null))?.kind === 'review' ? true : null),
    30_000,
    100,
  );

test('start --policy review, task, approve --field: the changed answer is submitted once', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  const started = await cli('start', '--profile', profileId, '--url', jobUrl, '--policy', 'review', '--no-wait');
  expect(started).toMatchObject({ code: 0, out: `started ${applicationWorkflowId({ profileId, jobUrl })}` });
  const id = applicationWorkflowId({ profileId, jobUrl });

  // Policy review asks first (no profile says which team), then holds the filled form for approval.
  await waitFor(
    'a question',
    async () => ((await personTask(env.client, id).catch(() => null))?.kind === 'question' ? true : null),
    30_000,
    100,
  );
  expect(await cli('answer', id, '--field', 'team=Engineering')).toMatchObject({ code: 0 });
  await reviewOf(id);
  const task = await cli('task', id);
  expect(task.code).toBe(0);
  expect(task.out).toMatch(/^review for application\//);
  expect(task.out).toContain('[team]  (select) = "Engineering"');

  const refused = await cli('approve', id, '--field', 'team=Marketing');
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/refused: invalid answers: team/);
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());

  const approved = await cli('approve', id, '--field', 'team=Product', '--json');
  expect(approved.code).toBe(0);
  expect(JSON.parse(approved.out)).toMatchObject({ status: 'SUCCESS' });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map([[jobUrl, 1]]));
  const [session] = (await sandbox.admin.sessions()).filter((s) => s.profile_id === profileId);
  expect(session.answers[0].team).toBe('Product');
});

test('reject --reason: CANCELLED, nothing submitted; a bad --policy is refused before anything starts', async () => {
  const profileId = await createApplicant(jobo);
  const jobUrl = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  expect((await cli('start', '--profile', profileId, '--url', jobUrl, '--policy', 'maybe')).err).toContain(
    '--policy: expected one of skip, ask, review',
  );
  await cli('start', '--profile', profileId, '--url', jobUrl, '--policy', 'ask', '--no-wait');
  const id = applicationWorkflowId({ profileId, jobUrl });
  expect((await cli('reject', id)).err).toMatch(/refused: .*no review is pending/);

  const other = `https://careers.acme.example.org/jobs/${randomBytes(4).toString('hex')}`;
  await cli('start', '--profile', profileId, '--url', other, '--policy', 'review', '--no-wait');
  const reviewed = applicationWorkflowId({ profileId, jobUrl: other });
  await waitFor(
    'a question',
    async () => ((await personTask(env.client, reviewed).catch(() => null))?.kind === 'question' ? true : null),
    30_000,
    100,
  );
  await cli('answer', reviewed, '--field', 'team=Sales');
  await reviewOf(reviewed);
  const rejected = await cli('reject', reviewed, '--reason', 'wrong job', '--json');
  expect(JSON.parse(rejected.out)).toMatchObject({ status: 'CANCELLED', error: 'rejected on review: wrong job' });
  expect(await submissionsOf(sandbox.admin, profileId)).toEqual(new Map());
});
