/**
 * feedSync: keeps the job store an exact mirror of the Jobo feed, following reference 004's sync workflow:
 *  1. record this_run_started_at (the upstream's clock) before the first request;
 *  2. no checkpoint → backfill the whole feed; a checkpoint older than the 7-day expired lookback → a full
 *     re-sync that reconciles (store ids the feed no longer has are marked expired); otherwise an incremental
 *     pass with posted_after = last_run_started_at - 15 min, then the expired sweep since last_run_started_at;
 *  3. commit last_run_started_at = this_run_started_at only after both halves succeeded.
 * An invalid cursor drops the cursor and restarts that pagination (bounded). Pages are fetched and written
 * inside activities; the workflow holds only the cursor and counters, and continues-as-new with them.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  ChildWorkflowCancellationType,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FeedSyncActivities } from './activities';
import {
  chooseMode,
  DEFAULT_FEED,
  DEFAULT_MAX_CURSOR_RESTARTS,
  DEFAULT_PAGES_PER_RUN,
  EXPIRED_MAX_BATCH,
  FEED_MAX_BATCH,
  FEED_PAGES_PER_ACTIVITY,
  emptyCounters,
  feedSyncInputProblems,
  feedSyncWorkflowId,
  INCREMENTAL_OVERLAP_MS,
  type FeedSyncInput,
  type FeedSyncProgress,
  type FeedSyncResult,
  type FeedSyncRunState,
} from './input';
import { JoboFailure, NON_RETRYABLE_JOBO_FAILURES } from '../jobo/failureTypes';
import { applicationFailureIn } from '../shared/failures';
import { SA } from '../searchAttributes';
import { FeedSyncFailure, progressQuery } from './messages';

export type { FeedSyncInput, FeedSyncProgress, FeedSyncResult };

/** patched() ids: every change to feedSync's commands since its first release. */
const PASS_ID_PER_RUN = 'feed-pass-id-per-run';
/** syncFeedPage writes up to FEED_PAGES_PER_ACTIVITY pages per activity, pipelined inside the attempt. */
const PAGES_PER_ACTIVITY = 'feed-pages-per-activity';


const { beginFeedSync, syncFeedPage, sweepExpiredPage, reconcileFullSync, commitFeedCheckpoint } =
  proxyActivities<FeedSyncActivities>({
    // One page: a request (the client gives up after 30 s) and one transaction.
    startToCloseTimeout: '2m',
    // Activities heartbeat every 5 s; a killed worker's page is retried elsewhere after this.
    heartbeatTimeout: '15s',
    // Retryable failures (503 with Retry-After as nextRetryDelay, 429, resets, timeouts) retry without limit:
    // the cursor lives in this workflow, so waiting out an outage loses nothing. Typed 4xx stop at once.
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      nonRetryableErrorTypes: [...NON_RETRYABLE_JOBO_FAILURES],
    },
  });

function isInvalidCursor(err: unknown): boolean {
  return err instanceof ActivityFailure && applicationFailureIn(err.cause)?.type === JoboFailure.InvalidCursor;
}

export async function feedSync(input: FeedSyncInput = {}): Promise<FeedSyncResult> {
  const problems = feedSyncInputProblems(input);
  if (problems.length) {
    throw ApplicationFailure.create({
      type: FeedSyncFailure.InvalidInput,
      nonRetryable: true,
      message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      details: [problems],
    });
  }
  const feed = input.feed ?? DEFAULT_FEED;
  const batchSize = input.batchSize ?? FEED_MAX_BATCH;
  const expiredBatchSize = input.expiredBatchSize ?? EXPIRED_MAX_BATCH;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  const maxRestarts = input.maxCursorRestarts ?? DEFAULT_MAX_CURSOR_RESTARTS;

  let state: FeedSyncRunState | undefined = input.resume;
  setHandler(progressQuery, () => ({
    feed,
    mode: state?.mode ?? null,
    phase: state?.phase ?? 'starting',
    ...emptyCounters(),
    ...state?.counters,
    cursorPresent: !!state?.cursor,
    creditsBalance: state?.creditsBalance ?? null,
    thisRunStartedAt: state?.thisRunStartedAt ?? null,
    lastRunStartedAt: state?.lastRunStartedAt ?? null,
  }));

  const publish = (s: FeedSyncRunState) =>
    upsertSearchAttributes([
      { key: SA.kind, value: 'feed-sync' },
      { key: SA.status, value: s.phase },
      { key: SA.feedPages, value: s.counters.pages },
      { key: SA.feedJobsUpserted, value: s.counters.jobsUpserted },
      { key: SA.feedJobsExpired, value: s.counters.expired + s.counters.reconciled },
      ...(s.creditsBalance === null ? [] : [{ key: SA.creditsBalance, value: s.creditsBalance }]),
    ]);

  if (!state) {
    upsertSearchAttributes([
      { key: SA.kind, value: 'feed-sync' },
      { key: SA.status, value: 'starting' },
    ]);
    const { checkpoint, now } = await beginFeedSync({ feed });
    const mode = chooseMode(checkpoint, now);
    const lastRun = checkpoint?.lastRunStartedAt ?? null;
    state = {
      mode,
      phase: 'feed',
      thisRunStartedAt: now,
      lastRunStartedAt: lastRun,
      lastFullSyncStartedAt: checkpoint?.lastFullSyncStartedAt ?? null,
      postedAfter:
        mode === 'incremental' && lastRun
          ? new Date(Date.parse(lastRun) - INCREMENTAL_OVERLAP_MS).toISOString()
          : null,
      cursor: null,
      // The pass id keys the pass's seen records (JobStore.reconcile). With the run id it is unique even when
      // two passes read the same upstream second; histories from before the patch keep the id they used.
      fullSyncRunId:
        mode === 'incremental'
          ? null
          : patched(PASS_ID_PER_RUN)
            ? `${feed}/${now}/${workflowInfo().runId}`
            : `${feed}/${now}`,
      counters: emptyCounters(),
      creditsBalance: null,
    };
    publish(state);
  }
  const s = state;
  let pagesThisRun = 0;

  // Between pages only: the cursor and counters are the whole of what the next run needs.
  const maybeContinueAsNew = async () => {
    if (pagesThisRun >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof feedSync>({ ...input, resume: s });
    }
  };

  /** Invalid cursor: drop it and start this pagination over; never retry the rejected value. */
  const restartPagination = (err: unknown, what: string) => {
    if (!isInvalidCursor(err) || s.cursor === null) throw err;
    dropCursor(what);
  };
  const dropCursor = (what: string) => {
    s.counters.restarts++;
    if (s.counters.restarts > maxRestarts) {
      throw ApplicationFailure.create({
        type: FeedSyncFailure.CursorRestartsExhausted,
        nonRetryable: true,
        message: `${what}: the upstream rejected the cursor ${s.counters.restarts} times (limit ${maxRestarts}); giving up`,
      });
    }
    s.cursor = null;
  };

  if (s.phase === 'feed') {
    for (;;) {
      await maybeContinueAsNew();
      try {
        const page = await syncFeedPage({
          cursor: s.cursor,
          postedAfter: s.postedAfter,
          batchSize,
          runId: s.fullSyncRunId,
          ...(patched(PAGES_PER_ACTIVITY) ? { maxPages: FEED_PAGES_PER_ACTIVITY } : {}),
        });
        pagesThisRun++;
        s.counters.pages += page.pages ?? 1;
        s.counters.pagesUsed = (s.counters.pagesUsed ?? 0) + (page.pages ?? 1);
        s.counters.pagesFetched = (s.counters.pagesFetched ?? 0) + (page.pagesFetched ?? 1);
        s.counters.jobsReceived += page.received;
        s.counters.jobsUpserted += page.upserted;
        s.counters.skipped += page.skipped;
        s.counters.skippedOlder = (s.counters.skippedOlder ?? 0) + (page.skippedOlder ?? 0);
        s.counters.revived = (s.counters.revived ?? 0) + (page.revived ?? 0);
        // Bookkeeping only (no commands): tolerated oddities and the scan's estimated size for progress.
        const odd = (s.counters.oddities ??= {});
        for (const [field, n] of Object.entries(page.oddities ?? {})) odd[field] = (odd[field] ?? 0) + n;
        s.counters.dropped = (s.counters.dropped ?? 0) + (page.dropped ?? 0);
        if (s.cursor === null && page.estimatedTotal != null) s.counters.estimatedTotal = page.estimatedTotal;
        s.creditsBalance = page.creditsBalance ?? s.creditsBalance;
        s.cursor = page.hasMore ? page.nextCursor : null;
        if (page.cursorRejected) dropCursor('feed');
        else if (!page.hasMore) s.phase = s.mode === 'incremental' ? 'sweep' : 'reconcile';
      } catch (err) {
        restartPagination(err, 'feed');
      }
      publish(s);
      if (s.phase !== 'feed') break;
    }
  }

  if (s.phase === 'sweep') {
    for (;;) {
      await maybeContinueAsNew();
      try {
        const page = await sweepExpiredPage({
          cursor: s.cursor,
          expiredSince: s.lastRunStartedAt!,
          batchSize: expiredBatchSize,
        });
        pagesThisRun++;
        s.counters.expiredPages++;
        s.counters.expired += page.expired;
        s.creditsBalance = page.creditsBalance ?? s.creditsBalance;
        s.cursor = page.hasMore ? page.nextCursor : null;
        if (!page.hasMore) s.phase = 'commit';
      } catch (err) {
        restartPagination(err, 'expired sweep');
      }
      publish(s);
      if (s.phase !== 'sweep') break;
    }
  }

  if (s.phase === 'reconcile') {
    const { expired } = await reconcileFullSync({ runId: s.fullSyncRunId!, at: s.thisRunStartedAt });
    s.counters.reconciled = expired;
    s.phase = 'commit';
    publish(s);
  }

  // Both halves succeeded: only now does the next run start from this one.
  await commitFeedCheckpoint({
    feed,
    checkpoint: {
      lastRunStartedAt: s.thisRunStartedAt,
      lastFullSyncStartedAt: s.mode === 'incremental' ? s.lastFullSyncStartedAt : s.thisRunStartedAt,
    },
  });
  s.phase = 'done';
  publish(s);
  log.info('feed sync done', { feed, mode: s.mode, ...s.counters });
  return { feed, mode: s.mode, thisRunStartedAt: s.thisRunStartedAt, creditsBalance: s.creditsBalance, ...s.counters };
}

export interface FeedSyncTickResult {
  feed: string;
  /** false: a pass of this feed was already running (one-off or scheduled), so this tick started none. */
  started: boolean;
  result: FeedSyncResult | null;
}

/**
 * The schedule's action. A schedule gives each run it starts a fresh workflow id (`<id>-<timestamp>`), so
 * overlap SKIP alone cannot keep it apart from a one-off `feed-sync/<feed>`; two full passes at once would
 * each reconcile from half the stamps. The tick therefore starts the pass itself as a child under the one
 * per-feed id every starter uses (the CLI and client attach to it with USE_EXISTING): if a pass is already
 * running under that id, the start is refused and the tick ends without one. One pass per feed holds by
 * construction, whoever starts it, with no lock to lease or lose. Deterministic: Temporal commands only.
 */
export async function feedSyncTick(input: FeedSyncInput = {}): Promise<FeedSyncTickResult> {
  const feed = input.feed ?? DEFAULT_FEED;
  try {
    const result = await executeChild(feedSync, {
      workflowId: feedSyncWorkflowId(feed),
      args: [input],
      // The pass outlives its tick (a terminated or reset schedule run must not cut a backfill short).
      parentClosePolicy: ParentClosePolicy.ABANDON,
      cancellationType: ChildWorkflowCancellationType.ABANDON,
      typedSearchAttributes: [{ key: SA.kind, value: 'feed-sync' }],
    });
    return { feed, started: true, result };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info('a pass of this feed is already running; this tick starts none', { feed });
    return { feed, started: false, result: null };
  }
}
