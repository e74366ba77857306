/**
 * feedSync: keeps the job store an exact mirror of the Jobo feed, following reference 004's sync workflow:
 *  1. record this_run_started_at (the upstream's clock) before the first request;
 *  2. no checkpoint → backfill the whole feed; a checkpoint older than the 7-day expired lookback → a full
 *     re-sync that reconciles (store ids the feed no longer has are marked expired); otherwise an incremental
 *     pass with posted_after = last_run_started_at - 15 min, then the expired sweep since last_run_started_at;
 *  3. commit last_run_started_at = this_run_started_at only after both halves succeeded.
 * An invalid cursor drops the cursor and restarts that pagination (bounded). Pages are fetched and written
 * inside activities; the workflow holds only the cursor and counters, and continues-as-new with them. The
 * logic is FeedSyncRun's (run.ts); this file wires it to Temporal.
 */
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { FeedSyncActivities } from './activities';
import { DEFAULT_FEED, feedSyncInputProblems, feedSyncWorkflowId, type FeedSyncInput, type FeedSyncRunState } from './input';
import { FeedSyncRun, type FeedSyncPorts } from './run';
import { NON_RETRYABLE_JOBO_FAILURES } from '../jobo/failureTypes';
import { SA } from '../searchAttributes';
import { FeedSyncFailure, progressQuery, type FeedSyncResult, type FeedSyncTickResult } from './messages';

// One page: a request (the client gives up after 30 s) and one transaction. Activities heartbeat every 5 s;
// a killed worker's page is retried elsewhere after 15 s. Retryable failures (503 with Retry-After as
// nextRetryDelay, 429, resets, timeouts) retry without limit: the cursor lives in this workflow, so waiting
// out an outage loses nothing. The typed 4xx refusals stop at once (an invalid cursor restarts pagination).
const feedPage = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_JOBO_FAILURES], // JoboBadRequest, JoboInvalidCursor, JoboNotFound, ...
  },
} satisfies ActivityOptions;

const { beginFeedSync, syncFeedPage, sweepExpiredPage, reconcileFullSync, commitFeedCheckpoint } =
  proxyActivities<FeedSyncActivities>(feedPage);

function publish(s: FeedSyncRunState | null): void {
  if (!s) {
    upsertSearchAttributes([
      { key: SA.kind, value: 'feed-sync' },
      { key: SA.status, value: 'starting' },
    ]);
    return;
  }
  upsertSearchAttributes([
    { key: SA.kind, value: 'feed-sync' },
    { key: SA.status, value: s.phase },
    { key: SA.feedPages, value: s.counters.pages },
    { key: SA.feedJobsUpserted, value: s.counters.jobsUpserted },
    { key: SA.feedJobsExpired, value: s.counters.expired + s.counters.reconciled },
    ...(s.creditsBalance === null ? [] : [{ key: SA.creditsBalance, value: s.creditsBalance }]),
  ]);
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
  const ports: FeedSyncPorts = {
    activities: { beginFeedSync, syncFeedPage, sweepExpiredPage, reconcileFullSync, commitFeedCheckpoint },
    runId: workflowInfo().runId,
    publish,
    patched,
    continueAsNewSuggested: () => workflowInfo().continueAsNewSuggested,
    continueAsNew: async (resume) => {
      // The query is the only handler, and synchronous; waiting costs no command.
      await condition(allHandlersFinished);
      return continueAsNew<typeof feedSync>({ ...input, resume });
    },
    info: (message, attrs) => log.info(message, attrs),
  };
  const run = new FeedSyncRun(input, ports);
  setHandler(progressQuery, () => run.progress());
  return run.run();
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
