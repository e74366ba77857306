/**
 * The campaign's contract: what clients, the API, the CLI and the `temporal` CLI send to and read from a
 * campaign workflow, and what its applications tell it. Imported by both sides; pure definitions only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PersonTaskKind } from '../application/messages';
import type { CampaignApplication, CampaignRun, CampaignView } from './input';

export const campaignQuery = defineQuery<CampaignView>('campaign');
export const runsQuery = defineQuery<CampaignRun[]>('runs');
export const applicationsQuery = defineQuery<CampaignApplication[]>('applications');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal('stop');

export const CampaignFailureType = { InvalidInput: 'InvalidCampaignInput' } as const;

// ---- A person in the loop (issue 16) ----------------------------------------------------------------

/**
 * What a campaign's application does when it needs a person: `skip` fails it naming the fields; `ask`
 * waits for a person's answers (until the campaign's deadline); `review` waits for approval of every
 * filled form before the final submit.
 */
export type CampaignPolicy = 'skip' | 'ask' | 'review';
export const CAMPAIGN_POLICIES: readonly CampaignPolicy[] = ['skip', 'ask', 'review'];
export const DEFAULT_PERSON_DEADLINE_HOURS = 72;

/**
 * Sent by a campaign's application when it starts or stops waiting for a person (`waitingFor` null): a
 * waiting application does not hold one of the campaign's concurrency slots.
 */
export interface ApplicationWaiting {
  applicationId: string;
  waitingFor: PersonTaskKind | null;
}
export const applicationWaitingSignal = defineSignal<[ApplicationWaiting]>('applicationWaiting');

/**
 * Ours (daily pacing): sent by a campaign's application when a user's daily cap makes it wait for the next
 * day window (`nextAttemptAt`, it is QUEUED meanwhile) and when it goes on (null).
 */
export interface ApplicationPaced {
  applicationId: string;
  nextAttemptAt: string | null;
}
export const applicationPacedSignal = defineSignal<[ApplicationPaced]>('applicationPaced');

/** The `setPolicy` update (validated; applies to applications started from then on). */
export interface SetPolicyRequest {
  policy: CampaignPolicy;
  personDeadlineHours?: number;
}
export const setPolicyUpdate = defineUpdate<CampaignView, [SetPolicyRequest]>('setPolicy');

/**
 * Sent by whoever adds or removes a campaign's webhook (the API): how many active ones it has now. A
 * campaign sends events (question.waiting, review.waiting, application.failed, run.completed) only while
 * it has some, so one without webhooks schedules no delivery activity at all.
 */
export interface CampaignWebhooks {
  active: number;
}
export const webhooksSignal = defineSignal<[CampaignWebhooks]>('webhooks');
