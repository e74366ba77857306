/**
 * `applyflow application start|get|list|answer|task|approve|reject|retry`: one application (profile × job)
 * from a terminal; `task`, `approve` and `reject` are a person's side of policy ask/review. `list`
 * reads the applications ledger; `get` asks the workflow (live state, fields awaiting answers) and falls
 * back to the ledger once the workflow is gone. Tables for people, `--json` for scripts.
 */
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import {
  answerApplication,
  answerQuestion,
  applicationView,
  approveReview,
  InvalidApplicationInputError,
  personTask,
  rejectReview,
  retryApplication,
  startApplication,
} from '../application/client';
import { APPLICATION_WORKFLOW_PREFIX, UNANSWERED_POLICIES, type ApplicationView, type UnansweredPolicy } from '../application/input';
import type { PersonTaskView } from '../application/messages';
import { listApplications } from '../application/list';
import { loadConfig, type Config } from '../config';
import { problemText } from '../shared/input';
import { openStore } from '../store';
import { ledgerFor, type ApplicationsLedger, type LedgerRow } from '../store/ledger';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../shared/applicationStatus';
import { withClient } from './client';
import { answersFromPairs, coerceAnswers, parseAnswersFile } from './interactiveSession';
import { renderPage, renderTable } from './table';

/** `application/<profile>/<job>` or just `<profile>/<job>`. */
export function applicationWorkflowIdOf(id: string): string {
  return id.startsWith(APPLICATION_WORKFLOW_PREFIX) ? id : `${APPLICATION_WORKFLOW_PREFIX}${id}`;
}

/** The CLI's withClient; invalid input comes out one field a line (runCli prints it and exits with 1). */
async function withAppClient<T>(fn: (client: Client, config: Config) => Promise<T>): Promise<T> {
  try {
    return await withClient(fn);
  } catch (err) {
    if (err instanceof InvalidApplicationInputError)
      throw new Error(['invalid application:', ...err.problems.map((p) => `  - ${problemText(p)}`)].join('\n'));
    // An update's validator refused: its message names each field, and nothing changed.
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof Error) throw new Error(`refused: ${err.cause.message}`);
    throw err;
  }
}

async function withLedger<T>(fn: (ledger: ApplicationsLedger) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig());
  try {
    return await fn(await ledgerFor(store));
  } finally {
    await store.close();
  }
}

export function renderApplication(v: ApplicationView): string {
  const lines = [
    `Application ${v.workflow_id}`,
    `  status:    ${v.status}${v.from_ledger ? ' (already applied: from the ledger)' : ''}`,
    `  job:       ${v.job_url}  (id ${v.job_id})`,
    `  provider:  ${v.provider ?? '-'}`,
    `  campaign:  ${v.campaign_id ?? '-'}`,
    `  updated:   ${v.updated_at}`,
  ];
  if (v.next_attempt_at) lines.push(`  next try:  ${v.next_attempt_at} (the user's daily cap is used up today)`);
  if (v.result) lines.push(`  confirmed: ${v.result.confirmationUrl}`);
  if (v.error) lines.push(`  error:     ${v.error}`);
  if (v.attempts.length) {
    lines.push(
      '',
      renderTable(
        [
          { header: 'attempt', value: (a: (typeof v.attempts)[number]) => a.attempt },
          { header: 'status', value: (a) => a.status },
          { header: 'at', value: (a) => a.timestamp },
          { header: 'error', value: (a) => a.error, max: 70 },
        ],
        v.attempts,
      ),
    );
  }
  if (v.awaiting) {
    lines.push('', `Waiting for answers until ${v.awaiting.deadline} (page ${v.awaiting.page}):`);
    for (const f of v.awaiting.fields)
      lines.push(
        `  ${f.required ? '*' : ' '} ${f.label}  [${f.name}]  (${f.type})${v.awaiting.reasons[f.name] ? ` — ${v.awaiting.reasons[f.name]}` : ''}`,
      );
    lines.push('', `Answer with: applyflow application answer ${v.workflow_id} --field ${v.awaiting.fields[0]?.name ?? 'name'}=...`);
  } else if (v.waiting_for === 'review') {
    lines.push('', `Waiting for a review: applyflow application task ${v.workflow_id}, then approve or reject`);
  } else if (v.waiting_for === 'needs_person') {
    lines.push('', `Needs a person (captcha or login): applyflow application task ${v.workflow_id} shows where to finish by hand`);
  }
  return lines.join('\n');
}

export function renderTask(t: PersonTaskView): string {
  const lines = [
    `${t.kind} for ${t.application_id} (page ${t.page}), until ${t.deadline}`,
    `  job: ${t.job_url}${t.job_title ? `  ${t.job_title}` : ''}${t.company_name ? ` at ${t.company_name}` : ''}`,
  ];
  if (t.live_url) lines.push(`  finish by hand at: ${t.live_url}`);
  for (const f of t.fields) {
    const answer = t.answers[f.name];
    const shown =
      answer === undefined
        ? ''
        : ` = ${typeof answer === 'object' && !Array.isArray(answer) ? `(${answer.kind})` : JSON.stringify(answer)}`;
    lines.push(
      `  ${f.required ? '*' : ' '} p${f.page} ${f.label}  [${f.name}]  (${f.type})${shown}${t.kind === 'question' ? ` — ${f.reason}` : ''}`,
    );
  }
  return lines.join('\n');
}

function renderRow(r: LedgerRow): string {
  return renderApplication({
    workflow_id: r.workflowId,
    profile_id: r.profileId,
    job_id: r.jobId,
    job_ref: r.jobRef,
    job_url: r.jobUrl,
    campaign_id: r.campaignId,
    policy: 'skip',
    status: r.status,
    provider: r.provider,
    result: r.confirmationUrl ? { confirmationUrl: r.confirmationUrl } : null,
    error: r.error,
    attempts: r.attempts,
    awaiting: null,
    waiting_for: r.awaitingKind,
    from_ledger: false,
    attached_to: null,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });
}

export const APPLICATION_COLUMNS = [
  { header: 'status', value: (r: LedgerRow) => r.status },
  { header: 'profile', value: (r: LedgerRow) => r.profileId.slice(0, 8) },
  { header: 'job', value: (r: LedgerRow) => r.jobId, max: 24 },
  { header: 'provider', value: (r: LedgerRow) => r.provider },
  { header: 'tries', value: (r: LedgerRow) => r.attempts.length },
  { header: 'session', value: (r: LedgerRow) => r.campaignId, max: 24 },
  { header: 'updated', value: (r: LedgerRow) => r.updatedAt.replace(/\.\d+Z$/, 'Z') },
  { header: 'url', value: (r: LedgerRow) => r.jobUrl, max: 60 },
];

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};
const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  const application = program.command('application').description('single applications (one profile × one job), never twice');

  application
    .command('start')
    .description('apply a profile to one job; waits for the outcome unless --no-wait')
    .requiredOption('--profile <id>', 'candidate profile id')
    .requiredOption('--url <jobUrl>', 'the job application URL')
    .option('--job-id <id>', 'your reference for the job (shown back; the job is keyed by its canonical URL)')
    .option('--title <title>', "the job's title, for answers when the job store does not know the job")
    .option('--company <name>', "the company's name, likewise")
    .option(
      '--policy <policy>',
      'skip (fail naming the fields the profile cannot answer), ask (wait for a person) or review (ask, and wait for approval before the final submit)',
      'skip',
    )
    .option('--no-wait', 'return once started')
    .option('--json', 'print JSON')
    .action(
      (o: {
        profile: string;
        url: string;
        jobId?: string;
        title?: string;
        company?: string;
        policy: UnansweredPolicy;
        wait: boolean;
        json?: boolean;
      }) =>
        withAppClient(async (client, config) => {
          if (!UNANSWERED_POLICIES.includes(o.policy)) throw new Error(`--policy: expected one of ${UNANSWERED_POLICIES.join(', ')}`);
          const started = await startApplication(
            client,
            {
              profileId: o.profile,
              jobUrl: o.url,
              ...(o.jobId ? { jobId: o.jobId } : {}),
              ...(o.title || o.company
                ? { job: { ...(o.title ? { title: o.title } : {}), ...(o.company ? { companyName: o.company } : {}) } }
                : {}),
              policy: o.policy,
            },
            { taskQueue: config.temporal.taskQueue },
          );
          if (!o.wait) {
            console.log(
              o.json
                ? JSON.stringify({ workflowId: started.workflowId, alreadyClosed: started.alreadyClosed })
                : `started ${started.workflowId}`,
            );
            return;
          }
          const view = await started.handle.result();
          console.log(o.json ? JSON.stringify(view, null, 2) : renderApplication(view));
        }),
    );

  application
    .command('get <id>')
    .description('an application: status, attempts, fields awaiting answers (id: application/<profile>/<job> or <profile>/<job>)')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      withAppClient(async (client) => {
        const workflowId = applicationWorkflowIdOf(id);
        try {
          const view = await applicationView(client, workflowId);
          console.log(o.json ? JSON.stringify(view, null, 2) : renderApplication(view));
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // Past the namespace's retention the workflow is gone; the ledger still has the outcome.
          const [, profileId, jobId] = /^application\/([^/]+)\/([^/]+)/.exec(workflowId) ?? [];
          const row = profileId ? await withLedger((l) => l.get(profileId, jobId)) : null;
          if (!row) throw new Error(`no application ${workflowId}`);
          console.log(o.json ? JSON.stringify(row, null, 2) : renderRow(row));
        }
      }),
    );

  application
    .command('list')
    .description('applications from the ledger, newest first')
    .option('--profile <id>', 'only this profile')
    .option('--session <campaignId>', 'only this campaign (session)')
    .option('--status <status>', APPLICATION_STATUSES.join(', '))
    .option('--page <n>', 'page number', int, 1)
    .option('--limit <n>', 'items per page (max 100)', int, 20)
    .option('--json', 'print JSON')
    .action(async (o: { profile?: string; session?: string; status?: string; page: number; limit: number; json?: boolean }) => {
      if (o.status && !APPLICATION_STATUSES.includes(o.status as ApplicationStatus)) {
        throw new Error(`--status: expected one of ${APPLICATION_STATUSES.join(', ')}`);
      }
      if (o.limit > 100) throw new Error('--limit: at most 100');
      const page = await withLedger((ledger) =>
        listApplications(ledger, {
          profileId: o.profile,
          campaignId: o.session,
          status: o.status as ApplicationStatus | undefined,
          page: o.page,
          limit: o.limit,
        }),
      );
      console.log(o.json ? JSON.stringify(page, null, 2) : renderPage(APPLICATION_COLUMNS, page));
    });

  application
    .command('answer <id>')
    .description('answer the fields an application (policy ask or review) is waiting for')
    .option('--field <name=value>', 'an answer (repeatable); @path for files, commas for multi_select', collect, [])
    .option('--file <answers.json>', 'a JSON object of answers keyed by field name')
    .option(
      '--remember <name>',
      "remember this field's answer for the profile, so the same question is not asked again (repeatable)",
      collect,
      [],
    )
    .option('--json', 'print JSON')
    .action((id: string, o: { field: string[]; file?: string; remember: string[]; json?: boolean }) =>
      withAppClient(async (client) => {
        const workflowId = applicationWorkflowIdOf(id);
        const view = await applicationView(client, workflowId);
        if (!view.awaiting) throw new Error(`${workflowId} is not waiting for answers (status ${view.status})`);
        const { fields, page } = view.awaiting;
        const answers = {
          ...(o.file ? coerceAnswers(fields, parseAnswersFile(readFileSync(o.file, 'utf8'))) : {}),
          ...answersFromPairs(fields, o.field),
        };
        if (o.remember.length) {
          const next = await answerQuestion(client, workflowId, { answers, remember: o.remember, page });
          console.log(
            o.json
              ? JSON.stringify(next, null, 2)
              : `answered page ${page} (remembered: ${o.remember.join(', ')}): the application is ${next.status}`,
          );
          return;
        }
        const next = await answerApplication(client, workflowId, answers, { page });
        console.log(o.json ? JSON.stringify(next, null, 2) : `answered page ${page}: the session is now ${next.status}`);
      }),
    );

  application
    .command('task <id>')
    .description('what the application asks a person for now: a question, a review (every field and answer) or a captcha/login wall')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      withAppClient(async (client) => {
        const task = await personTask(client, applicationWorkflowIdOf(id));
        if (o.json) console.log(JSON.stringify(task, null, 2));
        else console.log(task ? renderTask(task) : 'nothing is asked of a person');
      }),
    );

  application
    .command('approve <id>')
    .description('approve the filled form under review (policy review), changing answers of the page under review with --field')
    .option('--field <name=value>', 'a changed answer (repeatable); commas for multi_select', collect, [])
    .option('--json', 'print JSON')
    .action((id: string, o: { field: string[]; json?: boolean }) =>
      withAppClient(async (client) => {
        const workflowId = applicationWorkflowIdOf(id);
        const task = await personTask(client, workflowId);
        if (task?.kind !== 'review') throw new Error(`${workflowId} is not waiting for a review`);
        const changes = o.field.length
          ? answersFromPairs(
              task.fields.filter((f) => f.page === task.page),
              o.field,
            )
          : undefined;
        const view = await approveReview(client, workflowId, changes ? { answers: changes } : {});
        console.log(o.json ? JSON.stringify(view, null, 2) : renderApplication(view));
      }),
    );

  application
    .command('reject <id>')
    .description('reject the form under review: nothing is submitted, the application ends CANCELLED')
    .option('--reason <text>', "why (kept in the application's error)")
    .option('--json', 'print JSON')
    .action((id: string, o: { reason?: string; json?: boolean }) =>
      withAppClient(async (client) => {
        const view = await rejectReview(client, applicationWorkflowIdOf(id), o.reason ? { reason: o.reason } : {});
        console.log(o.json ? JSON.stringify(view, null, 2) : renderApplication(view));
      }),
    );

  application
    .command('retry <id>')
    .description(
      'apply again to a FAILED, CANCELLED or NEEDS_PERSON application (never SUCCESS, PROCESSING or UNCONFIRMED); waits unless --no-wait',
    )
    .option('--no-wait', 'return once started')
    .option('--json', 'print JSON')
    .action((id: string, o: { wait: boolean; json?: boolean }) =>
      withAppClient(async (client, config) => {
        const workflowId = applicationWorkflowIdOf(id);
        const [, profileId, jobKey] = /^application\/([^/]+)\/([^/]+)/.exec(workflowId) ?? [];
        const row = profileId ? await withLedger((l) => l.get(profileId, jobKey)) : null;
        if (!row) throw new Error(`no application ${workflowId} in the ledger`);
        if (row.workflowId !== workflowId) throw new Error(`the application of this job is now ${row.workflowId}: retry that one`);
        const started = await retryApplication(client, row, { taskQueue: config.temporal.taskQueue });
        if (!o.wait) {
          console.log(
            o.json
              ? JSON.stringify({ workflowId: started.workflowId, retryOf: row.workflowId })
              : `started ${started.workflowId} (retry of ${row.workflowId})`,
          );
          return;
        }
        const view = await started.handle.result();
        console.log(o.json ? JSON.stringify(view, null, 2) : renderApplication(view));
      }),
    );
}
