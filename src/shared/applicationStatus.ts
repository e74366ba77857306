/**
 * An application's status as the ledger, the API and the Temporal UI show it, in the order a row may move
 * (QUEUED < PROCESSING < UNCONFIRMED < a final status). Pure: the workflow bundle, the store and the edges
 * share it.
 *
 * NEEDS_PERSON: the upstream put a captcha or login wall in the way, so only a person can finish (at the
 * live URL). It is final for the automation: no write moves the row off it; only an explicit retry starts
 * it again.
 */
export const APPLICATION_STATUSES = ['QUEUED', 'PROCESSING', 'UNCONFIRMED', 'SUCCESS', 'FAILED', 'CANCELLED', 'NEEDS_PERSON'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const FINAL_STATUSES: readonly ApplicationStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED', 'NEEDS_PERSON'];

export function statusRank(status: ApplicationStatus): number {
  return status === 'QUEUED' ? 0 : status === 'PROCESSING' ? 1 : status === 'UNCONFIRMED' ? 2 : 3;
}

/** What a person is asked for while an application waits (the ledger's awaiting_kind). */
export const AWAITING_KINDS = ['question', 'review', 'needs_person'] as const;
export type AwaitingKind = (typeof AWAITING_KINDS)[number];
