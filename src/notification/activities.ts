/**
 * `deliverCampaignEvent`: sends one campaign event to each of the campaign's active webhooks subscribed
 * to its type, at least once. A webhook that took the delivery (2xx) is recorded in the store, so a retry
 * of the activity sends only to those that have not; receivers dedupe by the delivery id. Any webhook
 * that failed makes the attempt fail retryably (WebhookDeliveryFailed), with backoff from the caller's
 * options (`notificationDelivery` in ./messages); a 410 Gone disables that webhook for good.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { CodecKey } from '../config';
import type { JobStore } from '../store/types';
import { webhooksFor, type Webhooks } from '../store/webhooks';
import { formatProblems } from '../shared/input';
import { validateCampaignEvent } from './input';
import { NotificationFailureType, type CampaignEvent, type DeliveryResult } from './messages';
import { secretBoxFor } from './secrets';
import { eventBody, WebhookSender } from './sender';

export interface NotificationActivityDeps {
  store: () => Promise<JobStore>;
  /** The payload codec's keys: webhook secrets are sealed with them (none: codec off). */
  codecKeys: CodecKey[];
  /** Default: the webhooks on the job store's own database. */
  webhooks?: () => Promise<Webhooks>;
  sender?: WebhookSender;
}

export function createNotificationActivities(deps: NotificationActivityDeps) {
  let opened: Promise<Webhooks> | undefined;
  const webhooks =
    deps.webhooks ??
    (() =>
      (opened ??= deps
        .store()
        .then((s) => webhooksFor(s, secretBoxFor(deps.codecKeys)))
        .catch((err: unknown) => {
          opened = undefined;
          throw err;
        })));
  let sender = deps.sender;

  return {
    async deliverCampaignEvent(event: CampaignEvent): Promise<DeliveryResult> {
      const problems = validateCampaignEvent(event);
      if (problems.length) {
        throw ApplicationFailure.create({
          message: `invalid campaign event: ${formatProblems(problems)}`,
          type: NotificationFailureType.InvalidInput,
          nonRetryable: true,
        });
      }
      const store = await webhooks();
      const hooks = await store.subscribed(event.campaignId, event.type);
      const done = await store.deliveredTo(event.deliveryId);
      const pending = hooks.filter((h) => !done.has(h.id));
      const outgoing = {
        id: event.deliveryId,
        type: event.type,
        occurredAt: event.occurredAt,
        campaignId: event.campaignId,
        data: event.data,
      };
      const body = eventBody(outgoing);
      sender ??= new WebhookSender();
      const outcomes = await Promise.all(
        pending.map(async (h) => ({ hook: h, outcome: await sender!.send(h.url, h.secret, outgoing, body) })),
      );

      const failed: string[] = [];
      const gone: string[] = [];
      for (const { hook, outcome } of outcomes) {
        if (outcome.kind === 'delivered') await store.recordDelivery(event.deliveryId, hook.id, event.type, outcome.statusCode);
        else if (outcome.kind === 'gone') {
          await store.disable(hook.id, '410 Gone from the receiver');
          gone.push(hook.id);
        } else failed.push(`${hook.id} ${outcome.error}`); // ids, not URLs: a URL may carry the receiver's token
      }
      const result: DeliveryResult = {
        webhooks: hooks.length,
        delivered: outcomes.filter((o) => o.outcome.kind === 'delivered').length,
        alreadyDelivered: hooks.length - pending.length,
        disabled: gone.length,
      };
      if (gone.length) log.warn('webhooks disabled by 410 Gone', { campaignId: event.campaignId, webhookIds: gone });
      if (failed.length) {
        throw ApplicationFailure.create({
          message: `delivery ${event.deliveryId}: ${failed.join('; ')}`,
          type: NotificationFailureType.DeliveryFailed,
          details: [result],
        });
      }
      if (gone.length) {
        throw ApplicationFailure.create({
          message: `delivery ${event.deliveryId}: ${gone.join(', ')} answered 410 Gone and are disabled`,
          type: NotificationFailureType.Gone,
          nonRetryable: true,
          details: [result],
        });
      }
      return result;
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
