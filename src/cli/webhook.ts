/**
 * `applyflow notification add|list|remove|test` (alias `webhook`): a campaign's webhooks on the app database directly (the rows
 * the API's /api/v1/campaigns/{id}/webhooks routes use), as an operator at this machine. `add` checks the
 * campaign exists in Temporal and records its owner; its signing secret is printed once. `add` and
 * `remove` tell the campaign how many active webhooks it has, as the API does. `test` sends a
 * signed `ping` now to the campaign's active webhooks (or `--webhook`) and exits 1 if any refused it.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { campaignOwner, tellCampaignWebhooks } from '../campaign/client';
import { loadConfig, type Config } from '../config';
import { activeWebhooks, addWebhook, pingWebhooks, secretBoxFor } from '../notification/client';
import { CAMPAIGN_EVENT_TYPES, type CampaignEventType } from '../notification/messages';
import { formatProblems, InvalidInputError } from '../shared/input';
import { openStore } from '../store';
import { webhooksFor, type WebhookRecord, type Webhooks } from '../store/webhooks';
import { withClient } from './client';

async function withWebhooks<T>(fn: (webhooks: Webhooks) => Promise<T>, config: Config = loadConfig()): Promise<T> {
  const store = await openStore(config);
  try {
    return await fn(await webhooksFor(store, secretBoxFor(config.codecKeys)));
  } finally {
    await store.close();
  }
}

const show = (w: WebhookRecord) =>
  `${w.id}  ${w.status}${w.disabledReason ? ` (${w.disabledReason})` : ''}  ${w.events.join(',')}  ${w.url}`;

/** `--event a,b --event c` → the event types, each bad one named. */
function eventsOf(values: string[]): CampaignEventType[] {
  const events = values
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = events.filter((e) => !CAMPAIGN_EVENT_TYPES.includes(e as CampaignEventType));
  if (bad.length) throw new Error(`invalid options: --event: ${bad.join(', ')} (expected ${CAMPAIGN_EVENT_TYPES.join(', ')})`);
  return events as CampaignEventType[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  // Named by the capability (as docs/cli.md lists groups); `webhook` is what people type, so both work.
  const webhook = program
    .command('notification')
    .alias('webhook')
    .description("A campaign's webhooks: signed notifications of questions, reviews, failures and finished runs");

  webhook
    .command('add <campaignId>')
    .description('Add a webhook; prints its signing secret once')
    .requiredOption('--url <url>', 'where events are POSTed (http or https)')
    .option('--event <types>', `event types, comma-separated or repeated: ${CAMPAIGN_EVENT_TYPES.join(', ')} (default: all)`, collect, [])
    .option('--secret <secret>', 'the signing secret (default: a new random one)')
    .option('--json', 'print JSON')
    .action(async (campaignId: string, o: { url: string; event: string[]; secret?: string; json?: boolean }) => {
      const events = o.event.length ? eventsOf(o.event) : [...CAMPAIGN_EVENT_TYPES];
      await withClient(async (client, config) => {
        let owner: string | null;
        try {
          owner = await campaignOwner(client, campaignId);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new Error(`campaign ${campaignId} not found`);
          throw err;
        }
        const {
          webhook: w,
          secret,
          active,
        } = await withWebhooks(async (webhooks) => {
          const made = await addWebhook(webhooks, campaignId, owner, {
            url: o.url,
            events,
            ...(o.secret !== undefined ? { secret: o.secret } : {}),
          }).catch((err: unknown) => {
            if (err instanceof InvalidInputError) throw new Error(`invalid webhook: ${formatProblems(err.problems)}`);
            throw err;
          });
          return { ...made, active: await activeWebhooks(webhooks, campaignId) };
        }, config);
        await tellCampaignWebhooks(client, campaignId, active);
        if (o.json) console.log(JSON.stringify({ ...w, secret }, null, 2));
        else console.log(`${show(w)}\nsigning secret (shown once): ${secret}`);
      });
    });

  webhook
    .command('list <campaignId>')
    .description("The campaign's webhooks, oldest first (no secrets)")
    .option('--json', 'print JSON')
    .action(async (campaignId: string, o: { json?: boolean }) => {
      const list = await withWebhooks((w) => w.list(campaignId));
      if (o.json) console.log(JSON.stringify(list, null, 2));
      else console.log(list.length ? list.map(show).join('\n') : `no webhooks for campaign ${campaignId}`);
    });

  webhook
    .command('remove <campaignId> <webhookId>')
    .description('Remove a webhook')
    .action(async (campaignId: string, webhookId: string) => {
      await withClient(async (client, config) => {
        const active = await withWebhooks(async (w) => {
          if (!(await w.remove(campaignId, webhookId))) throw new Error(`webhook ${webhookId} not found for campaign ${campaignId}`);
          return activeWebhooks(w, campaignId);
        }, config);
        await tellCampaignWebhooks(client, campaignId, active);
      });
      console.log(`removed ${webhookId}`);
    });

  webhook
    .command('test <campaignId>')
    .description("Send a signed ping event now to the campaign's active webhooks; exit 1 if any refused it")
    .option('--webhook <webhookId>', 'only this webhook (even a disabled one)')
    .option('--json', 'print JSON')
    .action(async (campaignId: string, o: { webhook?: string; json?: boolean }) => {
      const results = await withWebhooks((w) => pingWebhooks(w, campaignId, { webhookId: o.webhook }));
      if (o.json) console.log(JSON.stringify(results, null, 2));
      else
        for (const r of results)
          console.log(
            `${r.webhookId}  ${r.ok ? 'ok' : 'FAILED'}  ${r.statusCode ?? '-'}${r.error ? `  ${r.error}` : ''}  delivery ${r.deliveryId}`,
          );
      if (results.length === 0)
        throw new Error(
          o.webhook ? `webhook ${o.webhook} not found for campaign ${campaignId}` : `no active webhooks for campaign ${campaignId}`,
        );
      const refused = results.filter((r) => !r.ok).length;
      if (refused) throw new Error(`${refused} of ${results.length} webhooks did not take the ping`);
    });
}
