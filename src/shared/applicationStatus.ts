/**
 * An application's status as the ledger, the API and the Temporal UI show it, in the order a row may move
 * (QUEUED < PROCESSING < UNCONFIRMED < a final status). Pure: the workflow bundle, the store and the edges
 * share it.
 */
export const APPLICATION_STATUSES = ['QUEUED', 'PROCESSING', 'UNCONFIRMED', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const FINAL_STATUSES: readonly ApplicationStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

export function statusRank(status: ApplicationStatus): number {
  return status === 'QUEUED' ? 0 : status === 'PROCESSING' ? 1 : status === 'UNCONFIRMED' ? 2 : 3;
}
