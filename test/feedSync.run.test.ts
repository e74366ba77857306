/**
 * FeedSyncRun's decisions without a server (reference 004's sync workflow): which pass a checkpoint gives,
 * the incremental watermark, the pass id, the phase order, invalid-cursor restarts and their bound, and the
 * state carried across continue-as-new. The activities are a scripted fake that logs what it was asked.
 */
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { SweepExpiredPageResult, SyncFeedPageResult } from '../src/feedSync/activities';
import { EXPIRED_LOOKBACK_MS, FEED_PAGES_PER_ACTIVITY, type FeedCheckpoint, type FeedSyncRunState } from '../src/feedSync/input';
import { FeedSyncRun, PAGES_PER_ACTIVITY, PASS_ID_PER_RUN, type FeedSyncPorts } from '../src/feedSync/run';

const NOW = '2026-12-01T12:00:00.000Z';
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

const feedPage = (next: string | null, extra: Partial<SyncFeedPageResult> = {}): SyncFeedPageResult => ({
  nextCursor: next,
  hasMore: next !== null,
  received: 10,
  upserted: 8,
  skipped: 2,
  skippedOlder: 1,
  revived: 0,
  creditsBalance: 500,
  pages: 2,
  pagesFetched: 2,
  ...extra,
});
const sweepPage = (next: string | null, expired = 3): SweepExpiredPageResult => ({
  nextCursor: next,
  hasMore: next !== null,
  received: expired,
  expired,
  creditsBalance: 499,
});
const invalidCursor = () =>
  new ActivityFailure(
    'failed',
    'syncFeedPage',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    ApplicationFailure.create({ type: 'JoboInvalidCursor', message: 'invalid cursor', nonRetryable: true }),
  );

class ContinuedAsNew extends Error {
  constructor(readonly resume: FeedSyncRunState) {
    super('continued as new');
  }
}

interface Script {
  checkpoint?: FeedCheckpoint | null;
  feed?: (cursor: string | null, n: number) => SyncFeedPageResult | Error;
  sweep?: (cursor: string | null, n: number) => SweepExpiredPageResult | Error;
  patched?: (id: string) => boolean;
}

function harness(script: Script = {}) {
  const log: string[] = [];
  const phases: string[] = [];
  let feeds = 0;
  let sweeps = 0;
  let committed: FeedCheckpoint | undefined;
  const orThrow = <T>(v: T | Error): T => {
    if (v instanceof Error) throw v;
    return v;
  };
  const ports: FeedSyncPorts = {
    runId: 'run-1',
    activities: {
      async beginFeedSync() {
        log.push('begin');
        return { checkpoint: script.checkpoint ?? null, now: NOW };
      },
      async syncFeedPage(req) {
        log.push(`feed ${req.cursor ?? '-'} after=${req.postedAfter ?? '-'} pass=${req.runId ?? '-'} max=${req.maxPages ?? '-'}`);
        return orThrow((script.feed ?? ((c) => feedPage(c === null ? 'c1' : null)))(req.cursor, ++feeds));
      },
      async sweepExpiredPage(req) {
        log.push(`sweep ${req.cursor ?? '-'} since=${req.expiredSince}`);
        return orThrow((script.sweep ?? ((c) => sweepPage(c === null ? 'e1' : null)))(req.cursor, ++sweeps));
      },
      async reconcileFullSync(req) {
        log.push(`reconcile ${req.runId} at=${req.at}`);
        return { expired: 4 };
      },
      async commitFeedCheckpoint(req) {
        log.push('commit');
        committed = req.checkpoint;
      },
    },
    publish: (s) => void phases.push(s ? s.phase : 'starting'),
    patched: script.patched ?? (() => true),
    continueAsNewSuggested: () => false,
    continueAsNew: async (resume) => {
      throw new ContinuedAsNew(structuredClone(resume));
    },
    info: () => undefined,
  };
  return { ports, log, phases, committed: () => committed };
}

test('no checkpoint: a backfill pages the feed as one pass, reconciles, then commits; progress follows', async () => {
  const h = harness();
  const run = new FeedSyncRun({ feed: 'jobs' }, h.ports);
  expect(run.progress()).toMatchObject({ feed: 'jobs', phase: 'starting', mode: null, pages: 0, cursorPresent: false });
  const result = await run.run();
  expect(h.log).toEqual([
    'begin',
    `feed - after=- pass=jobs/${NOW}/run-1 max=${FEED_PAGES_PER_ACTIVITY}`,
    `feed c1 after=- pass=jobs/${NOW}/run-1 max=${FEED_PAGES_PER_ACTIVITY}`,
    `reconcile jobs/${NOW}/run-1 at=${NOW}`,
    'commit',
  ]);
  expect(h.phases).toEqual(['starting', 'feed', 'feed', 'reconcile', 'commit', 'done']);
  expect(h.committed()).toEqual({ lastRunStartedAt: NOW, lastFullSyncStartedAt: NOW });
  expect(result).toMatchObject({
    mode: 'backfill',
    pages: 4,
    pagesUsed: 4,
    pagesFetched: 4,
    jobsUpserted: 16,
    skipped: 4,
    skippedOlder: 2,
    reconciled: 4,
    creditsBalance: 500,
  });
  expect(run.progress()).toMatchObject({ phase: 'done', pages: 4, thisRunStartedAt: NOW });
});

test('runs from before the patches keep their pass id and one page per activity', async () => {
  const h = harness({
    patched: (id) => id !== PASS_ID_PER_RUN && id !== PAGES_PER_ACTIVITY,
    // Results recorded before multi-page activities carry no `pages`: each counts one.
    feed: (c) => feedPage(c === null ? 'c1' : null, { pages: undefined, pagesFetched: undefined }),
  });
  const result = await new FeedSyncRun({ feed: 'jobs' }, h.ports).run();
  expect(h.log[1]).toBe(`feed - after=- pass=jobs/${NOW} max=-`);
  expect(result).toMatchObject({ pages: 2, pagesUsed: 2, pagesFetched: 2 });
});

test('a recent checkpoint: an incremental pass from 15 minutes before the last run, then the expired sweep since it', async () => {
  const last = ago(2 * HOUR);
  const h = harness({ checkpoint: { lastRunStartedAt: last, lastFullSyncStartedAt: ago(48 * HOUR) } });
  const result = await new FeedSyncRun({ feed: 'jobs' }, h.ports).run();
  const after = ago(2 * HOUR + 15 * 60_000);
  expect(h.log).toEqual([
    'begin',
    `feed - after=${after} pass=- max=${FEED_PAGES_PER_ACTIVITY}`,
    `feed c1 after=${after} pass=- max=${FEED_PAGES_PER_ACTIVITY}`,
    `sweep - since=${last}`,
    `sweep e1 since=${last}`,
    'commit',
  ]);
  expect(h.committed()).toEqual({ lastRunStartedAt: NOW, lastFullSyncStartedAt: ago(48 * HOUR) });
  expect(result).toMatchObject({ mode: 'incremental', expiredPages: 2, expired: 6, reconciled: 0, creditsBalance: 499 });
});

test('a checkpoint near the 7-day lookback: a full re-sync with reconcile instead of a sweep', async () => {
  const h = harness({ checkpoint: { lastRunStartedAt: ago(EXPIRED_LOOKBACK_MS - 30 * 60_000), lastFullSyncStartedAt: null } });
  const result = await new FeedSyncRun({ feed: 'jobs' }, h.ports).run();
  expect(result.mode).toBe('full-resync');
  expect(h.log.filter((l) => l.startsWith('sweep'))).toEqual([]);
  expect(h.log).toContain(`reconcile jobs/${NOW}/run-1 at=${NOW}`);
});

test('an invalid cursor restarts that pagination from the start, within the bound', async () => {
  const h = harness({ feed: (c, n) => (n === 2 ? invalidCursor() : feedPage(c === null ? 'c1' : null)) });
  const result = await new FeedSyncRun({ feed: 'jobs' }, h.ports).run();
  expect(h.log.filter((l) => l.startsWith('feed')).map((l) => l.split(' ')[1])).toEqual(['-', 'c1', '-', 'c1']);
  expect(result.restarts).toBe(1);

  // Reported by the activity after it wrote its pages (cursorRejected): the same restart, no throw.
  const reported = harness({ feed: (c, n) => (n === 1 ? feedPage('c1', { cursorRejected: true }) : feedPage(null)) });
  expect((await new FeedSyncRun({ feed: 'jobs' }, reported.ports).run()).restarts).toBe(1);
});

test('restarts are bounded, and an invalid cursor on a first page is not a restart', async () => {
  const always = harness({ feed: (c) => (c === null ? feedPage('c1') : invalidCursor()) });
  const err = await new FeedSyncRun({ feed: 'jobs', maxCursorRestarts: 2 }, always.ports).run().catch((e: unknown) => e);
  expect(err).toMatchObject({ type: 'FeedCursorRestartsExhausted', nonRetryable: true });
  expect(always.log).not.toContain('commit');

  const first = harness({ feed: () => invalidCursor() });
  expect(await new FeedSyncRun({ feed: 'jobs' }, first.ports).run().catch((e: unknown) => e)).toBeInstanceOf(ActivityFailure);
});

test('continue-as-new between pages carries cursor and counters; the next run goes on without a new begin', async () => {
  const pages = (c: string | null) => feedPage(c === null ? 'c1' : c === 'c1' ? 'c2' : null);
  const h = harness({ feed: pages });
  const cut = await new FeedSyncRun({ feed: 'jobs', pagesPerRun: 2 }, h.ports).run().catch((e: unknown) => e);
  expect(cut).toBeInstanceOf(ContinuedAsNew);
  const resume = (cut as ContinuedAsNew).resume;
  expect(resume).toMatchObject({ phase: 'feed', cursor: 'c2', counters: { pages: 4 }, fullSyncRunId: `jobs/${NOW}/run-1` });

  const next = harness({ feed: pages });
  const result = await new FeedSyncRun({ feed: 'jobs', pagesPerRun: 2, resume }, next.ports).run();
  expect(next.log[0]).toBe(`feed c2 after=- pass=jobs/${NOW}/run-1 max=${FEED_PAGES_PER_ACTIVITY}`);
  expect(next.log).not.toContain('begin');
  expect(result).toMatchObject({ pages: 6, thisRunStartedAt: NOW });
});
