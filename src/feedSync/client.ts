/**
 * The typed way to run feed sync from outside a workflow (CLI, main job, tests): start a one-off sync with
 * its input checked first, read progress, and manage the recurring Temporal Schedule.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowIdConflictPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../config';
import { SA } from '../searchAttributes';
import { feedSync, feedSyncTick } from './workflow';
import { progressQuery, type FeedSyncProgress } from './messages';
import { DEFAULT_FEED, feedScheduleId, feedSyncInputProblems, feedSyncWorkflowId, type FeedSyncInput } from './input';

export const MIN_INTERVAL_MINUTES = 15;
export const MAX_INTERVAL_MINUTES = 60;

/** Bad input: nothing was started or changed. `problems` names each field. */
export class FeedSyncInputError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(`invalid feed sync input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'FeedSyncInputError';
  }
}

/** Input problems throw FeedSyncInputError (one entry per field) before anything is started. */
export function checkFeedSyncInput(input: FeedSyncInput): FeedSyncInput & { feed: string } {
  const problems = feedSyncInputProblems(input);
  if (input.resume !== undefined) problems.push({ field: 'resume', message: 'is set by continueAsNew only' });
  if (problems.length) throw new FeedSyncInputError(problems);
  return { ...input, feed: input.feed ?? DEFAULT_FEED };
}

/**
 * Starts a one-off pass as `feed-sync/<feed>`, or attaches to the pass already running under that id
 * (USE_EXISTING), whoever started it. The schedule's ticks start their passes under the same id (see
 * feedSyncTick), so a one-off never runs next to a scheduled pass: two full passes at once would each
 * reconcile from what only it saw. An attached handle follows the running pass; this call's input (batch
 * sizes) does not apply to it.
 */
export async function startFeedSync(
  client: Client,
  config: Pick<Config, 'temporal'>,
  input: FeedSyncInput = {},
): Promise<WorkflowHandle<typeof feedSync>> {
  const args = checkFeedSyncInput(input);
  return client.workflow.start(feedSync, {
    workflowId: feedSyncWorkflowId(args.feed),
    taskQueue: config.temporal.taskQueue,
    args: [args],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: SA.kind, value: 'feed-sync' }],
  });
}

/** startFeedSync, and whether it attached to a pass that was already running (for the CLI's message). */
export async function startOrAttachFeedSync(
  client: Client,
  config: Pick<Config, 'temporal'>,
  input: FeedSyncInput = {},
): Promise<{ handle: WorkflowHandle<typeof feedSync>; attached: boolean }> {
  const { feed } = checkFeedSyncInput(input);
  const attached = await client.workflow
    .getHandle(feedSyncWorkflowId(feed))
    .describe()
    .then(
      (d) => d.status.name === 'RUNNING',
      () => false, // never started: nothing to attach to
    );
  return { handle: await startFeedSync(client, config, input), attached };
}

export async function feedSyncProgress(handle: WorkflowHandle): Promise<FeedSyncProgress> {
  return handle.query(progressQuery);
}

/** Running feed syncs (one-off and scheduled), found by the ApplyflowKind search attribute. */
export async function runningFeedSyncs(client: Client): Promise<{ workflowId: string; progress: FeedSyncProgress }[]> {
  const out: { workflowId: string; progress: FeedSyncProgress }[] = [];
  const query = `${SA.kind.name} = 'feed-sync' AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query })) {
    out.push({ workflowId: wf.workflowId, progress: await feedSyncProgress(client.workflow.getHandle(wf.workflowId)) });
  }
  return out;
}

export interface FeedScheduleOptions {
  feed?: string;
  /** 15..60 (reference 004's healthy range); default FEED_SYNC_INTERVAL_MINUTES. */
  intervalMinutes?: number;
  /** Passed to every scheduled run (batch sizes, pages per run). */
  input?: Omit<FeedSyncInput, 'feed' | 'resume'>;
}

/**
 * Creates the schedule `feed-sync/<feed>` or brings an existing one up to date (interval, input, task
 * queue). Its action is feedSyncTick, which runs the pass as `feed-sync/<feed>` (or starts none when a pass
 * of the feed is already running); overlap SKIP keeps ticks from piling up behind a long pass. Returns
 * whether it was created.
 */
export async function upsertFeedSchedule(
  client: Client,
  config: Pick<Config, 'temporal' | 'feedSyncIntervalMinutes'>,
  opts: FeedScheduleOptions = {},
): Promise<{ scheduleId: string; created: boolean; intervalMinutes: number }> {
  const { minutes, args } = checkFeedSchedule(config, opts);
  const scheduleId = feedScheduleId(args.feed);
  const spec: ScheduleSpec = { intervals: [{ every: minutes * 60_000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: feedSyncTick,
    // The schedule appends a timestamp to this id; the pass itself always runs as feed-sync/<feed>.
    workflowId: `${feedSyncWorkflowId(args.feed)}/tick`,
    taskQueue: config.temporal.taskQueue,
    args: [args] as [FeedSyncInput],
    typedSearchAttributes: [{ key: SA.kind, value: 'feed-sync-tick' }],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 5 * 60_000 };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return { scheduleId, created: true, intervalMinutes: minutes };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, policies }));
  return { scheduleId, created: false, intervalMinutes: minutes };
}

/** The schedule's interval and run input, checked together so every bad field is reported at once. */
export function checkFeedSchedule(
  config: Pick<Config, 'feedSyncIntervalMinutes'>,
  opts: FeedScheduleOptions,
): { minutes: number; args: FeedSyncInput & { feed: string } } {
  const minutes = opts.intervalMinutes ?? config.feedSyncIntervalMinutes;
  const problems = feedSyncInputProblems({ ...opts.input, feed: opts.feed });
  if (!Number.isInteger(minutes) || minutes < MIN_INTERVAL_MINUTES || minutes > MAX_INTERVAL_MINUTES) {
    problems.push({
      field: 'intervalMinutes',
      message: `must be an integer from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}`,
    });
  }
  if (problems.length) throw new FeedSyncInputError(problems);
  return { minutes, args: checkFeedSyncInput({ ...opts.input, feed: opts.feed }) };
}

export async function describeFeedSchedule(client: Client, feed = DEFAULT_FEED): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(feedScheduleId(feed)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/**
 * Runs the schedule's action now (overlap SKIP still applies): how the main job starts its first backfill.
 * The tick starts no pass when one of the feed is already running (e.g. an operator's `feed run`).
 */
export async function triggerFeedSchedule(client: Client, feed = DEFAULT_FEED): Promise<void> {
  await client.schedule.getHandle(feedScheduleId(feed)).trigger(ScheduleOverlapPolicy.SKIP);
}
