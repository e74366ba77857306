/**
 * `npm run bench:interactive`: what the durable workflow adds to answering one page. Both sides answer the
 * same workday wizard page by page against the same in-process sandbox in the same run:
 *  - workflow: the `submitAnswers` update (answer in, next page's fields out), through the dev server,
 *    the worker and the submitAnswers activity;
 *  - bare: JoboClient.submitAnswers straight to the sandbox.
 * Prints p50/p99 for both and the overhead, and for scale a `state` query (client → server → worker → back). BENCH_SESSIONS (default 25) sessions per side, after 3 warm-ups.
 */
import { randomBytes } from 'node:crypto';
import { createInteractiveSessionActivities } from '../src/interactiveSession/activities';
import { InteractiveSessionClient } from '../src/interactiveSession/client';
import type { AnswerValue, FormField } from '../src/jobo/schemas';
import { validAnswersFor } from '../test/support/formAnswers';
import { startSandboxWorker } from '../test/support/sandboxWorker';
import { startDevEnv } from '../test/support/temporal';
import { summarize } from './support/stats';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 25);
const WARMUP = 3;
const jobUrl = () => `https://acme.wd1.myworkdayjobs.com/en-US/External/job/${randomBytes(4).toString('hex')}`;

async function timed<T>(samples: number[] | null, fn: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  samples?.push(Number(process.hrtime.bigint() - t0) / 1e6);
  return out;
}

/** Answers page after page until the form is submitted; `answer` returns the next page's fields. */
async function fillForm(
  first: { fields: FormField[]; is_terminal: boolean },
  answer: (answers: Record<string, AnswerValue>) => Promise<{ fields: FormField[]; is_terminal: boolean; status: string }>,
  samples: number[] | null,
): Promise<void> {
  let page: { fields: FormField[]; is_terminal: boolean; status?: string } = first;
  while (!page.is_terminal) page = await timed(samples, () => answer(validAnswersFor(page.fields)));
  if (page.status !== 'submitted') throw new Error(`form ended as ${page.status}`);
}

async function main(): Promise<void> {
  const taskQueue = 'bench-interactive';
  const rig = await startSandboxWorker({
    env: startDevEnv,
    sandbox: { seed: 9 },
    taskQueue,
    activities: (jobo) => createInteractiveSessionActivities({ jobo }),
  });
  const { env, jobo } = rig;
  const sessions = new InteractiveSessionClient(env.client, { taskQueue });
  const workflow: number[] = [];
  const bare: number[] = [];
  const query: number[] = [];
  try {
    // Interleaved, so both sides see the same machine load (two shared cores).
    for (let i = 0; i < WARMUP + SESSIONS; i++) {
      const keep = i >= WARMUP;

      const { workflowId } = await sessions.start({ jobUrl: jobUrl() });
      const view = await sessions.waitForState(workflowId, undefined, { intervalMs: 5 });
      // Queried while running (a closed workflow's query replays its history, which is another cost).
      for (let q = 0; q < 4; q++) await timed(keep ? query : null, () => sessions.state(workflowId));
      await fillForm(view, (answers) => sessions.answer(workflowId, answers), keep ? workflow : null);
      await sessions.result(workflowId);

      const live = await jobo.createSession({ job_url: jobUrl() });
      let n = 0;
      await fillForm(
        live,
        (answers) => jobo.submitAnswers(live.session_id, { answers }, { idempotencyKey: `bench-${live.session_id}-${++n}` }),
        keep ? bare : null,
      );
      await jobo.endSession(live.session_id);
    }
  } finally {
    await rig.stop();
  }

  const w = summarize(workflow);
  const b = summarize(bare);
  const q = summarize(query);
  const fmt = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`interactive session answer round trip (${SESSIONS} workday forms per side, ${w.n} / ${b.n} page answers)`);
  console.log(`  workflow update (answer in, next fields out)  p50 ${fmt(w.p50)}  p99 ${fmt(w.p99)}`);
  console.log(`  bare upstream submitAnswers                   p50 ${fmt(b.p50)}  p99 ${fmt(b.p99)}`);
  console.log(`  for scale: state query (no upstream call)     p50 ${fmt(q.p50)}  p99 ${fmt(q.p99)}`);
  console.log(
    `  overhead                                      p50 +${fmt(w.p50 - b.p50)} (x${(w.p50 / b.p50).toFixed(1)})  p99 +${fmt(w.p99 - b.p99)} (x${(w.p99 / b.p99).toFixed(1)})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
