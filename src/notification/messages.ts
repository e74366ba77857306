/**
 * Campaign notifications' contract: the event types a webhook subscribes to, the input of the
 * `deliverCampaignEvent` activity, its failure type names and the activity options a workflow should use.
 * Pure definitions only: the campaign workflow imports this file.
 */
import type { ActivityOptions } from '@temporalio/workflow';

export const CAMPAIGN_EVENT_TYPES = ['question.waiting', 'review.waiting', 'application.failed', 'run.completed'] as const;
export type CampaignEventType = (typeof CAMPAIGN_EVENT_TYPES)[number];
/** Sent only by `webhook test` (API and CLI), to every webhook whatever it subscribes to. */
export const PING_EVENT = 'ping';

/** A JSON value of an event's `data`: ids, the job URL, statuses, counts, field labels. Never candidate PII. */
export type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue };

export interface CampaignEvent {
  campaignId: string;
  /**
   * Stable for the event, not for the attempt: receivers dedupe by it. A workflow derives it from what the
   * event is about (e.g. `<campaignId>/question.waiting/<applicationId>`), so a replay sends the same id.
   */
  deliveryId: string;
  type: CampaignEventType;
  /** ISO-8601, workflow time. */
  occurredAt: string;
  data: { [key: string]: EventValue };
}

/** What one activity call did (counts only: the result lands in history). */
export interface DeliveryResult {
  /** Webhooks of the campaign subscribed to the event type and active. */
  webhooks: number;
  /** Took it in this attempt. */
  delivered: number;
  /** Had taken it in an earlier attempt (not sent again). */
  alreadyDelivered: number;
  /** Answered 410 Gone in this attempt: disabled, never sent to again. */
  disabled: number;
}

export const NotificationFailureType = {
  /** A receiver answered non-2xx (not 410) or could not be reached: retried with backoff. */
  DeliveryFailed: 'WebhookDeliveryFailed',
  /** Every failed receiver answered 410 Gone: they are disabled, a retry would send nothing. */
  Gone: 'WebhookGone',
  /** The event itself is wrong (bad id, unknown type, PII-like data): a bug in the caller, not retried. */
  InvalidInput: 'InvalidNotificationInput',
} as const;

/**
 * The options for `deliverCampaignEvent`. A receiver that is down is retried from 2 s backing off to 10
 * minutes, for up to a day; 15 s per attempt is above the 10 s request timeout. Call it without awaiting
 * the result in the campaign's path (a failed delivery must not fail or hold up the campaign), and catch
 * its failure.
 */
export const notificationDelivery = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '24h',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    nonRetryableErrorTypes: [NotificationFailureType.Gone, NotificationFailureType.InvalidInput],
  },
} satisfies ActivityOptions;
