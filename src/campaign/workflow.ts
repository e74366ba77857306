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
 * (children are abandoned, never cancelled). State is small and bounded: the last MAX_RUNS_KEPT runs and
 * MAX_APPLICATIONS_KEPT application results, the totals in stats; every application stays searchable
 * by its ApplyflowCampaignId search attribute.
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
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities, LedgerOutcome } from './activities';
import { APPLICATION_WORKFLOW_PREFIX, applicationStartOptions, jobKeyOf, legacyJobKeyOf, type ApplicationInput, type ApplicationStatus } from '../application/input';
import {
  MAX_APPLICATIONS_KEPT,
  MAX_RUNS_KEPT,
  formatProblems,
  limitsOf,
  searchContextOf,
  validateCampaignInput,
  type CampaignApplication,
  type CampaignInput,
  type CampaignRun,
  type CampaignState,
  type CampaignStatus,
  type CampaignView,
  type CandidateJob,
} from './input';
import { nextRunAt } from './schedule';
import { SA } from '../searchAttributes';
import { CampaignFailureType, applicationsQuery, campaignQuery, pauseSignal, resumeSignal, runsQuery, stopSignal } from './messages';
import { describeFailure } from '../shared/failures';
import { application } from '../application/workflow';

export type { CampaignInput, CampaignView };


/** Runs per workflow run before continuing as new (each run is a few hundred events at most). */
export const RUNS_PER_GENERATION = 10;
/** How long to keep asking the ledger about an application another workflow owns (backing off to a minute). */
const OUTCOME_WAIT_MS = 2 * 60 * 60_000;
/**
 * Campaigns started before job keys keep caller-keyed application ids and the 2-hour outcome wait; those
 * started since key applications by the job, report duplicates, wait for the truth and fail a failed search.
 */
export const JOB_KEY_PATCH = 'campaign-job-keys';
/** The longest pause between two looks at the ledger for an application another workflow owns. */
const OUTCOME_MAX_WAIT_MS = 10 * 60_000;

const acts = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

const FINAL: readonly ApplicationStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

/** The ledger's refusal by a user's limit (src/store/users.ts LIMIT_REACHED; not imported: workflow code). */
const isLimitRefusal = (error: string | null | undefined) => error?.startsWith('limit_reached:') ?? false;

const describe = describeFailure;

function freshState(createdAt: string): CampaignState {
  return {
    status: 'active',
    createdAt,
    stats: {
      totalRuns: 0,
      totalApplications: 0,
      successfulApplications: 0,
      failedApplications: 0,
      jobsQueued: 0,
      lastRunAt: null,
      nextRunAt: null,
    },
    runs: [],
    applications: [],
    runSeq: 0,
    generations: 0,
    scheduleFrom: null,
  };
}

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
  const now = () => new Date().toISOString(); // workflow time: deterministic
  const { carried, ...settings } = input;
  const state: CampaignState = carried ?? freshState(now());
  const limits = limitsOf(input);
  const { workflowId } = workflowInfo();
  const v2 = patched(JOB_KEY_PATCH);
  let stopped = state.status === 'cancelled';
  /** The current run's jobs not started yet. */
  let queue: { entry: CampaignApplication; job: CandidateJob }[] = [];
  let current: CampaignRun | null = null;

  const view = (): CampaignView => ({
    sessionId: input.campaignId,
    workflowId,
    type: input.type,
    candidateProfileId: input.candidateProfileId,
    userId: input.userId ?? null,
    status: state.status,
    error: state.error ?? null,
    stats: state.stats,
    searchContext: searchContextOf(input),
    searchId: input.searchId ?? null,
    schedule: input.schedule ?? null,
    filters: input.filters ?? null,
    limits,
    createdAt: state.createdAt,
    generations: state.generations,
  });

  function setStatus(status: CampaignStatus): void {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: SA.status, value: status }]);
  }

  upsertSearchAttributes([
    { key: SA.kind, value: 'campaign' },
    { key: SA.campaignId, value: input.campaignId },
    { key: SA.campaignType, value: input.type },
    { key: SA.profileId, value: input.candidateProfileId },
    { key: SA.status, value: state.status },
    ...(input.userId ? [{ key: SA.userId, value: input.userId }] : []),
  ]);

  setHandler(campaignQuery, view);
  setHandler(runsQuery, () => state.runs);
  setHandler(applicationsQuery, () => state.applications);
  setHandler(pauseSignal, () => {
    if (state.status === 'active') {
      setStatus('paused');
      state.stats.nextRunAt = null;
    }
  });
  setHandler(resumeSignal, () => {
    if (state.status === 'paused') setStatus('active');
  });
  function stop(): void {
    if (stopped || state.status === 'completed' || state.status === 'failed') return;
    stopped = true;
    setStatus('cancelled');
    state.stats.nextRunAt = null;
    // Queued jobs are never started; what is already processing finishes on its own.
    for (const { entry } of queue) {
      for (const e of [entry, ...(sameJob.get(entry.applicationId) ?? [])]) Object.assign(e, { status: 'CANCELLED', error: 'campaign stopped', updated_at: now() });
    }
    queue = [];
    state.stats.jobsQueued = 0;
    if (current?.status === 'in_progress') current.status = 'cancelled';
  }
  setHandler(stopSignal, stop);

  /** List entries that are the same job as an earlier entry of the run: they report its outcome. */
  const sameJob = new Map<string, CampaignApplication[]>();

  function settle(entry: CampaignApplication, run: CampaignRun, status: ApplicationStatus, fields: Partial<CampaignApplication>): void {
    Object.assign(entry, fields, { status, awaiting_until: null, updated_at: now() });
    for (const twin of sameJob.get(entry.applicationId) ?? []) {
      Object.assign(twin, fields, { status, already_applied: twin.already_applied, awaiting_until: null, updated_at: now() });
    }
    if (status === 'SUCCESS') {
      state.stats.successfulApplications++;
      run.stats.applicationsSuccessful++;
    } else if (status === 'FAILED' && isLimitRefusal(fields.error)) {
      // Not started: a limit, not a failure, and not an application.
      state.stats.limitReachedApplications = (state.stats.limitReachedApplications ?? 0) + 1;
      run.stats.applicationsLimitReached = (run.stats.applicationsLimitReached ?? 0) + 1;
      state.stats.totalApplications--;
      run.stats.applicationsAttempted--;
    } else {
      state.stats.failedApplications++;
      run.stats.applicationsFailed++;
    }
  }

  /**
   * An application whose workflow exists already (elsewhere, or closed): the ledger says how it went. v2
   * waits as long as it takes (the entry shows PROCESSING, UNCONFIRMED or waiting for a person meanwhile):
   * a long wait is never turned into FAILED.
   */
  async function outcomeOf(appInput: ApplicationInput, entry: CampaignApplication): Promise<LedgerOutcome | null> {
    const deadline = Date.now() + OUTCOME_WAIT_MS;
    for (let wait = 2_000; ; wait = Math.min(2 * wait, v2 ? OUTCOME_MAX_WAIT_MS : 60_000)) {
      const row = await acts.campaignApplicationOutcome({
        profileId: appInput.profileId,
        jobId: v2 ? jobKeyOf(appInput) : appInput.jobId!,
        jobUrl: appInput.jobUrl,
      });
      if (row && FINAL.includes(row.status)) return row;
      if (v2 && row) {
        Object.assign(entry, { status: row.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'PROCESSING', awaiting_until: row.awaitingUntil ?? null, updated_at: now() });
      }
      if (!v2 && Date.now() + wait > deadline) return null;
      await sleep(wait);
    }
  }

  /** The application id for a job: the job key's (v2), or the caller's jobId for campaigns started before. */
  function applicationIdOf(job: CandidateJob): string {
    const byJob = applicationStartOptions({ profileId: input.candidateProfileId, jobUrl: job.link }).workflowId;
    return v2 ? byJob : `${APPLICATION_WORKFLOW_PREFIX}${input.candidateProfileId}/${legacyJobKeyOf({ jobId: job.jobId, jobUrl: job.link })}`;
  }

  async function apply(entry: CampaignApplication, job: CandidateJob, run: CampaignRun): Promise<void> {
    const appInput: ApplicationInput = {
      profileId: input.candidateProfileId,
      jobUrl: job.link,
      jobId: job.jobId,
      job: { title: job.title, companyName: job.companyName },
      campaignId: input.campaignId,
      policy: 'skip', // nobody is watching an autopilot: fields the profile cannot answer fail the application
      ...(input.answers ? { answers: input.answers } : {}),
      ...(input.overrideEmail ? { overrideEmail: input.overrideEmail } : {}),
    };
    Object.assign(entry, { status: 'PROCESSING', updated_at: now() });
    state.stats.totalApplications++;
    run.stats.applicationsAttempted++;
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
      if (result.status === 'UNCONFIRMED' || result.status === 'PROCESSING' || result.status === 'QUEUED') {
        // The child ended without the truth (an unconfirmed submit): the ledger will have it.
        Object.assign(entry, { status: 'UNCONFIRMED', error: result.error, updated_at: now() });
        const row = await outcomeOf(appInput, entry);
        if (row) settle(entry, run, row.status, { ats_type: row.provider, result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null, error: row.error });
        return;
      }
      settle(entry, run, result.status, {
        ats_type: result.provider,
        result: result.result,
        error: result.error,
        already_applied: result.from_ledger,
      });
    } catch (err) {
      if (isCancellation(err)) throw err; // the campaign was cancelled: the child goes on, unwatched
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        settle(entry, run, 'FAILED', { error: describe(err) });
        return;
      }
      // REJECT_DUPLICATE: this (profile, job) has its workflow already; never a second one.
      const row = await outcomeOf(appInput, entry);
      if (!row) settle(entry, run, 'FAILED', { error: 'already being applied to by another workflow, which did not finish in time' });
      else {
        settle(entry, run, row.status === 'SUCCESS' ? 'SUCCESS' : 'FAILED', {
          ats_type: row.provider,
          result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null,
          error: row.status === 'SUCCESS' ? null : `already attempted: ${row.error ?? row.status}`,
          already_applied: true,
        });
      }
    }
  }

  /** The address applications give: overrideEmail, else the profile's (read once per run; informational only). */
  async function candidateEmail(): Promise<string | null> {
    if (input.overrideEmail) return input.overrideEmail;
    try {
      return await acts.campaignCandidateEmail({ profileId: input.candidateProfileId });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not read the profile email', { campaignId: input.campaignId, error: describe(err) });
      return null;
    }
  }

  async function candidates(run: CampaignRun): Promise<CandidateJob[]> {
    if (input.type === 'run_once') return input.jobs!;
    return acts.searchCampaignJobs({
      campaignId: input.campaignId,
      profileId: input.candidateProfileId,
      filters: input.filters!,
      limit: limits.maxJobsPerRun,
      now: run.startedAt,
      scheduledAt: run.scheduledAt,
    });
  }

  async function runOnce(scheduledAt: string | null): Promise<void> {
    const run: CampaignRun = {
      sessionRunId: `run-${++state.runSeq}`,
      startedAt: now(),
      completedAt: null,
      scheduledAt,
      status: 'in_progress',
      stats: { jobsFound: 0, applicationsAttempted: 0, applicationsSuccessful: 0, applicationsFailed: 0 },
      error: null,
    };
    current = run;
    state.runs.push(run);
    state.stats.totalRuns++;
    state.stats.lastRunAt = run.startedAt;
    try {
      const jobs = await candidates(run);
      run.stats.jobsFound = jobs.length;
      const email = jobs.length > 0 && !stopped ? await candidateEmail() : null;
      if (!stopped) {
        const seen = new Set<string>();
        sameJob.clear();
        for (const job of jobs) {
          const applicationId = applicationIdOf(job);
          const twin = seen.has(applicationId);
          // The same job twice in one list is one application; v2 keeps the second entry, reporting the first's outcome.
          if (twin && !v2) continue;
          seen.add(applicationId);
          const entry: CampaignApplication = {
            applicationId,
            sessionRunId: run.sessionRunId,
            jobId: job.jobId,
            job_url: job.link,
            job_title: job.title,
            company_name: job.companyName,
            ats_type: null,
            status: 'QUEUED',
            search_id: input.searchId ?? null,
            result: null,
            error: null,
            already_applied: false,
            candidate_email: email,
            created_at: now(),
            updated_at: now(),
          };
          state.applications.push(entry);
          if (twin) {
            Object.assign(entry, { status: 'PROCESSING', same_job_as: applicationId });
            sameJob.set(applicationId, [...(sameJob.get(applicationId) ?? []), entry]);
          } else queue.push({ entry, job });
        }
        state.stats.jobsQueued = queue.length;
        const lane = async () => {
          for (;;) {
            await condition(() => state.status !== 'paused' || stopped);
            const next = stopped ? undefined : queue.shift();
            if (!next) return;
            state.stats.jobsQueued = queue.length;
            await apply(next.entry, next.job, run);
          }
        };
        await Promise.all(Array.from({ length: Math.min(limits.concurrency, queue.length) }, lane));
      }
      if (run.status === 'in_progress') run.status = 'completed';
    } catch (err) {
      if (isCancellation(err)) {
        Object.assign(run, { status: 'cancelled', completedAt: now() });
        throw err;
      }
      run.status = stopped ? 'cancelled' : 'failed';
      run.error = describe(err);
      log.warn('campaign run failed', { campaignId: input.campaignId, run: run.sessionRunId, error: run.error });
      // A one-off campaign whose only run failed (its search, say) did not complete: it failed, and says why.
      if (v2 && !stopped && input.type !== 'autopilot_recurring') {
        state.error = `run ${run.sessionRunId} failed: ${run.error}`;
        setStatus('failed');
      }
    }
    run.completedAt = now();
    current = null;
    // Bounded state: older runs are in the totals; older applications are found by SA.campaignId.
    if (state.runs.length > MAX_RUNS_KEPT) state.runs = state.runs.slice(-MAX_RUNS_KEPT);
    if (state.applications.length > MAX_APPLICATIONS_KEPT) state.applications = state.applications.slice(-MAX_APPLICATIONS_KEPT);
  }

  /** Every run of the campaign; returns the final view (or continues as new). */
  async function runAll(): Promise<CampaignView> {
    if (input.type !== 'autopilot_recurring') {
      if (!stopped) await runOnce(null);
      if (!stopped && state.status !== 'failed') setStatus('completed');
      await condition(allHandlersFinished);
      return view();
    }

    const schedule = input.schedule!;
    let runsThisGeneration = 0;
    while (!stopped) {
      // From the later of now and the last tick run: a tick is never run twice, missed ticks are not replayed.
      const from = Math.max(Date.now(), state.scheduleFrom ? Date.parse(state.scheduleFrom) : 0);
      const due = nextRunAt(schedule, new Date(from));
      state.stats.nextRunAt = state.status === 'paused' ? null : due.toISOString();
      const interrupted = await condition(() => stopped || state.status === 'paused', due.getTime() - Date.now());
      if (stopped) break;
      if (interrupted) {
        await condition(() => state.status !== 'paused' || stopped);
        continue; // count again from now: the next tick after resume
      }
      state.scheduleFrom = due.toISOString();
      await runOnce(state.scheduleFrom);
      runsThisGeneration++;
      if (!stopped && (runsThisGeneration >= RUNS_PER_GENERATION || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        state.generations++;
        // The memo (owner, createdAt: what lists show) goes on with the campaign.
        await makeContinueAsNewFunc<typeof campaign>({ memo: workflowInfo().memo })({ ...settings, carried: state });
      }
    }
    state.stats.nextRunAt = null;
    await condition(allHandlersFinished);
    return view();
  }

  try {
    return await runAll();
  } catch (err) {
    // A Temporal cancel (UI, `temporal workflow cancel`) is recorded as a stop; the workflow ends Canceled.
    if (isCancellation(err)) stop();
    throw err;
  }
}
