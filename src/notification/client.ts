/**
 * Managing a campaign's webhooks (the API and the CLI use these; ownership of the campaign is checked by
 * the caller): add (the secret generated unless given, returned once), list, remove, and a signed `ping`
 * sent now to check a receiver. Bad input throws InvalidWebhookInputError naming the field.
 */
import { randomBytes } from 'node:crypto';
import type { WebhookRecord, Webhooks } from '../store/webhooks';
import { InvalidWebhookInputError, MAX_WEBHOOKS_PER_CAMPAIGN, validateNewWebhook, type NewWebhook } from './input';
import { PING_EVENT } from './messages';
import { newWebhookSecret } from './secrets';
import { WebhookSender } from './sender';

export { verifySignature, signatureHeader, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from './signature';
export { secretBoxFor } from './secrets';

export async function addWebhook(
  webhooks: Webhooks,
  campaignId: string,
  userId: string | null,
  input: Partial<NewWebhook>,
): Promise<{ webhook: WebhookRecord; secret: string }> {
  const problems = validateNewWebhook(input);
  if (problems.length) throw new InvalidWebhookInputError(problems);
  // Checked before the insert, so two concurrent adds can pass it together; the limit is a guard, not a quota.
  if ((await webhooks.list(campaignId)).length >= MAX_WEBHOOKS_PER_CAMPAIGN) {
    throw new InvalidWebhookInputError([
      { field: 'url', message: `a campaign has at most ${MAX_WEBHOOKS_PER_CAMPAIGN} webhooks; remove one first` },
    ]);
  }
  const secret = input.secret ?? newWebhookSecret();
  const webhook = await webhooks.create(campaignId, userId, { url: input.url!, events: input.events!, secret });
  return { webhook, secret };
}

/** How many of the campaign's webhooks are active (what the campaign is told after an add or a remove). */
export async function activeWebhooks(webhooks: Webhooks, campaignId: string): Promise<number> {
  return (await webhooks.list(campaignId)).filter((w) => w.status === 'active').length;
}

export interface PingResult {
  webhookId: string;
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * Sends a signed `ping` event to the campaign's active webhooks (or to `webhookId` only, even a disabled
 * one) and answers what each receiver did. Nothing is recorded and nothing is retried: it is a check.
 */
export async function pingWebhooks(
  webhooks: Webhooks,
  campaignId: string,
  opts: { webhookId?: string; sender?: WebhookSender } = {},
): Promise<PingResult[]> {
  let targets;
  if (opts.webhookId) {
    const one = await webhooks.get(campaignId, opts.webhookId);
    targets = one ? [one] : [];
  } else {
    const active = (await webhooks.list(campaignId)).filter((w) => w.status === 'active');
    targets = (await Promise.all(active.map((w) => webhooks.get(campaignId, w.id)))).filter((w) => w !== null);
  }
  const sender = opts.sender ?? new WebhookSender();
  try {
    return await Promise.all(
      targets.map(async (w) => {
        const deliveryId = `ping_${randomBytes(12).toString('hex')}`;
        const occurredAt = new Date().toISOString();
        const outcome = await sender.send(w.url, w.secret, {
          id: deliveryId,
          type: PING_EVENT,
          occurredAt,
          campaignId,
          data: { webhookId: w.id },
        });
        return {
          webhookId: w.id,
          deliveryId,
          ok: outcome.kind === 'delivered',
          statusCode: outcome.statusCode,
          error: outcome.kind === 'failed' ? outcome.error : outcome.kind === 'gone' ? 'answered 410 Gone' : null,
        };
      }),
    );
  } finally {
    if (!opts.sender) await sender.close();
  }
}
