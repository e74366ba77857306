/**
 * `applyflow campaign create|policy|get|list|pause|resume|stop|runs|applications`: reference 002's sessions API
 * from a terminal. A campaign's body is JSON (a file, or `-` for stdin) in the reference's shape. Output is
 * for people (a summary for one campaign, tables for lists: src/cli/campaignViews.ts); `--json` prints the
 * objects for scripts.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { storeAnswerFiles } from '../application/answerFiles';
import type { ApplicationStatus } from '../application/input';
import { loadConfig } from '../config';
import { openStore } from '../store';
import { ledgerFor } from '../store/ledger';
import { problemText } from '../shared/input';
import {
  campaignApplications,
  campaignRuns,
  createCampaign,
  getCampaign,
  InvalidCampaignInputError,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  setCampaignPolicy,
  stopCampaign,
  type NewCampaign,
} from '../campaign/client';
import { CAMPAIGN_POLICIES, type CampaignPolicy } from '../campaign/messages';
import { CAMPAIGN_TYPES, validateCampaignInput, type CampaignStatus, type CampaignType, type RunStatus } from '../campaign/input';
import { CAMPAIGN_APPLICATION_COLUMNS, CAMPAIGN_COLUMNS, renderCampaign, RUN_COLUMNS } from './campaignViews';
import { withClient } from './client';
import { renderPage } from './table';

/** One line per field; runCli prints the message and exits with 1. */
function invalid(err: InvalidCampaignInputError): Error {
  return new Error(['invalid campaign:', ...err.problems.map((p) => `  - ${problemText(p)}`)].join('\n'));
}

interface Output {
  json?: boolean;
}

/** Runs `fn` with a client; prints its result as JSON (`--json`) or through `render`. */
async function withCampaignClient<T>(
  opts: Output,
  fn: (client: Client, taskQueue: string) => Promise<T>,
  render: (out: T) => string,
): Promise<void> {
  try {
    await withClient(async (client, config) => {
      const out = await fn(client, config.temporal.taskQueue);
      console.log(opts.json ? JSON.stringify(out, null, 2) : render(out));
    });
  } catch (err) {
    throw err instanceof InvalidCampaignInputError ? invalid(err) : err;
  }
}

function readBody(path: string): NewCampaign {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  try {
    return JSON.parse(text) as NewCampaign;
  } catch (err) {
    throw new Error(`${path}: not JSON (${(err as Error).message})`);
  }
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`expected an integer, got "${v}"`);
  return n;
};

export function register(program: Command): void {
  const campaign = program.command('campaign').description('run-once, autopilot-once and recurring autopilot campaigns (reference 002)');

  campaign
    .command('create')
    .description(`create a campaign; <type> is one of ${CAMPAIGN_TYPES.join(', ')} (or with dashes)`)
    .argument('<type>')
    .requiredOption('--body <file>', 'the campaign as JSON ({ candidateProfileId, jobs | filters, schedule?, limits?, ... }); - for stdin')
    .option('--id <campaignId>', 'the campaign id (default: generated)')
    .option('--profile <id>', 'candidateProfileId (overrides the body)')
    .option('--policy <policy>', `when a form needs a person: ${CAMPAIGN_POLICIES.join(', ')} (default skip; overrides the body)`)
    .option('--person-deadline-hours <hours>', 'ask/review: how long an application waits for a person (default 72)', Number)
    .option('--json', 'print JSON (for scripts)')
    .action(
      async (
        rawType: string,
        opts: { body: string; id?: string; profile?: string; policy?: string; personDeadlineHours?: number; json?: boolean },
      ) => {
        const type = rawType.replace(/-/g, '_') as CampaignType;
        const body = readBody(opts.body);
        if (opts.id) body.campaignId = opts.id;
        if (opts.profile) body.candidateProfileId = opts.profile;
        if (opts.policy !== undefined) body.policy = opts.policy as CampaignPolicy;
        if (opts.personDeadlineHours !== undefined) body.personDeadlineHours = opts.personDeadlineHours;
        // Uploads in answers are stored once in the ledger's database; the campaign carries references.
        if (
          body.answers &&
          Object.values(body.answers).some((v) => typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'upload')
        ) {
          const store = await openStore(loadConfig());
          try {
            body.answers = await storeAnswerFiles(await ledgerFor(store), body.answers);
          } finally {
            await store.close();
          }
        }
        // Checked before connecting: bad input needs no server to be told so.
        const problems = validateCampaignInput({ campaignId: 'placeholder', ...body, type });
        if (problems.length) throw invalid(new InvalidCampaignInputError(problems));
        await withCampaignClient(
          opts,
          async (client, taskQueue) => {
            const { campaignId, workflowId } = await createCampaign(client, type, body, { taskQueue });
            return { campaignId, workflowId };
          },
          (c) => `created campaign ${c.campaignId} (workflow ${c.workflowId})`,
        );
      },
    );

  campaign
    .command('policy')
    .description('change what applications started from now on do when a form needs a person (running ones keep theirs)')
    .argument('<campaignId>')
    .argument('<policy>', CAMPAIGN_POLICIES.join(', '))
    .option('--person-deadline-hours <hours>', 'ask/review: how long an application waits for a person', Number)
    .option('--json', 'print JSON (for scripts)')
    .action((id: string, policy: string, opts: Output & { personDeadlineHours?: number }) =>
      withCampaignClient(
        opts,
        (client) =>
          setCampaignPolicy(client, id, {
            policy: policy as CampaignPolicy,
            ...(opts.personDeadlineHours !== undefined ? { personDeadlineHours: opts.personDeadlineHours } : {}),
          }),
        renderCampaign,
      ),
    );

  campaign
    .command('get')
    .description('a campaign: status, stats, search context, schedule')
    .argument('<campaignId>')
    .option('--json', 'print JSON (for scripts)')
    .action((id: string, opts: Output) => withCampaignClient(opts, (client) => getCampaign(client, id), renderCampaign));

  campaign
    .command('list')
    .description('campaigns, newest first')
    .option('--status <status>', 'active, paused, completed or cancelled')
    .option('--type <type>', CAMPAIGN_TYPES.join(', '))
    .option('--page <n>', 'page number', int, 1)
    .option('--limit <n>', 'items per page (max 100)', int, 20)
    .option('--user <userId>', "only this API user's campaigns")
    .option('--json', 'print JSON (for scripts)')
    .action((opts: Output & { status?: CampaignStatus; type?: string; user?: string; page: number; limit: number }) =>
      withCampaignClient(
        opts,
        (client) =>
          listCampaigns(client, {
            status: opts.status,
            type: opts.type?.replace(/-/g, '_') as CampaignType | undefined,
            ...(opts.user ? { userId: opts.user } : {}),
            page: opts.page,
            limit: opts.limit,
          }),
        (page) => renderPage(CAMPAIGN_COLUMNS, page),
      ),
    );

  for (const [name, fn, what] of [
    ['pause', pauseCampaign, 'hold scheduled runs and new applications'],
    ['resume', resumeCampaign, 'continue at the next scheduled tick (missed ticks are not replayed)'],
    ['stop', stopCampaign, 'cancel: queued jobs are never started; applications in progress finish'],
  ] as const) {
    campaign
      .command(name)
      .description(what)
      .argument('<campaignId>')
      .option('--json', 'print JSON (for scripts)')
      .action((id: string, opts: Output) =>
        withCampaignClient(
          opts,
          async (client) => {
            await fn(client, id);
            return getCampaign(client, id).catch(() => ({ campaignId: id, signalled: name }));
          },
          (v) => ('signalled' in v ? `campaign ${id}: ${name} signalled` : renderCampaign(v)),
        ),
      );
  }

  campaign
    .command('runs')
    .description('the campaign runs kept (the last 20), newest first')
    .argument('<campaignId>')
    .option('--status <status>', 'in_progress, completed, failed or cancelled')
    .option('--page <n>', 'page number', int, 1)
    .option('--limit <n>', 'items per page (max 100)', int, 20)
    .option('--json', 'print JSON (for scripts)')
    .action((id: string, opts: Output & { status?: RunStatus; page: number; limit: number }) =>
      withCampaignClient(
        opts,
        (client) => campaignRuns(client, id, { status: opts.status, page: opts.page, limit: opts.limit }),
        (page) => renderPage(RUN_COLUMNS, page),
      ),
    );

  campaign
    .command('applications')
    .description('per-application results kept (the newest 300), newest first')
    .argument('<campaignId>')
    .option('--status <status>', 'QUEUED, PROCESSING, SUCCESS, FAILED or CANCELLED')
    .option('--page <n>', 'page number', int, 1)
    .option('--limit <n>', 'items per page (max 100)', int, 20)
    .option('--json', 'print JSON (for scripts)')
    .action((id: string, opts: Output & { status?: ApplicationStatus; page: number; limit: number }) =>
      withCampaignClient(
        opts,
        (client) => campaignApplications(client, id, { status: opts.status, page: opts.page, limit: opts.limit }),
        (page) => renderPage(CAMPAIGN_APPLICATION_COLUMNS, page),
      ),
    );
}
