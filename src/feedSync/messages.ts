/**
 * The feed sync's contract: what clients, the CLI and the `temporal` CLI read from a feedSync workflow and
 * the failure types it raises. Imported by both sides; pure definitions only.
 */
import { defineQuery } from '@temporalio/workflow';
import type { FeedSyncProgress } from './input';

export const progressQuery = defineQuery<FeedSyncProgress>('progress');

export const FeedSyncFailure = {
  InvalidInput: 'InvalidFeedSyncInput',
  CursorRestartsExhausted: 'FeedCursorRestartsExhausted',
} as const;
