/**
 * A campaign's webhooks (tag `notification`): add, list, remove, and a signed test event. Only the
 * campaign's owner may manage them; another user's campaign is a 404 like an unknown id, as in the
 * campaign routes, and nothing is read or written for it. The signing secret is in the create answer only.
 * After an add or a remove the campaign is told how many active webhooks it has (it sends events only
 * while it has some).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { campaignOwner, tellCampaignWebhooks } from '../campaign/client';
import { MAX_WEBHOOKS_PER_CAMPAIGN, SECRET_MAX, SECRET_MIN, WEBHOOK_URL_MAX, webhookUrlProblem } from '../notification/input';
import { activeWebhooks, addWebhook, pingWebhooks } from '../notification/client';
import { CAMPAIGN_EVENT_TYPES } from '../notification/messages';
import type { WebhookRecord, Webhooks } from '../store/webhooks';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { ApiError, notFound } from './errors';
import { ErrorResponse } from './schemas';

export const campaignWebhooksPath = (campaignId: string) => `/api/v1/campaigns/${campaignId}/webhooks`;

const CampaignId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_.-]');
const WebhookId = z.string().regex(/^whk_[0-9a-f]{24}$/, 'expected a webhook id (whk_…)');
const Params = z.strictObject({ campaignId: CampaignId });
const OneParams = z.strictObject({ campaignId: CampaignId, webhookId: WebhookId });

const CreateWebhook = z.strictObject({
  url: z
    .string()
    .max(WEBHOOK_URL_MAX)
    .superRefine((v, c) => {
      const p = webhookUrlProblem(v);
      if (p) c.addIssue({ code: 'custom', message: p });
    })
    .meta({ format: 'uri', description: 'Where events are POSTed (http or https; redirects are not followed)' }),
  events: z.array(z.enum(CAMPAIGN_EVENT_TYPES)).min(1).max(CAMPAIGN_EVENT_TYPES.length).meta({ description: 'The event types to receive' }),
  secret: z
    .string()
    .min(SECRET_MIN)
    .max(SECRET_MAX)
    .regex(/^\S+$/, 'must not contain whitespace')
    .optional()
    .meta({ description: 'The signing secret; generated (whsec_…) when absent' }),
});

const WebhookOut = z
  .object({
    webhookId: z.string(),
    campaignId: z.string(),
    url: z.string(),
    events: z.array(z.enum(CAMPAIGN_EVENT_TYPES)),
    status: z.enum(['active', 'disabled']),
    disabledReason: z.string().nullable().meta({ description: 'Why it was disabled (a 410 Gone from the receiver)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook' });
const CreatedWebhook = WebhookOut.extend({
  secret: z.string().meta({ description: 'The signing secret: shown only in this answer (stored encrypted, to sign)' }),
}).meta({ id: 'CreatedWebhook' });
const WebhookList = z.object({ data: z.array(WebhookOut) });
const PingOut = z
  .object({
    data: z.array(
      z.object({
        webhookId: z.string(),
        deliveryId: z.string(),
        ok: z.boolean(),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'WebhookTestResult' });

const out = (w: WebhookRecord) => ({
  webhookId: w.id,
  campaignId: w.campaignId,
  url: w.url,
  events: w.events,
  status: w.status,
  disabledReason: w.disabledReason,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

/** The caller's campaign, or the 404 an unknown one gets. */
async function assertOwned(client: Client, campaignId: string, userId: string): Promise<void> {
  try {
    if ((await campaignOwner(client, campaignId)) === userId) return;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  throw notFound(`campaign ${campaignId}`);
}

export function registerWebhookRoutes(app: ZodApp, ctx: ApiContext, webhooks?: () => Promise<Webhooks>): void {
  const tags = ['notification'];
  const store = async () => {
    if (!webhooks) throw new ApiError(503, 'unavailable', 'webhooks are not configured on this API (no store)');
    return webhooks();
  };
  const errors = { ...ERRORS, 503: ErrorResponse };

  app.post(
    '/api/v1/campaigns/:campaignId/webhooks',
    {
      schema: {
        tags,
        summary: `Add a webhook to a campaign (at most ${MAX_WEBHOOKS_PER_CAMPAIGN}); the answer holds its signing secret, once`,
        params: Params,
        body: CreateWebhook,
        response: { 201: CreatedWebhook, ...errors },
      },
    },
    async (req, reply) => {
      const { campaignId } = req.params;
      const userId = userOf(req);
      await assertOwned(ctx.client, campaignId, userId);
      const hooks = await store();
      const { webhook, secret } = await addWebhook(hooks, campaignId, userId, req.body);
      // The campaign sends events only while it has webhooks: tell it (a closed one has nothing more to send).
      await tellCampaignWebhooks(ctx.client, campaignId, await activeWebhooks(hooks, campaignId));
      return reply
        .code(201)
        .header('location', `${campaignWebhooksPath(campaignId)}/${webhook.id}`)
        .send({ ...out(webhook), secret });
    },
  );

  app.get(
    '/api/v1/campaigns/:campaignId/webhooks',
    {
      schema: {
        tags,
        summary: "A campaign's webhooks, oldest first (no secrets)",
        params: Params,
        response: { 200: WebhookList, ...errors },
      },
    },
    async (req) => {
      await assertOwned(ctx.client, req.params.campaignId, userOf(req));
      return { data: (await (await store()).list(req.params.campaignId)).map(out) };
    },
  );

  app.delete(
    '/api/v1/campaigns/:campaignId/webhooks/:webhookId',
    {
      schema: {
        tags,
        summary: 'Remove a webhook (no event is sent to it from then on)',
        params: OneParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const { campaignId, webhookId } = req.params;
      await assertOwned(ctx.client, campaignId, userOf(req));
      const hooks = await store();
      if (!(await hooks.remove(campaignId, webhookId))) throw notFound(`webhook ${webhookId}`);
      await tellCampaignWebhooks(ctx.client, campaignId, await activeWebhooks(hooks, campaignId));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/campaigns/:campaignId/webhooks/:webhookId/test',
    {
      schema: {
        tags,
        summary: 'Send a signed `ping` event to the webhook now and answer what the receiver did (not retried)',
        params: OneParams,
        response: { 200: PingOut, ...errors },
      },
    },
    async (req) => {
      const { campaignId, webhookId } = req.params;
      await assertOwned(ctx.client, campaignId, userOf(req));
      const results = await pingWebhooks(await store(), campaignId, { webhookId });
      if (results.length === 0) throw notFound(`webhook ${webhookId}`);
      return { data: results };
    },
  );
}
