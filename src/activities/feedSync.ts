/**
 * Feed sync I/O. Each page is fetched and written inside one activity, so job payloads never enter workflow
 * history: the workflow only sees cursors and counts. Upstream failures propagate as the client's typed
 * ApplicationFailures (503 carries Retry-After as nextRetryDelay; an invalid cursor is non-retryable and the
 * workflow restarts pagination). Every activity is idempotent: a retried page re-fetches the same cursor and
 * its upserts skip what is already stored.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { checkpointKey, type FeedCheckpoint } from '../feedSync/input';
import { FeedPager } from '../feedSync/pager';
import type { JoboClient } from '../jobo/client';
import { JoboFailure } from '../jobo/failureTypes';
import type { JobStore } from '../store/types';

export interface FeedSyncActivityDeps {
  jobo: Pick<JoboClient, 'feed' | 'expired'>;
  store: () => Promise<JobStore>;
}

export interface SyncFeedPageInput {
  cursor: string | null;
  /**
   * The incremental watermark (last_run_started_at - 15 min). Named for 004's posted_after, it is sent as
   * the published client's updated_after, so re-published edits reach an incremental sync too.
   */
  postedAfter: string | null;
  batchSize: number;
  /** Set during a full pass: the jobs of this page count as seen by that run (for reconcile). */
  runId?: string | null;
}

export interface SyncFeedPageResult {
  nextCursor: string | null;
  hasMore: boolean;
  received: number;
  upserted: number;
  skipped: number;
  /** Of skipped: copies older than the stored row (or than its expiry). */
  skippedOlder: number;
  /** Of upserted: expired jobs back in the feed with a copy updated after their expiry. */
  revived: number;
  creditsBalance: number | null;
  /** Jobs of this page with a field the tolerant reader could not read, by field name. */
  oddities?: Record<string, number>;
  /** Jobs of this page left out for want of a readable id or updated_at. */
  dropped?: number;
  /** The scan's size, when the upstream says (first page only). */
  estimatedTotal?: number | null;
}

export interface SweepExpiredPageInput {
  cursor: string | null;
  expiredSince: string;
  batchSize: number;
}

export interface SweepExpiredPageResult {
  nextCursor: string | null;
  hasMore: boolean;
  received: number;
  expired: number;
  creditsBalance: number | null;
}

const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Heartbeats while `fn` runs (a slow page or a long write must not look like a dead worker) and hands it
 * the activity's cancellation signal, so a cancelled or timed-out attempt aborts its HTTP request.
 */
async function heartbeating<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await fn(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

/** A page that says "more" without a cursor would loop forever; the upstream broke its contract. */
function requireCursor(hasMore: boolean, next: string | null, endpoint: string): void {
  if (hasMore && !next) {
    throw ApplicationFailure.create({
      type: JoboFailure.InvalidResponse,
      nonRetryable: true,
      message: `${endpoint} answered has_more=true without next_cursor`,
    });
  }
}

/** A checkpoint that cannot be read is treated as none: the run becomes a full pass with reconcile, which is safe. */
function parseCheckpoint(raw: string | null): FeedCheckpoint | null {
  if (raw === null) return null;
  try {
    const c = JSON.parse(raw) as Partial<FeedCheckpoint>;
    if (typeof c.lastRunStartedAt === 'string' && !Number.isNaN(Date.parse(c.lastRunStartedAt))) {
      return { lastRunStartedAt: c.lastRunStartedAt, lastFullSyncStartedAt: c.lastFullSyncStartedAt ?? null };
    }
  } catch {
    // fall through
  }
  log.warn('unreadable feed sync checkpoint; running a full re-sync', { raw: raw.slice(0, 200) });
  return null;
}

export function createFeedSyncActivities(deps: FeedSyncActivityDeps) {
  const pager = new FeedPager(deps.jobo);
  // One log line per odd field name per worker, not one per job: a systematic change upstream would
  // otherwise log every job of every page.
  const oddFieldsLogged = new Set<string>();
  return {
    /**
     * Reads the checkpoint and the upstream's clock before the first feed request (004: record now as
     * this_run_started_at first). The clock comes from /expired, which is free; the local clock is the
     * fallback when the upstream sends no Date header.
     */
    async beginFeedSync(input: { feed: string }): Promise<{ checkpoint: FeedCheckpoint | null; now: string }> {
      const store = await deps.store();
      const checkpoint = parseCheckpoint(await store.getCheckpoint(checkpointKey(input.feed)));
      const probe = await heartbeating((signal) => deps.jobo.expired({ batch_size: 1 }, { signal }));
      return {
        checkpoint,
        now: (probe.serverTime ?? new Date()).toISOString(),
      };
    },

    async syncFeedPage(input: SyncFeedPageInput): Promise<SyncFeedPageResult> {
      const store = await deps.store();
      return heartbeating(async (signal) => {
        const page = await pager.page(
          { cursor: input.cursor, updatedAfter: input.postedAfter, batchSize: input.batchSize },
          signal,
        );
        const { data, creditsBalance, oddities, dropped } = page;
        requireCursor(data.has_more, data.next_cursor, 'POST /api/jobs/feed');
        for (const [field, jobs] of Object.entries(oddities)) {
          if (oddFieldsLogged.has(field)) continue;
          oddFieldsLogged.add(field);
          log.warn('feed job field not readable; stored with its fallback', { field, jobsOnThisPage: jobs });
        }
        const { upserted, skipped, older, revived } = await store.upsertJobs(data.jobs, {
          seenInRun: input.runId ?? undefined,
        });
        // Late or lagging copies are expected now and then (overlap window, replicas); many would be news.
        if (older > 0 || revived > 0) log.info('feed page: older copies kept out, expired jobs revived', { older, revived });
        return {
          nextCursor: data.next_cursor,
          hasMore: data.has_more,
          received: data.jobs.length + dropped,
          upserted,
          skipped,
          skippedOlder: older,
          revived,
          creditsBalance,
          oddities,
          dropped,
          estimatedTotal: data.estimated_total,
        };
      });
    },

    async sweepExpiredPage(input: SweepExpiredPageInput): Promise<SweepExpiredPageResult> {
      const store = await deps.store();
      return heartbeating(async (signal) => {
        const { data, creditsBalance, serverTime } = await deps.jobo.expired(
          {
            expired_since: input.expiredSince,
            batch_size: input.batchSize,
            ...(input.cursor ? { cursor: input.cursor } : {}),
          },
          { signal },
        );
        requireCursor(data.has_more, data.next_cursor, 'GET /api/jobs/expired');
        // The upstream says "expired by now", not when: mark with its clock at the time of the answer.
        const expired = await store.markExpired(data.job_ids, serverTime ?? new Date());
        return {
          nextCursor: data.next_cursor,
          hasMore: data.has_more,
          received: data.job_ids.length,
          expired,
          creditsBalance,
        };
      });
    },

    /**
     * After a full pass: whatever the pass did not see is gone upstream. Reads only this pass's seen records
     * (see JobStore), so it is safe to retry and no other writer can widen it.
     */
    async reconcileFullSync(input: { runId: string; at: string }): Promise<{ expired: number }> {
      const store = await deps.store();
      return { expired: await heartbeating(() => store.reconcile(input.runId, new Date(input.at))) };
    },

    async commitFeedCheckpoint(input: { feed: string; checkpoint: FeedCheckpoint }): Promise<void> {
      const store = await deps.store();
      await store.setCheckpoint(checkpointKey(input.feed), JSON.stringify(input.checkpoint));
      // Pass ids are `<feed>/...` and a feed has one pass at a time, so every pass of this feed is over now:
      // this one (reconciled) and any that failed before reconciling.
      await store.forgetPasses(`${input.feed}/`);
    },
  };
}

export type FeedSyncActivities = ReturnType<typeof createFeedSyncActivities>;
