// A stand-in for the campaign's use of deliverCampaignEvent (test/notification.delivery.test.ts): every
// event is handed to the activity at once, none awaited before the next (as a campaign must not block),
// and the workflow reports how each ended.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../../src/notification/activities';
import { notificationDelivery, type CampaignEvent } from '../../src/notification/messages';

// The real preset with a test-sized backoff: the non-retryable types are the preset's.
const { deliverCampaignEvent } = proxyActivities<NotificationActivities>({
  ...notificationDelivery,
  retry: { ...notificationDelivery.retry, initialInterval: '50ms', maximumInterval: '400ms' },
});

export interface EventOutcome {
  deliveryId: string;
  ok: boolean;
  failureType: string | null;
}

export async function notifyEvents(events: CampaignEvent[]): Promise<EventOutcome[]> {
  const pending = events.map((e) =>
    deliverCampaignEvent(e).then(
      (): EventOutcome => ({ deliveryId: e.deliveryId, ok: true, failureType: null }),
      (err: unknown): EventOutcome => {
        const cause = err instanceof ActivityFailure ? err.cause : err;
        return {
          deliveryId: e.deliveryId,
          ok: false,
          failureType: cause instanceof ApplicationFailure ? (cause.type ?? null) : String(cause),
        };
      },
    ),
  );
  return Promise.all(pending);
}
