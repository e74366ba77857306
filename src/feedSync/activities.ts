/**
 * Feed sync I/O. Each page is fetched and written inside one activity, so job payloads never enter workflow
 * history: the workflow only sees cursors and counts. Upstream failures propagate as the client's typed
 * ApplicationFailures (503 carries Retry-After as nextRetryDelay; an invalid cursor is non-retryable and the
 * workflow restarts pagination). Every activity is idempotent: a retried page re-fetches the same cursor and
 * its upserts skip what is already stored.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { checkpointKey, FEED_ACTIVITY_BUDGET_MS, type FeedCheckpoint } from './input';
import { feedRequestBody } from './pager';
import type { FeedPage, JoboClient, ReceivedFeedPage } from '../jobo/client';
import { JoboFailure } from '../jobo/failureTypes';
import type { JobStore, UpsertResult } from '../store/types';

export interface FeedSyncActivityDeps {
  jobo: Pick<JoboClient, 'feedReceived' | 'expired'>;
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
  /** Pages this attempt may write, pipelined (default 1: histories from before FEED_PAGES_PER_ACTIVITY). */
  maxPages?: number;
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
  /** Pages written (absent from results recorded before multi-page activities: one). */
  pages?: number;
  /** Pages the upstream answered for this activity, its failed or dead attempts' read-ahead included. */
  pagesFetched?: number;
  /** The upstream rejected nextCursor (400 invalid cursor) after this activity wrote its pages. */
  cursorRejected?: boolean;
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

/** Page writes a syncFeedPage attempt hands to the store before it waits for the oldest (a page is ~10 MB in memory). */
const WRITES_IN_FLIGHT = 2;

/**
 * Heartbeats while `fn` runs (a slow page or a long write must not look like a dead worker) and hands it
 * the activity's cancellation signal, so a cancelled or timed-out attempt aborts its HTTP request.
 */
async function heartbeating<T>(fn: (signal: AbortSignal) => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  // Every heartbeat carries the details (one without them would erase a position a retry resumes from).
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), HEARTBEAT_EVERY_MS);
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

interface PageRequest {
  cursor: string | null;
  received: Promise<ReceivedFeedPage>;
  left: Promise<void>;
  abort(): void;
}

const noop = () => undefined;

export function createFeedSyncActivities(deps: FeedSyncActivityDeps) {
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

    /**
     * Writes up to `maxPages` feed pages (default 1) and returns the cursor after the last one. Fetching and
     * writing are two pipelines: when a page's body arrives the request for the next cursor goes out at once
     * (the cursor read from the body's tail, confirmed once the page is parsed; see jobo/feedTail), and
     * the page's write is handed to the store without waiting for it, up to WRITES_IN_FLIGHT pages ahead
     * (a store that writes on its own thread or server then works while the next page is fetched and
     * parsed). Results are taken in page order: the position only moves past a page once it and every page
     * before it are written, and the attempt heartbeats it then, so a retry (the worker died) resumes
     * there. The read-ahead lives inside one attempt and is always used by it, so no worker fetches a page
     * another worker will fetch again. A fetch failure after at least one written page ends the attempt with
     * what it wrote; the next activity meets that failure itself, with the usual retries. A write failure
     * fails the attempt at the last page written before it (pages written after it are written again, and
     * skipped as unchanged, by the retry).
     */
    async syncFeedPage(input: SyncFeedPageInput): Promise<SyncFeedPageResult> {
      const store = await deps.store();
      const ctx = Context.current();
      const maxPages = input.maxPages ?? 1;
      const started = Date.now();
      const resumed = ctx.info.heartbeatDetails as SyncFeedPageResult | undefined;
      const acc: SyncFeedPageResult = resumed?.pages
        ? { ...resumed, oddities: { ...resumed.oddities } }
        : {
            nextCursor: input.cursor,
            hasMore: true,
            received: 0,
            upserted: 0,
            skipped: 0,
            skippedOlder: 0,
            revived: 0,
            creditsBalance: null,
            oddities: {},
            dropped: 0,
            estimatedTotal: null,
            pages: 0,
            pagesFetched: 0,
          };
      /**
       * One page's request. `left` settles once it has gone out (or failed), so the caller can parse the page
       * before it while this one is served; `abort` drops it alone (a guess that proved wrong).
       */
      const request = (cursor: string | null, signal: AbortSignal): PageRequest => {
        const own = new AbortController();
        let sent!: () => void;
        const left = new Promise<void>((resolve) => (sent = resolve));
        const received = deps.jobo
          .feedReceived(feedRequestBody({ cursor, updatedAfter: input.postedAfter, batchSize: input.batchSize }), {
            signal: AbortSignal.any([signal, own.signal]),
            onSent: sent,
          })
          .then((page) => {
            acc.pagesFetched = (acc.pagesFetched ?? 0) + 1;
            return page;
          });
        received.catch(() => undefined); // handled where awaited
        return {
          cursor,
          received,
          left: Promise.race([left, received.then(noop, noop)]),
          abort: () => own.abort(new Error('feed page request superseded')),
        };
      };
      /** A page's write and, once it and every earlier one are written, its place in the result. */
      const written = (page: FeedPage, first: boolean, result: UpsertResult) => {
        const { data, creditsBalance, oddities, dropped } = page;
        for (const [field, jobs] of Object.entries(oddities)) {
          acc.oddities![field] = (acc.oddities![field] ?? 0) + jobs;
          if (oddFieldsLogged.has(field)) continue;
          oddFieldsLogged.add(field);
          log.warn('feed job field not readable; stored with its fallback', { field, jobsOnThisPage: jobs });
        }
        const { upserted, skipped, older, revived } = result;
        // Late or lagging copies are expected now and then (overlap window, replicas); many would be news.
        if (older > 0 || revived > 0) log.info('feed page: older copies kept out, expired jobs revived', { older, revived });
        if (first && !resumed?.pages) acc.estimatedTotal = data.estimated_total;
        acc.pages = (acc.pages ?? 0) + 1;
        acc.nextCursor = data.next_cursor;
        acc.hasMore = data.has_more;
        acc.received += data.jobs.length + dropped;
        acc.upserted += upserted;
        acc.skipped += skipped;
        acc.skippedOlder += older;
        acc.revived += revived;
        acc.dropped = (acc.dropped ?? 0) + dropped;
        acc.creditsBalance = creditsBalance ?? acc.creditsBalance;
        ctx.heartbeat(acc);
      };
      return heartbeating(
        async (signal) => {
          // Page writes handed to the store: `chain` settles (never rejects) once every one so far is
          // accounted for in page order; `queued` holds each page's place in it, oldest first.
          let chain: Promise<void> = Promise.resolve();
          const queued: Promise<void>[] = [];
          let failure: { err: unknown } | null = null;
          const settled = async () => {
            await chain;
            if (failure) throw failure.err;
          };
          let fetched = 0;
          let next: PageRequest | null = request(acc.nextCursor, signal);
          while (next) {
            const current: PageRequest = next;
            next = null;
            let ahead: PageRequest | null = null;
            let more = false;
            let page: FeedPage;
            try {
              const received = await current.received;
              more = (acc.pages ?? 0) + queued.length + 1 < maxPages && Date.now() - started < FEED_ACTIVITY_BUDGET_MS;
              // The next cursor, read from the body's tail, lets the next request be served while this page is
              // parsed; the parsed page confirms it below.
              const guess = received.continuation;
              if (more && guess?.hasMore && guess.nextCursor) {
                ahead = request(guess.nextCursor, signal);
                await ahead.left;
                await new Promise((resolve) => setImmediate(resolve)); // let it reach the socket before the parse
              }
              page = received.read();
              requireCursor(page.data.has_more, page.data.next_cursor, 'POST /api/jobs/feed');
            } catch (err) {
              ahead?.abort();
              await settled();
              if (!acc.pages) throw err;
              // The rejected cursor is reported, not sent again: the workflow restarts pagination at once.
              if (err instanceof ApplicationFailure && err.type === JoboFailure.InvalidCursor) return { ...acc, cursorRejected: true };
              if (err instanceof ApplicationFailure && err.nonRetryable) throw err;
              log.info('feed page failed after pages were written; returning those', { pages: acc.pages });
              return acc;
            }
            const first = ++fetched === 1;
            const { data } = page;
            if (more && data.has_more) {
              if (ahead?.cursor === data.next_cursor) {
                next = ahead;
              } else {
                if (ahead) log.warn('feed page tail named another cursor than its parsed body; asking again');
                ahead?.abort();
                next = request(data.next_cursor, signal);
              }
            } else {
              ahead?.abort();
            }
            const write = store.upsertJobs(data.jobs, { seenInRun: input.runId ?? undefined });
            write.catch(() => undefined); // taken in page order below
            chain = chain.then(async () => {
              try {
                const result = await write;
                // After a failed page nothing later counts: the position stays before the failure.
                if (!failure) written(page, first, result);
              } catch (err) {
                failure ??= { err };
              }
            });
            queued.push(chain);
            if (queued.length >= WRITES_IN_FLIGHT) await queued.shift();
            if (failure) {
              next?.abort();
              await settled();
            }
          }
          await settled();
          return acc;
        },
        () => acc,
      );
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
