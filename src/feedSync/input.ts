/**
 * Feed sync's shared vocabulary: workflow input and its checks, run state, checkpoint shape and limits (the
 * progress view and the result are the contract, in messages.ts). Pure (no zod, no I/O) so the workflow bundle, the activities, the CLI and the schedule all import the same definitions.
 */

/** Upstream limits (004); mirrored from src/jobo/schemas.ts, which the workflow bundle must not import. */
export const FEED_MAX_BATCH = 1000;
export const EXPIRED_MAX_BATCH = 10_000;
export const EXPIRED_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
/** posted_after = last_run_started_at - overlap (004: clock skew and late-arriving postings). */
export const INCREMENTAL_OVERLAP_MS = 15 * 60 * 1000;
/**
 * A last run this close to the 7-day lookback already gets a full re-sync: the feed pass takes time, and a
 * sweep that starts after the lookback has passed would be refused by the upstream.
 */
export const LOOKBACK_SAFETY_MS = 60 * 60 * 1000;

export const DEFAULT_FEED = 'jobs';
export const DEFAULT_PAGES_PER_RUN = 500;
/**
 * Feed pages one syncFeedPage activity may write (fetching the next while writing one), and the time after
 * which it stops fetching ahead: few Temporal round trips per pass, and a retried attempt redoes little.
 */
export const FEED_PAGES_PER_ACTIVITY = 20;
export const FEED_ACTIVITY_BUDGET_MS = 30_000;
export const DEFAULT_MAX_CURSOR_RESTARTS = 5;

export const feedSyncWorkflowId = (feed: string): string => `feed-sync/${feed}`;
export const feedScheduleId = (feed: string): string => `feed-sync/${feed}`;
export const checkpointKey = (feed: string): string => `feed-sync/${feed}`;

/** What a successful run leaves in the store's checkpoint table: the next run starts from it. */
export interface FeedCheckpoint {
  lastRunStartedAt: string;
  /** When the last full pass (backfill or re-sync with reconcile) started. */
  lastFullSyncStartedAt: string | null;
}

/** full = page the whole feed, then reconcile; incremental = posted_after window + expired sweep. */
export type FeedSyncMode = 'backfill' | 'full-resync' | 'incremental';
export type FeedSyncPhase = 'starting' | 'feed' | 'sweep' | 'reconcile' | 'commit' | 'done';

export interface FeedSyncCounters {
  pages: number;
  jobsReceived: number;
  jobsUpserted: number;
  skipped: number;
  expiredPages: number;
  expired: number;
  reconciled: number;
  /** Pagination restarts after an invalid cursor (feed and sweep together). */
  restarts: number;
  /** Feed copies not written because the stored row is newer (optional: older runs carry none). */
  skippedOlder?: number;
  /** Expired jobs brought back by a copy updated after their expiry. */
  revived?: number;
  /**
   * Feed jobs with a field the tolerant reader could not read (stored with the field's fallback), by field
   * name. Optional: runs started before it existed carry none.
   */
  oddities?: Record<string, number>;
  /** Feed jobs left out for want of a readable id or updated_at (also counted in oddities). */
  dropped?: number;
  /** The feed scan's size as the upstream estimated it on its first page, when it did. */
  estimatedTotal?: number | null;
  /**
   * Feed pages the upstream answered (credits spent) vs pages written. They differ only by a page fetched
   * ahead by an attempt that then failed or died. Optional: runs before pipelined activities carry none.
   */
  pagesFetched?: number;
  pagesUsed?: number;
}

/** Everything a run carries across continueAsNew: small by design (no job data). */
export interface FeedSyncRunState {
  mode: FeedSyncMode;
  phase: FeedSyncPhase;
  thisRunStartedAt: string;
  lastRunStartedAt: string | null;
  lastFullSyncStartedAt: string | null;
  /** Fixed for the run: a cursor is only valid with the filter it was issued for. */
  postedAfter: string | null;
  cursor: string | null;
  /** Marks jobs seen by a full pass so reconcile can expire the rest. */
  fullSyncRunId: string | null;
  counters: FeedSyncCounters;
  creditsBalance: number | null;
}

export interface FeedSyncInput {
  /** Feed name (workflow id feed-sync/<feed>, checkpoint key); default "jobs". */
  feed?: string;
  /** Jobs per feed page, 1..1000 (default 1000). */
  batchSize?: number;
  /** Ids per expired page, 1..10000 (default 10000). */
  expiredBatchSize?: number;
  /** Pages per workflow run before continueAsNew (default 500). */
  pagesPerRun?: number;
  /** Invalid-cursor restarts allowed in one sync before it fails (default 5). */
  maxCursorRestarts?: number;
  /** Set by continueAsNew only. */
  resume?: FeedSyncRunState;
}

export const emptyCounters = (): FeedSyncCounters => ({
  pages: 0,
  jobsReceived: 0,
  jobsUpserted: 0,
  skipped: 0,
  expiredPages: 0,
  expired: 0,
  reconciled: 0,
  restarts: 0,
  skippedOlder: 0,
  revived: 0,
  oddities: {},
  dropped: 0,
  estimatedTotal: null,
  pagesFetched: 0,
  pagesUsed: 0,
});

/** Field-named problems with a start request, checked by the CLI/client before anything starts. */
export function feedSyncInputProblems(input: FeedSyncInput): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const intIn = (field: keyof FeedSyncInput, v: unknown, min: number, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max)) {
      problems.push({ field, message: `must be an integer from ${min} to ${max}` });
    }
  };
  if (input.feed !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(input.feed)) {
    problems.push({ field: 'feed', message: 'must be 1-64 characters of A-Z a-z 0-9 _ . -' });
  }
  intIn('batchSize', input.batchSize, 1, FEED_MAX_BATCH);
  intIn('expiredBatchSize', input.expiredBatchSize, 1, EXPIRED_MAX_BATCH);
  intIn('pagesPerRun', input.pagesPerRun, 1, 10_000);
  intIn('maxCursorRestarts', input.maxCursorRestarts, 0, 100);
  return problems;
}

/** Which pass a run makes, given its stored checkpoint and the upstream's "now". */
export function chooseMode(checkpoint: FeedCheckpoint | null, now: string): FeedSyncMode {
  if (!checkpoint) return 'backfill';
  const age = Date.parse(now) - Date.parse(checkpoint.lastRunStartedAt);
  return age > EXPIRED_LOOKBACK_MS - LOOKBACK_SAFETY_MS ? 'full-resync' : 'incremental';
}
