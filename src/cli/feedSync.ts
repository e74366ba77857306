/**
 * `applyflow feed-sync schedule|run|status` (alias `feed`): the recurring feed sync schedule, a one-off sync that waits and prints
 * progress, and what is going on now (schedule, running syncs, the stored checkpoint).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import {
  checkFeedSchedule,
  checkFeedSyncInput,
  describeFeedSchedule,
  FeedSyncInputError,
  feedSyncProgress,
  runningFeedSyncs,
  startOrAttachFeedSync,
  upsertFeedSchedule,
} from '../feedSync/client';
import { checkpointKey, DEFAULT_FEED, type FeedSyncInput } from '../feedSync/input';
import type { FeedSyncProgress } from '../feedSync/messages';
import { openStore } from '../store';
import { withClient } from './client';
import { feedFraction, phasesOf, ProgressLine } from './progress';

const FLAG: Record<string, string> = {
  feed: '--feed',
  batchSize: '--batch-size',
  expiredBatchSize: '--expired-batch-size',
  pagesPerRun: '--pages-per-run',
  intervalMinutes: '--every',
};

interface SyncFlags {
  feed: string;
  batchSize?: number;
  expiredBatchSize?: number;
  pagesPerRun?: number;
}

function inputOf(flags: SyncFlags): FeedSyncInput {
  const { feed, batchSize, expiredBatchSize, pagesPerRun } = flags;
  return { feed, batchSize, expiredBatchSize, pagesPerRun };
}

/** Tolerated oddities as "field ×n" pairs, most frequent first (the fields the reader fell back on). */
export function formatOddities(oddities: Record<string, number> | undefined): string {
  const entries = Object.entries(oddities ?? {}).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '';
  return `  oddities ${entries.map(([f, n]) => `${f}×${n}`).join(', ')}`;
}

/**
 * Seconds left in the feed phase at the rate seen since `since` (the first observation of this phase),
 * when the upstream estimated the scan's size; null until there is a rate.
 */
export function feedEtaSeconds(
  p: Pick<FeedSyncProgress, 'phase' | 'jobsReceived' | 'estimatedTotal'>,
  since: { at: number; received: number },
  now: number,
): number | null {
  const total = p.estimatedTotal ?? null;
  const done = p.jobsReceived - since.received;
  if (p.phase !== 'feed' || total === null || done <= 0 || now <= since.at) return null;
  return Math.round((Math.max(0, total - p.jobsReceived) / done) * ((now - since.at) / 1000));
}

export function formatProgress(p: FeedSyncProgress, etaSeconds: number | null = null): string {
  const credits = p.creditsBalance === null ? '' : `  credits ${p.creditsBalance}`;
  const total = p.estimatedTotal != null ? `/~${p.estimatedTotal}` : '';
  const eta = etaSeconds === null ? '' : `  eta ${etaSeconds}s`;
  return (
    `${p.phase.padEnd(9)} ${p.mode ?? '-'}  pages ${p.pages}  received ${p.jobsReceived}${total}  upserted ${p.jobsUpserted}` +
    `  skipped ${p.skipped}${p.skippedOlder ? ` (older ${p.skippedOlder})` : ''}${p.revived ? `  revived ${p.revived}` : ''}` +
    `  expired ${p.expired + p.reconciled}  restarts ${p.restarts}` +
    `${p.cursorPresent ? '  (mid-stream)' : ''}${credits}${eta}${formatOddities(p.oddities)}`
  );
}

/** The bar: a step per phase, and inside the feed phase the share of the estimated total received. */
export function syncFraction(p: FeedSyncProgress): number {
  const base = feedFraction(p);
  const total = p.estimatedTotal ?? null;
  if (p.phase !== 'feed' || !total) return base;
  const step = 1 / (phasesOf(p.mode).length - 1);
  return base + step * Math.min(1, p.jobsReceived / total);
}

/** Input problems become one line per flag; runCli prints the message and exits with 1. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof FeedSyncInputError) {
      const lines = err.problems.map((p) => `  - ${FLAG[p.field] ?? p.field}: ${p.message}`);
      throw new Error(['invalid feed sync options:', ...lines].join('\n'));
    }
    throw err;
  }
}

async function storedCheckpoint(config: Config, feed: string): Promise<string | null> {
  // Never create an empty SQLite file just to report that nothing has synced yet.
  if (config.store.kind === 'sqlite' && !existsSync(config.store.sqlitePath)) return null;
  const store = await openStore(config);
  try {
    return await store.getCheckpoint(checkpointKey(feed));
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const feed = program.command('feed').description('keep the local job store in sync with the Jobo jobs feed');
  const withSyncFlags = (cmd: Command) =>
    cmd
      .option('--feed <name>', 'feed name (workflow id feed-sync/<name>)', DEFAULT_FEED)
      .option('--batch-size <n>', 'jobs per feed page (1..1000, default 1000)', Number)
      .option('--expired-batch-size <n>', 'ids per expired page (1..10000, default 10000)', Number)
      .option('--pages-per-run <n>', 'pages per workflow run before continue-as-new (default 500)', Number);

  withSyncFlags(
    feed
      .command('schedule')
      .description('create or update the recurring sync schedule (idempotent; overlapping runs are skipped)')
      .option('--every <minutes>', 'interval in minutes, 15..60 (default FEED_SYNC_INTERVAL_MINUTES)', Number),
  ).action((flags: SyncFlags & { every?: number }) =>
    run(async () => {
      const { feed: name, ...input } = inputOf(flags);
      const opts = { feed: name, intervalMinutes: flags.every, input };
      checkFeedSchedule(loadConfig(), opts); // bad flags fail before connecting
      await withClient(async (client, config) => {
        const r = await upsertFeedSchedule(client, config, opts);
        console.log(`${r.created ? 'created' : 'updated'} schedule ${r.scheduleId}: every ${r.intervalMinutes} minutes`);
      });
    }),
  );

  withSyncFlags(feed.command('run').description('run one sync now, print progress until it finishes')).action((flags: SyncFlags) =>
    run(async () => {
      const input = checkFeedSyncInput(inputOf(flags)); // bad flags fail before connecting
      await withClient(async (client, config) => {
        // One pass per feed: while one runs (scheduled or one-off), this follows it instead of starting another.
        const { handle, attached } = await startOrAttachFeedSync(client, config, input);
        console.log(
          attached
            ? `feed sync ${handle.workflowId} is already running; showing its progress (these flags do not apply to it)`
            : `feed sync ${handle.workflowId} started`,
        );
        const bar = new ProgressLine();
        let since: { at: number; received: number } | null = null;
        const timer = setInterval(() => {
          feedSyncProgress(handle).then(
            (p) => {
              if (p.phase === 'feed') since ??= { at: Date.now(), received: p.jobsReceived };
              const eta = since === null ? null : feedEtaSeconds(p, since, Date.now());
              bar.update(syncFraction(p), formatProgress(p, eta));
            },
            () => undefined, // between runs of a continue-as-new chain the query can miss; the next tick shows it
          );
        }, 1000);
        try {
          const result = await handle.result();
          bar.update(1, formatProgress({ ...result, phase: 'done', cursorPresent: false, lastRunStartedAt: null }));
          bar.done();
          console.log(JSON.stringify(result, null, 2));
        } finally {
          clearInterval(timer);
        }
      });
    }),
  );

  feed
    .command('status')
    .description('show the schedule, running syncs and the last committed checkpoint')
    .option('--feed <name>', 'feed name', DEFAULT_FEED)
    .action((flags: { feed: string }) =>
      run(() =>
        withClient(async (client, config) => {
          const schedule = await describeFeedSchedule(client, flags.feed);
          if (!schedule) console.log(`schedule: none (create it with \`applyflow feed-sync schedule\`)`);
          else {
            const every = schedule.spec.intervals?.[0]?.every;
            const next = schedule.info.nextActionTimes[0]?.toISOString() ?? '-';
            const recent = schedule.info.recentActions.at(-1)?.takenAt.toISOString() ?? '-';
            const minutes = typeof every === 'number' ? every / 60_000 : every;
            console.log(`schedule: ${schedule.scheduleId} every ${minutes} min, next ${next}, last ${recent}`);
          }
          const running = await runningFeedSyncs(client);
          if (running.length === 0) console.log('running: none');
          for (const r of running) console.log(`running: ${r.workflowId}\n  ${formatProgress(r.progress)}`);
          const checkpoint = await storedCheckpoint(config, flags.feed);
          console.log(`checkpoint: ${checkpoint ?? 'none (the next run is a full backfill)'}`);
        }),
      ),
    );
}
