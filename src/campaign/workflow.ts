/**
 * campaign: reference 002's sessions as one long-running workflow, `campaign/<campaignId>`, for the three
 * types. A run finds candidate jobs (run_once: the given list; autopilot: a job store search that leaves
 * out what the ledger says the profile already applied to) and applies to each through the `application`
 * child workflow (same id and reuse policy as every other start, so nothing is applied to twice), at most
 * limits.concurrency at a time. autopilot_recurring sleeps until the schedule's next tick (pure, DST-aware
 * helper on workflow time), runs, and continues as new every few runs so history stays bounded forever.
 *
 * Controls are signals (the `temporal` CLI and the time-skipping test server both take them): pause holds
 * new work (no runs, no new applications) and resume picks the schedule up at its next tick, never
 * replaying missed ones; stop cancels the campaign: the run in progress is marked cancelled, jobs still
 * queued are recorded CANCELLED and never started, and applications already started finish on their own
 * (children are abandoned, never cancelled). State is small and bounded (./runner.ts holds it and every
 * decision); this file holds the awaits: activities, children, timers, continue-as-new.
 *
 * A person in the loop (behind patched('campaign-person-in-the-loop')): the policy (skip, ask, review) is
 * set at create and by the setPolicy update, and given to each application as it starts; an application
 * waiting for a person signals applicationWaiting and gives its slot up, so the run goes on with other
 * jobs and completes when every child is final; events go to the campaign's webhooks without holding it up.
 */
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities, LedgerOutcome } from './activities';
import type { createNotificationActivities } from '../notification/activities';
import { applicationStartOptions, jobKeyOf, type ApplicationInput, type ApplicationStatus } from '../application/input';
import { FINAL_STATUSES } from '../shared/applicationStatus';
import {
  formatProblems,
  validateCampaignInput,
  type CampaignApplication,
  type CampaignInput,
  type CampaignRun,
  type CampaignView,
  type CandidateJob,
} from './input';
import { SA } from '../searchAttributes';
import {
  CampaignFailureType,
  applicationPacedSignal,
  applicationWaitingSignal,
  applicationsQuery,
  campaignQuery,
  pauseSignal,
  resumeSignal,
  runsQuery,
  setPolicyUpdate,
  stopSignal,
  webhooksSignal,
} from './messages';
import { notificationDelivery, type CampaignEventType, type EventValue } from '../notification/messages';
import { JoboFailure } from '../jobo/failureTypes';
import { describeFailure as describe } from '../shared/failures';
import { application } from '../application/workflow';
import { CampaignRunner, RUNS_PER_GENERATION, policyProblems } from './runner';

export type { CampaignInput, CampaignView };
export { RUNS_PER_GENERATION };

/**
 * Campaigns started before job keys keep caller-keyed application ids and the 2-hour outcome wait; those
 * started since key applications by the job, report duplicates, wait for the truth and fail a failed search.
 */
export const JOB_KEY_PATCH = 'campaign-job-keys';
/** Policies, waiting applications off the slots, NEEDS_PERSON final, webhook events (issue 16). */
export const PERSON_PATCH = 'campaign-person-in-the-loop';
/** How long to keep asking the ledger about an application another workflow owns (backing off to a minute). */
const OUTCOME_WAIT_MS = 2 * 60 * 60_000;
/** The longest pause between two looks at the ledger for an application another workflow owns. */
const OUTCOME_MAX_WAIT_MS = 10 * 60_000;

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 } satisfies RetryPolicy;
/** The job store's search: a StoreError is a search the store refuses (a bad filter), the same on every try. */
const store = { startToCloseTimeout: '1m', retry: { ...retry, nonRetryableErrorTypes: ['StoreError'] } } satisfies ActivityOptions;
/** The ledger's row for an application: nothing it throws is final (the database comes back). */
const ledger = { startToCloseTimeout: '1m', retry: { ...retry, nonRetryableErrorTypes: [] } } satisfies ActivityOptions;
/** The profile read upstream: a missing or forbidden profile stays so (the activity answers null for NotFound). */
const upstream = {
  startToCloseTimeout: '1m',
  retry: {
    ...retry,
    nonRetryableErrorTypes: [JoboFailure.Unauthorized, JoboFailure.Forbidden, JoboFailure.BadRequest, JoboFailure.InvalidResponse],
  },
} satisfies ActivityOptions;

const { searchCampaignJobs } = proxyActivities<CampaignActivities>(store);
const { campaignApplicationOutcome } = proxyActivities<CampaignActivities>(ledger);
const { campaignCandidateEmail } = proxyActivities<CampaignActivities>(upstream);
const { deliverCampaignEvent } = proxyActivities<ReturnType<typeof createNotificationActivities>>(notificationDelivery);

/** Final for campaigns started before a person could be in the loop (NEEDS_PERSON did not exist). */
const FINAL_V1: readonly ApplicationStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

export async function campaign(input: CampaignInput): Promise<CampaignView> {
  const problems = validateCampaignInput(input);
  if (problems.length) {
    throw ApplicationFailure.create({
      type: CampaignFailureType.InvalidInput,
      message: `invalid campaign input: ${formatProblems(problems)}`,
      nonRetryable: true,
      details: [problems],
    });
  }
  const { workflowId } = workflowInfo();
  const jobKeys = patched(JOB_KEY_PATCH);
  const person = patched(PERSON_PATCH);
  const runner = new CampaignRunner(input, {
    workflowId,
    jobKeys,
    person,
    now: () => new Date().toISOString(), // workflow time: deterministic
    onStatus: (status) => upsertSearchAttributes([{ key: SA.status, value: status }]),
  });
  const c = new CampaignWorkflow(runner, jobKeys, person);

  upsertSearchAttributes([
    { key: SA.kind, value: 'campaign' },
    { key: SA.campaignId, value: input.campaignId },
    { key: SA.campaignType, value: input.type },
    { key: SA.profileId, value: input.candidateProfileId },
    { key: SA.status, value: runner.state.status },
    ...(input.userId ? [{ key: SA.userId, value: input.userId }] : []),
  ]);

  setHandler(campaignQuery, () => runner.view());
  setHandler(runsQuery, () => runner.state.runs);
  setHandler(applicationsQuery, () => runner.state.applications);
  setHandler(pauseSignal, () => runner.pause());
  setHandler(resumeSignal, () => runner.resume());
  setHandler(stopSignal, () => runner.stop());
  setHandler(applicationWaitingSignal, (msg) => c.applicationWaiting(msg));
  setHandler(applicationPacedSignal, (msg) => void runner.applicationPaced(msg));
  setHandler(webhooksSignal, ({ active }) => runner.setWebhooks(active));
  setHandler(setPolicyUpdate, (req) => runner.setPolicy(req), {
    validator: (req) => {
      const bad = person ? policyProblems(req) : [{ field: 'policy', message: 'this campaign started before policies: create a new one' }];
      if (bad.length) throw new Error(`invalid policy: ${formatProblems(bad)}`);
    },
  });

  try {
    return await c.runAll();
  } catch (err) {
    // A Temporal cancel (UI, `temporal workflow cancel`) is recorded as a stop; the workflow ends Canceled.
    if (isCancellation(err)) runner.stop();
    throw err;
  }
}

/** The campaign's awaits, in the order they were always made (the command sequence is what replay checks). */
class CampaignWorkflow {
  /** Webhook deliveries started and not finished: awaited before continue-as-new and the end. */
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly runner: CampaignRunner,
    private readonly jobKeys: boolean,
    private readonly person: boolean,
  ) {}

  private get input(): CampaignInput {
    return this.runner.input;
  }

  /** Every run of the campaign; returns the final view (or continues as new). */
  async runAll(): Promise<CampaignView> {
    const { runner, input } = this;
    if (input.type !== 'autopilot_recurring') {
      if (!runner.stopped) await this.runOnce(null);
      if (!runner.stopped && runner.state.status !== 'failed') runner.setStatus('completed');
      await this.quiesce();
      return runner.view();
    }
    let runsThisGeneration = 0;
    while (!runner.stopped) {
      const due = runner.nextTick(Date.now());
      const interrupted = await condition(() => runner.stopped || runner.state.status === 'paused', due.getTime() - Date.now());
      if (runner.stopped) break;
      if (interrupted) {
        await condition(() => runner.state.status !== 'paused' || runner.stopped);
        continue; // count again from now: the next tick after resume
      }
      runner.state.scheduleFrom = due.toISOString();
      await this.runOnce(runner.state.scheduleFrom);
      runsThisGeneration++;
      if (runner.shouldContinueAsNew(runsThisGeneration, workflowInfo().continueAsNewSuggested)) {
        await this.quiesce();
        // The memo (owner, createdAt: what lists show) goes on with the campaign.
        await makeContinueAsNewFunc<typeof campaign>({ memo: workflowInfo().memo })(runner.continued());
      }
    }
    runner.state.stats.nextRunAt = null;
    await this.quiesce();
    return runner.view();
  }

  /** Handlers done and (person) every webhook delivery settled: nothing is cut off by the end or continue-as-new. */
  private async quiesce(): Promise<void> {
    if (this.person) while (this.deliveries.size) await Promise.all([...this.deliveries]);
    await condition(allHandlersFinished);
  }

  private async runOnce(scheduledAt: string | null): Promise<void> {
    const { runner } = this;
    const run = runner.startRun(scheduledAt);
    try {
      const jobs = await this.candidates(run);
      run.stats.jobsFound = jobs.length;
      const email = jobs.length > 0 && !runner.stopped ? await this.candidateEmail() : null;
      if (!runner.stopped) {
        runner.enqueue(run, jobs, email);
        if (this.person) await this.dispatch(run);
        else await this.lanes(run);
      }
      if (run.status === 'in_progress') run.status = 'completed';
    } catch (err) {
      if (isCancellation(err)) {
        Object.assign(run, { status: 'cancelled', completedAt: new Date().toISOString() });
        throw err;
      }
      runner.runFailed(run, describe(err));
      log.warn('campaign run failed', { campaignId: this.input.campaignId, run: run.sessionRunId, error: run.error });
    }
    runner.finishRun(run);
    this.notify('run.completed', { runId: run.sessionRunId, status: run.status, ...run.stats });
  }

  /** Campaigns before a person could be in the loop: limits.concurrency lanes, each applying to one job at a time. */
  private async lanes(run: CampaignRun): Promise<void> {
    const { runner } = this;
    const lane = async () => {
      for (;;) {
        await condition(() => runner.state.status !== 'paused' || runner.stopped);
        const next = runner.takeNext();
        if (!next) return;
        await this.apply(next.entry, next.job, run);
      }
    };
    await Promise.all(Array.from({ length: Math.min(runner.limits.concurrency, runner.queue.length) }, lane));
  }

  /** Starts a job whenever a slot is free (an application waiting for a person holds none); done when every one is final. */
  private async dispatch(run: CampaignRun): Promise<void> {
    const { runner } = this;
    const started: Promise<void>[] = [];
    for (;;) {
      await condition(() => runner.mayStart());
      const next = runner.takeNext();
      if (!next) break;
      runner.begin(next.entry, run);
      started.push(this.apply(next.entry, next.job, run, true));
    }
    await Promise.all(started);
  }

  /** An application's applicationWaiting signal: its slot is freed or taken again; a new wait is told to the webhooks. */
  applicationWaiting(msg: { applicationId: string; waitingFor: 'question' | 'review' | 'needs_person' | null }): void {
    if (!this.runner.applicationWaiting(msg)) return;
    if (msg.waitingFor === 'question' || msg.waitingFor === 'review') {
      const entry = this.runner.state.applications.find((a) => a.applicationId === msg.applicationId);
      this.notify(`${msg.waitingFor}.waiting`, {
        applicationId: msg.applicationId,
        jobUrl: entry?.job_url ?? null,
        jobTitle: entry?.job_title ?? null,
      });
    }
  }

  /** Starts a webhook delivery and goes on: a receiver that is down never holds the campaign up or fails it. */
  private notify(type: CampaignEventType, data: { [key: string]: EventValue }): void {
    if (!this.runner.notifying) return;
    const event = {
      campaignId: this.input.campaignId,
      deliveryId: this.runner.nextDeliveryId(),
      type,
      occurredAt: new Date().toISOString(),
      data,
    };
    const delivery = deliverCampaignEvent(event).then(
      () => undefined,
      (err: unknown) =>
        log.warn('webhook delivery failed', { campaignId: event.campaignId, deliveryId: event.deliveryId, error: describe(err) }),
    );
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  /**
   * An application whose workflow exists already (elsewhere, or closed): the ledger says how it went. v2
   * waits as long as it takes (the entry shows PROCESSING, UNCONFIRMED or waiting for a person meanwhile):
   * a long wait is never turned into FAILED.
   */
  private async outcomeOf(appInput: ApplicationInput, entry: CampaignApplication): Promise<LedgerOutcome | null> {
    const v2 = this.jobKeys;
    const final = this.person ? FINAL_STATUSES : FINAL_V1;
    const deadline = Date.now() + OUTCOME_WAIT_MS;
    for (let wait = 2_000; ; wait = Math.min(2 * wait, v2 ? OUTCOME_MAX_WAIT_MS : 60_000)) {
      const row = await campaignApplicationOutcome({
        profileId: appInput.profileId,
        jobId: v2 ? jobKeyOf(appInput) : appInput.jobId!,
        jobUrl: appInput.jobUrl,
      });
      if (row && final.includes(row.status)) return row;
      if (v2 && row) this.runner.showPending(entry, row);
      if (!v2 && Date.now() + wait > deadline) return null;
      await sleep(wait);
    }
  }

  private async apply(entry: CampaignApplication, job: CandidateJob, run: CampaignRun, begun = false): Promise<void> {
    const { runner } = this;
    const appInput = runner.applicationInput(job);
    if (!begun) runner.begin(entry, run);
    try {
      const child = await startChild(application, {
        ...applicationStartOptions(appInput),
        workflowId: entry.applicationId,
        args: [appInput],
        // Stop (or the campaign closing) never cuts an application short.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
      });
      const result = await child.result();
      if (runner.childFinished(entry, run, result).kind === 'ask-ledger') {
        // The child ended without the truth (an unconfirmed submit): the ledger will have it.
        const row = await this.outcomeOf(appInput, entry);
        if (row) runner.ledgerSettled(entry, run, row);
      }
    } catch (err) {
      if (isCancellation(err)) throw err; // the campaign was cancelled: the child goes on, unwatched
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) runner.settle(entry, run, 'FAILED', { error: describe(err) });
      // REJECT_DUPLICATE: this (profile, job) has its workflow already; never a second one.
      else runner.duplicateSettled(entry, run, await this.outcomeOf(appInput, entry));
    }
    if (runner.failedNotice(entry))
      this.notify('application.failed', { applicationId: entry.applicationId, jobUrl: entry.job_url, error: entry.error });
  }

  /** The address applications give: overrideEmail, else the profile's (read once per run; informational only). */
  private async candidateEmail(): Promise<string | null> {
    if (this.input.overrideEmail) return this.input.overrideEmail;
    try {
      return await campaignCandidateEmail({ profileId: this.input.candidateProfileId });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not read the profile email', { campaignId: this.input.campaignId, error: describe(err) });
      return null;
    }
  }

  private async candidates(run: CampaignRun): Promise<CandidateJob[]> {
    const { input, runner } = this;
    if (input.type === 'run_once') return input.jobs!;
    return searchCampaignJobs({
      campaignId: input.campaignId,
      profileId: input.candidateProfileId,
      filters: input.filters!,
      limit: runner.limits.maxJobsPerRun,
      now: run.startedAt,
      scheduledAt: run.scheduledAt,
    });
  }
}
