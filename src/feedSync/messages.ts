/**
 * The feed sync's contract: what clients, the CLI and the `temporal` CLI read from a feedSync workflow (its
 * progress query and result) and the failure types it raises. Imported by both sides; pure definitions only.
 */
import { defineQuery } from '@temporalio/workflow';
import type { FeedSyncCounters, FeedSyncMode, FeedSyncPhase } from './input';

export interface FeedSyncProgress extends FeedSyncCounters {
  feed: string;
  mode: FeedSyncMode | null;
  phase: FeedSyncPhase;
  cursorPresent: boolean;
  creditsBalance: number | null;
  thisRunStartedAt: string | null;
  lastRunStartedAt: string | null;
}

export interface FeedSyncResult extends FeedSyncCounters {
  feed: string;
  mode: FeedSyncMode;
  thisRunStartedAt: string;
  creditsBalance: number | null;
}

/** What a schedule tick (feedSyncTick) returns. */
export interface FeedSyncTickResult {
  feed: string;
  /** false: a pass of this feed was already running (one-off or scheduled), so this tick started none. */
  started: boolean;
  result: FeedSyncResult | null;
}

export const progressQuery = defineQuery<FeedSyncProgress>('progress');

export const FeedSyncFailure = {
  InvalidInput: 'InvalidFeedSyncInput',
  CursorRestartsExhausted: 'FeedCursorRestartsExhausted',
} as const;
