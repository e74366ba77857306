/**
 * Records the histories that test/history.replay.test.ts replays: one per workflow type and per path that
 * matters, made by the real workflows and activities against a Temporal server and the sandbox, written as
 * `<workflowType>.<path>.json`: the commit it was recorded on and the history as protobuf (base64), the
 * form `Worker.runReplayHistories` takes.
 *
 *   npm run histories:record              every path
 *   npm run histories:record -- <name>…   only these (e.g. application.asked)
 *
 * Record on the commit whose behaviour the fixtures should pin (before a change to a workflow's commands),
 * and say the commit in test/histories/README.md. Existing files are overwritten only for the named paths.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { SandboxHandle } from '../../sandbox/server';
import { createApplicationActivities } from '../../src/application/activities';
import { answerApplication, applicationView, startApplication } from '../../src/application/client';
import { createCampaignActivities } from '../../src/campaign/activities';
import { createAutopilotRecurring, createRunOnce, getCampaign, stopCampaign } from '../../src/campaign/client';
import { createFeedSyncActivities } from '../../src/feedSync/activities';
import { startFeedSync } from '../../src/feedSync/client';
import { createInteractiveSessionActivities } from '../../src/interactiveSession/activities';
import { InteractiveSessionClient } from '../../src/interactiveSession/client';
import { JoboClient } from '../../src/jobo/client';
import { CALLER_ANSWERS, corpusJobs, createApplicant } from '../application.fixtures';
import { validAnswersFor } from '../support/formAnswers';
import { startSandbox } from '../support/sandbox';
import { openTempStore, type TempStore } from '../support/tempStore';
import { quietTemporalLogs, startDevEnv, startTimeSkippingEnv } from '../support/temporal';
import { waitFor } from '../support/waitFor';
import { createTestWorker } from '../support/worker';
import type { RecordedHistory } from '../support/histories';

const OUT = __dirname;
const taskQueue = 'record-histories';

interface Rig {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: SandboxHandle;
  jobo: JoboClient;
  temp: TempStore;
}

async function save(
  handle: { workflowId: string; fetchHistory(): ReturnType<WorkflowHandle['fetchHistory']> },
  name: string,
): Promise<void> {
  const history = await handle.fetchHistory();
  const [workflowType] = name.split('.');
  const fixture: RecordedHistory = {
    workflowType: workflowType,
    path: name.slice(workflowType.length + 1),
    recordedOn: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
  writeFileSync(resolve(OUT, `${name}.json`), JSON.stringify(fixture, null, 1) + '\n');
  console.log(`recorded ${name}.json (${history.events?.length ?? 0} events, ${handle.workflowId})`);
}

const unique = () => randomBytes(4).toString('hex');

/** Every path, by file name; each runs on the rig it is given (dev server, or the time-skipping server). */
const PATHS: Record<string, { timeSkipping?: boolean; run(rig: Rig): Promise<void> }> = {
  'application.submitted': {
    async run({ client, jobo, sandbox, temp }) {
      const profileId = await createApplicant(jobo);
      const [job] = (await corpusJobs(sandbox.admin, temp.store, 40)).filter((j) => j.provider === 'workday');
      const { handle } = await startApplication(
        client,
        { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS },
        { taskQueue },
      );
      await handle.result();
      await save(handle, 'application.submitted');
    },
  },
  'application.asked': {
    async run({ client, jobo }) {
      const profileId = await createApplicant(jobo);
      const jobUrl = `https://jobs.lever.co/acme/${unique()}/apply`;
      const { workflowId, handle } = await startApplication(client, { profileId, jobUrl, policy: 'ask' }, { taskQueue });
      const asking = await waitFor(
        'the application to ask',
        async () => ((await applicationView(client, workflowId).catch(() => null))?.awaiting ? true : null),
        30_000,
        100,
      );
      if (!asking) throw new Error('never asked');
      const view = await applicationView(client, workflowId);
      const answers = validAnswersFor(view.awaiting!.fields);
      await answerApplication(client, workflowId, answers, { page: view.awaiting!.page });
      await handle.result();
      await save(handle, 'application.asked');
    },
  },
  'application.lostSubmitResponse': {
    async run({ client, jobo, sandbox, temp }) {
      const profileId = await createApplicant(jobo);
      const [job] = (await corpusJobs(sandbox.admin, temp.store, 40)).filter((j) => j.provider === 'lever');
      await sandbox.admin.setFaults({ resetAfterSubmitNext: 1 });
      try {
        const { handle } = await startApplication(
          client,
          { profileId, jobUrl: job.url, jobId: job.id, answers: CALLER_ANSWERS },
          { taskQueue },
        );
        await handle.result();
        await save(handle, 'application.lostSubmitResponse');
      } finally {
        await sandbox.admin.setFaults({ resetAfterSubmitNext: 0 });
      }
    },
  },
  'campaign.runOnce': {
    async run({ client, jobo, sandbox, temp }) {
      const profileId = await createApplicant(jobo);
      const [a, b] = (await corpusJobs(sandbox.admin, temp.store, 40)).filter((j) => j.provider === 'greenhouse' || j.provider === 'lever');
      // The same job named twice (another reference, a tracking parameter) beside a second job.
      const jobs = [
        { jobId: 'ref-a', title: 'Engineer', companyName: 'Acme', link: a.url },
        { jobId: 'ref-a-again', title: 'Engineer', companyName: 'Acme', link: `${a.url}?utm_source=newsletter` },
        { jobId: 'ref-b', title: 'Engineer', companyName: 'Acme', link: b.url },
      ];
      const { handle } = await createRunOnce(client, { candidateProfileId: profileId, jobs, answers: CALLER_ANSWERS }, { taskQueue });
      await handle.result();
      await save(handle, 'campaign.runOnce');
    },
  },
  'campaign.recurringContinuedAsNew': {
    timeSkipping: true,
    async run({ env, client, jobo, sandbox, temp }) {
      const profileId = await createApplicant(jobo);
      await corpusJobs(sandbox.admin, temp.store, 40);
      const { handle, campaignId } = await createAutopilotRecurring(
        client,
        {
          candidateProfileId: profileId,
          schedule: { pattern: 'daily', time: '09:00', timezone: 'Europe/Berlin' },
          filters: {},
          limits: { maxJobsPerRun: 2 },
          answers: CALLER_ANSWERS,
        },
        { taskQueue },
      );
      const firstRunId = (await handle.describe()).runId;
      // Twelve daily ticks: the first generation continues as new after RUNS_PER_GENERATION of them.
      await env.sleep(12 * 24 * 3_600_000);
      const view = await getCampaign(client, campaignId);
      if (view.stats.totalRuns < 11) throw new Error(`only ${view.stats.totalRuns} runs`);
      const first = client.workflow.getHandle(handle.workflowId, firstRunId);
      await stopCampaign(client, campaignId);
      await handle.result().catch(() => undefined);
      await save(first, 'campaign.recurringContinuedAsNew');
    },
  },
  'interactiveSession.redirect': {
    async run({ client }) {
      const sessions = new InteractiveSessionClient(client, { taskQueue });
      const { workflowId } = await sessions.start({ jobUrl: `https://careers.example.com/redirect/2/greenhouse/acme/${unique()}` });
      for (let v = await sessions.waitForState(workflowId), n = 0; !v.is_terminal; n++) {
        if (n > 20) throw new Error('no end after 20 pages');
        v = await sessions.answer(workflowId, validAnswersFor(v.fields), { page: v.page });
      }
      await sessions.result(workflowId);
      await save(client.workflow.getHandle(workflowId), 'interactiveSession.redirect');
    },
  },
  'feedSync.invalidCursor': {
    async run({ client, sandbox }) {
      // The first request has no cursor; the next cursor-bearing one is refused: the pass restarts its cursor.
      await sandbox.admin.setFaults({ invalidCursorNext: 1 });
      const handle = await startFeedSync(client, { temporal: { taskQueue } } as Parameters<typeof startFeedSync>[1], {
        feed: `record-${unique()}`,
        batchSize: 20,
        expiredBatchSize: 50,
        pagesPerRun: 40,
      });
      const result = await handle.result();
      if (result.restarts !== 1) throw new Error(`expected one cursor restart, got ${result.restarts}`);
      await save(handle, 'feedSync.invalidCursor');
    },
  },
};

async function withRig<T>(timeSkipping: boolean, fn: (rig: Rig) => Promise<T>): Promise<T> {
  const env = timeSkipping ? await startTimeSkippingEnv() : await startDevEnv();
  const sandbox = await startSandbox({ seed: 77, jobs: 300 });
  const jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  const temp = await openTempStore('applyflow-record-');
  const store = async () => temp.store;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        ...createFeedSyncActivities({ jobo, store }),
        ...createInteractiveSessionActivities({ jobo }),
        ...createApplicationActivities({ jobo, store }),
        ...createCampaignActivities({ jobo, store }),
      },
    });
    running = worker.run();
    return await fn({ env, client: env.client, sandbox, jobo, temp });
  } finally {
    worker?.shutdown();
    await running;
    await jobo.close();
    await sandbox.close();
    await temp.close();
    await env.teardown();
  }
}

async function main(): Promise<void> {
  quietTemporalLogs();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in PATHS));
  if (unknown.length) throw new Error(`unknown path(s): ${unknown.join(', ')}; known: ${Object.keys(PATHS).join(', ')}`);
  const names = wanted.length ? wanted : Object.keys(PATHS);
  for (const timeSkipping of [false, true]) {
    const here = names.filter((n) => !!PATHS[n].timeSkipping === timeSkipping);
    if (!here.length) continue;
    await withRig(timeSkipping, async (rig) => {
      for (const name of here) await PATHS[name].run(rig);
    });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
