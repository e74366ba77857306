/**
 * The same flow driven only with the `temporal` CLI (start, query, signal), as an operator without the
 * applyflow client would: plain JSON in, plain JSON out, against the dev server the test env started.
 * Then the `applyflow session` commands, as separate processes against the same server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SandboxHandle } from '../sandbox/server';
import { createInteractiveSessionActivities } from '../src/interactiveSession/activities';
import { sessionWorkflowId } from '../src/interactiveSession/input';
import type { SessionView } from '../src/interactiveSession/messages';
import { validAnswersFor } from './support/formAnswers';
import { startSandboxWorker, type SandboxWorker } from './support/sandboxWorker';
import { startDevEnv, TEMPORAL_CLI_PATH } from './support/temporal';

const run = promisify(execFile);
const taskQueue = 'interactive-session-cli';
let rig: SandboxWorker | undefined;
let env: TestWorkflowEnvironment;
let sandbox: SandboxHandle;

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(TEMPORAL_CLI_PATH, [...args, '--address', env.address, '--namespace', 'default'], {
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
  });
  return stdout;
}

async function queryState(workflowId: string): Promise<SessionView> {
  const out = JSON.parse(await temporal('workflow', 'query', '--workflow-id', workflowId, '--name', 'state', '--output', 'json'));
  const view = out.queryResult[0] as SessionView;
  // The CLI prints empty lists as null.
  return { ...view, fields: view.fields ?? [], validation_errors: view.validation_errors ?? [] };
}

async function waitFor(workflowId: string, done: (v: SessionView) => boolean): Promise<SessionView> {
  for (let i = 0; i < 200; i++) {
    const v = await queryState(workflowId);
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`state of ${workflowId} never matched`);
}

beforeAll(async () => {
  rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 6 },
    taskQueue,
    activities: (jobo) => createInteractiveSessionActivities({ jobo }),
  });
  ({ env, sandbox } = rig);
});

afterAll(() => rig?.stop());

test('temporal workflow start / query / signal completes a workday form to submitted', async () => {
  const jobUrl = 'https://globex.wd1.myworkdayjobs.com/en-US/External/job/9090';
  const workflowId = sessionWorkflowId(jobUrl, 'cli-1');
  await temporal(
    'workflow',
    'start',
    '--type',
    'interactiveSession',
    '--task-queue',
    taskQueue,
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify({ jobUrl, idleTimeoutMinutes: 10 }),
  );
  let view = await waitFor(workflowId, (v) => v.status !== 'starting');
  expect(view).toMatchObject({ status: 'form_ready', provider_id: 'workday', page: 1 });

  // An invalid signal is not submitted; its problems are shown in the state.
  const partial = validAnswersFor(view.fields);
  const dropped = view.fields.find((f) => f.required)!.name;
  delete partial[dropped];
  await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'answers', '--input', JSON.stringify({ answers: partial }));
  view = await waitFor(workflowId, (v) => v.validation_errors.length > 0);
  expect(view.validation_errors.map((p) => p.field)).toEqual([dropped]);
  expect(view).toMatchObject({ page: 1, pages_answered: 0 });

  // The same answers by update are refused at once, naming the field.
  const refused = await temporal(
    'workflow',
    'update',
    'execute',
    '--workflow-id',
    workflowId,
    '--name',
    'submitAnswers',
    '--input',
    JSON.stringify({ answers: partial }),
  ).catch((e: { stderr: string }) => e);
  expect(typeof refused).not.toBe('string');
  expect((refused as { stderr: string }).stderr).toContain(`${dropped} (`);

  let pages = 0;
  while (!view.is_terminal) {
    const page = view.page;
    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'answers',
      '--input',
      JSON.stringify({ answers: validAnswersFor(view.fields), page }),
    );
    view = await waitFor(workflowId, (v) => v.page !== page || v.is_terminal);
    pages++;
  }
  expect(view).toMatchObject({ status: 'submitted', outcome: 'submitted', pages_answered: pages });
  expect(pages).toBeGreaterThanOrEqual(3);

  const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json'));
  expect(JSON.stringify(result)).toContain('"outcome":"submitted"');
  const subs = await sandbox.admin.submissions();
  expect(subs.submissions.filter((s) => s.job_url === jobUrl).map((s) => s.count)).toEqual([1]);
});

test('applyflow session start / show / answer / end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-session-'));
  const cliEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JOBO_BASE_URL: sandbox.url,
    APPLYFLOW_CODEC: 'off', // as the test worker runs (keys are required otherwise)
  };
  const applyflow = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/index.ts', 'session', ...args], {
        timeout: 60_000,
        env: cliEnv,
      });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  try {
    const jobUrl = 'https://initech.wd1.myworkdayjobs.com/en-US/External/job/31337';
    const workflowId = sessionWorkflowId(jobUrl, 'af-cli');
    const started = await applyflow('start', jobUrl, '--id', 'af-cli');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`Session ${workflowId}`);
    expect(started.stdout).toContain('Workday (workday)');
    expect(started.stdout).toMatch(/\* How Did You Hear About Us\?\s+\[source\]\s+\(select, required\)/);

    const bad = await applyflow('start', 'ftp://nope', '--id', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('jobUrl');

    const shown = JSON.parse((await applyflow('show', workflowId, '--json')).stdout) as SessionView;
    expect(shown.page).toBe(1);
    const answers = validAnswersFor(shown.fields);
    delete answers.previous_worker;
    writeFileSync(join(dir, 'page1.json'), JSON.stringify(answers));

    const refused = await applyflow('answer', workflowId, '--file', join(dir, 'page1.json'), '--field', 'previous_worker=perhaps');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('previous_worker: expected true/false');

    const answered = await applyflow('answer', workflowId, '--file', join(dir, 'page1.json'), '--field', 'previous_worker=no');
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain('page 2, 1 page(s) answered');

    const ended = await applyflow('end', workflowId, '--reason', 'done for today');
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('finished: ended (status ended) — done for today');
    const upstream = await sandbox.admin.session(shown.session_id!);
    expect(upstream).toMatchObject({ ended: true, ended_reason: 'deleted' });
    expect(upstream.answers[0]).toMatchObject({ previous_worker: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
