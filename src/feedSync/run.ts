/**
 * FeedSyncRun: one feedSync workflow run's logic (reference 004's sync workflow), apart from Temporal. The
 * workflow hands it its effects as ports (activities, search attributes, patched, continueAsNew), so the
 * decisions (mode, watermark, pass id, counters, cursor restarts, phase order) run in unit tests without a
 * server; the command sequence is the workflow's as it was before the split.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { JoboFailure } from '../jobo/failureTypes';
import { applicationFailureIn } from '../shared/failures';
import type { FeedSyncActivities, SweepExpiredPageResult, SyncFeedPageResult } from './activities';
import {
  chooseMode,
  DEFAULT_FEED,
  DEFAULT_MAX_CURSOR_RESTARTS,
  DEFAULT_PAGES_PER_RUN,
  EXPIRED_MAX_BATCH,
  FEED_MAX_BATCH,
  FEED_PAGES_PER_ACTIVITY,
  emptyCounters,
  INCREMENTAL_OVERLAP_MS,
  type FeedCheckpoint,
  type FeedSyncInput,
  type FeedSyncRunState,
} from './input';
import { FeedSyncFailure, type FeedSyncProgress, type FeedSyncResult } from './messages';

/** patched() ids: every change to feedSync's commands since its first release. */
export const PASS_ID_PER_RUN = 'feed-pass-id-per-run';
/** syncFeedPage writes up to FEED_PAGES_PER_ACTIVITY pages per activity, pipelined inside the attempt. */
export const PAGES_PER_ACTIVITY = 'feed-pages-per-activity';

export interface FeedSyncPorts {
  readonly activities: Pick<
    FeedSyncActivities,
    'beginFeedSync' | 'syncFeedPage' | 'sweepExpiredPage' | 'reconcileFullSync' | 'commitFeedCheckpoint'
  >;
  readonly runId: string;
  /** Search attributes: `null` while starting (before the checkpoint is read). */
  publish(state: FeedSyncRunState | null): void;
  patched(id: string): boolean;
  continueAsNewSuggested(): boolean;
  /** Never returns: the next run starts from `resume`. */
  continueAsNew(resume: FeedSyncRunState): Promise<never>;
  info(message: string, attrs: Record<string, unknown>): void;
}

export function isInvalidCursor(err: unknown): boolean {
  return err instanceof ActivityFailure && applicationFailureIn(err.cause)?.type === JoboFailure.InvalidCursor;
}

/** The run's state from its checkpoint and the upstream's clock: mode, watermark and pass id. */
export function firstState(feed: string, checkpoint: FeedCheckpoint | null, now: string, passId: () => string): FeedSyncRunState {
  const mode = chooseMode(checkpoint, now);
  const lastRun = checkpoint?.lastRunStartedAt ?? null;
  return {
    mode,
    phase: 'feed',
    thisRunStartedAt: now,
    lastRunStartedAt: lastRun,
    lastFullSyncStartedAt: checkpoint?.lastFullSyncStartedAt ?? null,
    postedAfter: mode === 'incremental' && lastRun ? new Date(Date.parse(lastRun) - INCREMENTAL_OVERLAP_MS).toISOString() : null,
    cursor: null,
    // Only a full pass keys seen records (JobStore.reconcile); passId is not asked for otherwise.
    fullSyncRunId: mode === 'incremental' ? null : passId(),
    counters: emptyCounters(),
    creditsBalance: null,
  };
}

/** Adds one syncFeedPage result to the counters and moves the cursor (results before multi-page count 1). */
export function addFeedPage(s: FeedSyncRunState, page: SyncFeedPageResult): void {
  const c = s.counters;
  c.pages += page.pages ?? 1;
  c.pagesUsed = (c.pagesUsed ?? 0) + (page.pages ?? 1);
  c.pagesFetched = (c.pagesFetched ?? 0) + (page.pagesFetched ?? 1);
  c.jobsReceived += page.received;
  c.jobsUpserted += page.upserted;
  c.skipped += page.skipped;
  c.skippedOlder = (c.skippedOlder ?? 0) + (page.skippedOlder ?? 0);
  c.revived = (c.revived ?? 0) + (page.revived ?? 0);
  // Bookkeeping only (no commands): tolerated oddities and the scan's estimated size for progress.
  const odd = (c.oddities ??= {});
  for (const [field, n] of Object.entries(page.oddities ?? {})) odd[field] = (odd[field] ?? 0) + n;
  c.dropped = (c.dropped ?? 0) + (page.dropped ?? 0);
  if (s.cursor === null && page.estimatedTotal != null) c.estimatedTotal = page.estimatedTotal;
  s.creditsBalance = page.creditsBalance ?? s.creditsBalance;
  s.cursor = page.hasMore ? page.nextCursor : null;
}

export function addSweepPage(s: FeedSyncRunState, page: SweepExpiredPageResult): void {
  s.counters.expiredPages++;
  s.counters.expired += page.expired;
  s.creditsBalance = page.creditsBalance ?? s.creditsBalance;
  s.cursor = page.hasMore ? page.nextCursor : null;
  if (!page.hasMore) s.phase = 'commit';
}

export class FeedSyncRun {
  readonly feed: string;
  private readonly batchSize: number;
  private readonly expiredBatchSize: number;
  private readonly pagesPerRun: number;
  private readonly maxRestarts: number;
  private state: FeedSyncRunState | undefined;
  private pagesThisRun = 0;

  constructor(
    private readonly input: FeedSyncInput,
    private readonly ports: FeedSyncPorts,
  ) {
    this.feed = input.feed ?? DEFAULT_FEED;
    this.batchSize = input.batchSize ?? FEED_MAX_BATCH;
    this.expiredBatchSize = input.expiredBatchSize ?? EXPIRED_MAX_BATCH;
    this.pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
    this.maxRestarts = input.maxCursorRestarts ?? DEFAULT_MAX_CURSOR_RESTARTS;
    this.state = input.resume;
  }

  progress(): FeedSyncProgress {
    const s = this.state;
    return {
      feed: this.feed,
      mode: s?.mode ?? null,
      phase: s?.phase ?? 'starting',
      ...emptyCounters(),
      ...s?.counters,
      cursorPresent: !!s?.cursor,
      creditsBalance: s?.creditsBalance ?? null,
      thisRunStartedAt: s?.thisRunStartedAt ?? null,
      lastRunStartedAt: s?.lastRunStartedAt ?? null,
    };
  }

  async run(): Promise<FeedSyncResult> {
    const s = this.state ?? (await this.begin());
    if (s.phase === 'feed') await this.feedPass(s);
    if (s.phase === 'sweep') await this.sweep(s);
    if (s.phase === 'reconcile') {
      const { expired } = await this.ports.activities.reconcileFullSync({ runId: s.fullSyncRunId!, at: s.thisRunStartedAt });
      s.counters.reconciled = expired;
      s.phase = 'commit';
      this.ports.publish(s);
    }
    // Both halves succeeded: only now does the next run start from this one.
    await this.ports.activities.commitFeedCheckpoint({
      feed: this.feed,
      checkpoint: {
        lastRunStartedAt: s.thisRunStartedAt,
        lastFullSyncStartedAt: s.mode === 'incremental' ? s.lastFullSyncStartedAt : s.thisRunStartedAt,
      },
    });
    s.phase = 'done';
    this.ports.publish(s);
    this.ports.info('feed sync done', { feed: this.feed, mode: s.mode, ...s.counters });
    return { feed: this.feed, mode: s.mode, thisRunStartedAt: s.thisRunStartedAt, creditsBalance: s.creditsBalance, ...s.counters };
  }

  private async begin(): Promise<FeedSyncRunState> {
    this.ports.publish(null);
    const { checkpoint, now } = await this.ports.activities.beginFeedSync({ feed: this.feed });
    // With the run id the pass id is unique even when two passes read the same upstream second; histories
    // from before the patch keep the id they used.
    const passId = () => (this.ports.patched(PASS_ID_PER_RUN) ? `${this.feed}/${now}/${this.ports.runId}` : `${this.feed}/${now}`);
    const s = firstState(this.feed, checkpoint, now, passId);
    this.state = s;
    this.ports.publish(s);
    return s;
  }

  private async feedPass(s: FeedSyncRunState): Promise<void> {
    do {
      await this.maybeContinueAsNew(s);
      try {
        const page = await this.ports.activities.syncFeedPage({
          cursor: s.cursor,
          postedAfter: s.postedAfter,
          batchSize: this.batchSize,
          runId: s.fullSyncRunId,
          ...(this.ports.patched(PAGES_PER_ACTIVITY) ? { maxPages: FEED_PAGES_PER_ACTIVITY } : {}),
        });
        this.pagesThisRun++;
        addFeedPage(s, page);
        if (page.cursorRejected) this.dropCursor(s, 'feed');
        else if (!page.hasMore) s.phase = s.mode === 'incremental' ? 'sweep' : 'reconcile';
      } catch (err) {
        this.restartPagination(s, err, 'feed');
      }
      this.ports.publish(s);
    } while (s.phase === 'feed');
  }

  private async sweep(s: FeedSyncRunState): Promise<void> {
    do {
      await this.maybeContinueAsNew(s);
      try {
        const page = await this.ports.activities.sweepExpiredPage({
          cursor: s.cursor,
          expiredSince: s.lastRunStartedAt!,
          batchSize: this.expiredBatchSize,
        });
        this.pagesThisRun++;
        addSweepPage(s, page);
      } catch (err) {
        this.restartPagination(s, err, 'expired sweep');
      }
      this.ports.publish(s);
    } while (s.phase === 'sweep');
  }

  // Between pages only: the cursor and counters are the whole of what the next run needs.
  private async maybeContinueAsNew(s: FeedSyncRunState): Promise<void> {
    if (this.pagesThisRun >= this.pagesPerRun || this.ports.continueAsNewSuggested()) await this.ports.continueAsNew(s);
  }

  /** Invalid cursor: drop it and start this pagination over; never retry the rejected value. */
  private restartPagination(s: FeedSyncRunState, err: unknown, what: string): void {
    if (!isInvalidCursor(err) || s.cursor === null) throw err;
    this.dropCursor(s, what);
  }

  private dropCursor(s: FeedSyncRunState, what: string): void {
    s.counters.restarts++;
    if (s.counters.restarts > this.maxRestarts) {
      throw ApplicationFailure.create({
        type: FeedSyncFailure.CursorRestartsExhausted,
        nonRetryable: true,
        message: `${what}: the upstream rejected the cursor ${s.counters.restarts} times (limit ${this.maxRestarts}); giving up`,
      });
    }
    s.cursor = null;
  }
}
