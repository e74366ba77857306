/**
 * CampaignRunner: a campaign's state and every decision about it, with no Temporal calls, so it runs in a
 * plain unit test. The workflow (./workflow.ts) drives it: it owns the awaits (activities, children,
 * timers) and asks the runner what to do and what an outcome means.
 */
import {
  APPLICATION_WORKFLOW_PREFIX,
  applicationStartOptions,
  legacyJobKeyOf,
  type ApplicationInput,
  type ApplicationStatus,
} from '../application/input';
import type { ApplicationView } from '../application/input';
import type { LedgerOutcome } from './activities';
import {
  MAX_APPLICATIONS_KEPT,
  MAX_RUNS_KEPT,
  limitsOf,
  personDeadlineHoursProblem,
  policyProblem,
  searchContextOf,
  type InputProblem,
  type CampaignApplication,
  type CampaignInput,
  type CampaignLimits,
  type CampaignRun,
  type CampaignState,
  type CampaignStatus,
  type CampaignView,
  type CandidateJob,
} from './input';
import {
  DEFAULT_PERSON_DEADLINE_HOURS,
  type ApplicationPaced,
  type ApplicationWaiting,
  type CampaignPolicy,
  type SetPolicyRequest,
} from './messages';
import { nextRunAt } from './schedule';

/** Runs per workflow run before continuing as new (each run is a few hundred events at most). */
export const RUNS_PER_GENERATION = 10;

/** The ledger's refusal by a user's limit (src/store/users.ts LIMIT_REACHED; not imported: workflow code). */
const isLimitRefusal = (error: string | null | undefined) => error?.startsWith('limit_reached:') ?? false;

export interface QueuedJob {
  entry: CampaignApplication;
  job: CandidateJob;
}

export interface RunnerOptions {
  workflowId: string;
  /** patched('campaign-job-keys'): applications keyed by the job, duplicates reported, failed searches fail. */
  jobKeys: boolean;
  /** patched('campaign-person-in-the-loop'): policies, waiting applications off the slots, notifications. */
  person: boolean;
  /** The current time (workflow time in the workflow). */
  now: () => string;
  /** Told every status change (the workflow upserts the status search attribute). */
  onStatus: (status: CampaignStatus) => void;
}

/** What an application's child result means for the campaign. */
export type ChildOutcome = { kind: 'settled' } | { kind: 'ask-ledger' };

export function freshState(createdAt: string): CampaignState {
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

/** Problems with a setPolicy request, each naming its field (the update's validator; empty: valid). */
export function policyProblems(req: unknown): InputProblem[] {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return [{ field: 'policy', message: 'expected { policy, personDeadlineHours? }' }];
  const { policy, personDeadlineHours, ...rest } = req as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const bad = policy === undefined ? 'required: one of skip, ask, review' : policyProblem(policy);
  if (bad) problems.push({ field: 'policy', message: bad });
  const hours = personDeadlineHoursProblem(personDeadlineHours);
  if (hours) problems.push({ field: 'personDeadlineHours', message: hours });
  for (const key of Object.keys(rest)) problems.push({ field: key, message: 'unknown field' });
  return problems;
}

export class CampaignRunner {
  readonly state: CampaignState;
  readonly limits: Required<CampaignLimits>;
  stopped: boolean;
  /** The current run's jobs not started yet. */
  queue: QueuedJob[] = [];
  current: CampaignRun | null = null;
  /** List entries that are the same job as an earlier entry of the run: they report its outcome. */
  private readonly sameJob = new Map<string, CampaignApplication[]>();
  /** Applications in flight now that wait for a person (they hold no slot), by application id. */
  private readonly waiting = new Map<string, CampaignApplication>();
  /** Applications started and not settled, by id (what applicationWaiting signals are about). */
  private readonly inFlight = new Map<string, CampaignApplication>();
  /** Notification events sent so far (numbers delivery ids: workflow id + sequence). */
  private eventSeq = 0;
  /** Ours: applications in flight waiting for a user's daily window (they keep their slot), by id: the window's start. */
  private readonly paced = new Map<string, string>();
  /** The schedule's nextRunAt while the earliest daily window is shown instead (undefined: none shown). */
  private scheduledNextRunAt: string | null | undefined;

  constructor(
    readonly input: CampaignInput,
    private readonly opts: RunnerOptions,
  ) {
    const { carried } = input;
    this.state = carried ?? freshState(opts.now());
    this.limits = limitsOf(input);
    this.stopped = this.state.status === 'cancelled';
    if (opts.person) {
      this.state.policy ??= input.policy ?? 'skip';
      this.state.personDeadlineHours ??= input.personDeadlineHours ?? DEFAULT_PERSON_DEADLINE_HOURS;
      this.eventSeq = this.state.eventSeq ?? 0;
      if (this.state.policy !== 'skip') this.countPeople();
    }
  }

  get policy(): CampaignPolicy {
    return this.state.policy ?? 'skip';
  }

  private now(): string {
    return this.opts.now();
  }

  view(): CampaignView {
    const { input, state } = this;
    return {
      sessionId: input.campaignId,
      workflowId: this.opts.workflowId,
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
      limits: this.limits,
      createdAt: state.createdAt,
      generations: state.generations,
      ...(this.opts.person ? { policy: this.policy, personDeadlineHours: state.personDeadlineHours ?? DEFAULT_PERSON_DEADLINE_HOURS } : {}),
    };
  }

  setStatus(status: CampaignStatus): void {
    if (this.state.status === status) return;
    this.state.status = status;
    this.opts.onStatus(status);
  }

  // ---- controls ----------------------------------------------------------------------------------------

  pause(): void {
    if (this.state.status === 'active') {
      this.setStatus('paused');
      this.state.stats.nextRunAt = null;
    }
  }

  resume(): void {
    if (this.state.status === 'paused') this.setStatus('active');
  }

  /** Queued jobs are never started; what is already processing finishes on its own. */
  stop(): void {
    const { state } = this;
    if (this.stopped || state.status === 'completed' || state.status === 'failed') return;
    this.stopped = true;
    this.setStatus('cancelled');
    state.stats.nextRunAt = null;
    for (const { entry } of this.queue) {
      for (const e of [entry, ...(this.sameJob.get(entry.applicationId) ?? [])])
        Object.assign(e, { status: 'CANCELLED', error: 'campaign stopped', updated_at: this.now() });
    }
    this.queue = [];
    state.stats.jobsQueued = 0;
    if (this.current?.status === 'in_progress') this.current.status = 'cancelled';
  }

  /** setPolicy: applications started from now on get it (those running keep theirs). */
  setPolicy(req: SetPolicyRequest): CampaignView {
    this.state.policy = req.policy;
    if (req.personDeadlineHours !== undefined) this.state.personDeadlineHours = req.personDeadlineHours;
    if (req.policy !== 'skip') this.countPeople();
    return this.view();
  }

  /** The person-in-the-loop counters appear once a campaign can ask (so skip campaigns' stats keep their shape). */
  private countPeople(): void {
    this.state.stats.waitingForPerson ??= this.waiting.size;
    this.state.stats.needsPersonApplications ??= 0;
  }

  // ---- a run -------------------------------------------------------------------------------------------

  startRun(scheduledAt: string | null): CampaignRun {
    const { state } = this;
    const run: CampaignRun = {
      sessionRunId: `run-${++state.runSeq}`,
      startedAt: this.now(),
      completedAt: null,
      scheduledAt,
      status: 'in_progress',
      stats: { jobsFound: 0, applicationsAttempted: 0, applicationsSuccessful: 0, applicationsFailed: 0 },
      error: null,
    };
    this.current = run;
    state.runs.push(run);
    state.stats.totalRuns++;
    state.stats.lastRunAt = run.startedAt;
    return run;
  }

  /** The application id for a job: the job key's (v2), or the caller's jobId for campaigns started before. */
  applicationIdOf(job: CandidateJob): string {
    const { candidateProfileId } = this.input;
    if (this.opts.jobKeys) return applicationStartOptions({ profileId: candidateProfileId, jobUrl: job.link }).workflowId;
    return `${APPLICATION_WORKFLOW_PREFIX}${candidateProfileId}/${legacyJobKeyOf({ jobId: job.jobId, jobUrl: job.link })}`;
  }

  /** The run's entries for the jobs found; the same job twice is one application (v2 keeps the twin, reporting the first's outcome). */
  enqueue(run: CampaignRun, jobs: CandidateJob[], email: string | null): void {
    const seen = new Set<string>();
    this.sameJob.clear();
    for (const job of jobs) {
      const applicationId = this.applicationIdOf(job);
      const twin = seen.has(applicationId);
      if (twin && !this.opts.jobKeys) continue;
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
        search_id: this.input.searchId ?? null,
        result: null,
        error: null,
        already_applied: false,
        candidate_email: email,
        created_at: this.now(),
        updated_at: this.now(),
      };
      this.state.applications.push(entry);
      if (twin) {
        Object.assign(entry, { status: 'PROCESSING', same_job_as: applicationId });
        this.sameJob.set(applicationId, [...(this.sameJob.get(applicationId) ?? []), entry]);
      } else this.queue.push({ entry, job });
    }
    this.state.stats.jobsQueued = this.queue.length;
  }

  /** The next job to start, or undefined when the run has none left (or was stopped). */
  takeNext(): QueuedJob | undefined {
    const next = this.stopped ? undefined : this.queue.shift();
    if (next) this.state.stats.jobsQueued = this.queue.length;
    return next;
  }

  /** Applications in flight that hold a slot (those waiting for a person do not). */
  get busy(): number {
    return this.inFlight.size - this.waiting.size;
  }

  /** Whether another application may start now (not paused, a slot free). */
  mayStart(): boolean {
    return this.stopped || (this.state.status !== 'paused' && this.busy < this.limits.concurrency);
  }

  /** What the child application is started with: the campaign's policy at the time it starts. */
  applicationInput(job: CandidateJob): ApplicationInput {
    const { input } = this;
    const policy = this.opts.person ? this.policy : 'skip';
    return {
      profileId: input.candidateProfileId,
      jobUrl: job.link,
      jobId: job.jobId,
      job: { title: job.title, companyName: job.companyName },
      campaignId: input.campaignId,
      // skip: nobody is watching an autopilot, fields the profile cannot answer fail the application.
      policy,
      ...(policy !== 'skip'
        ? { answerDeadlineMinutes: Math.max(1, Math.round((this.state.personDeadlineHours ?? DEFAULT_PERSON_DEADLINE_HOURS) * 60)) }
        : {}),
      ...(input.answers ? { answers: input.answers } : {}),
      ...(input.overrideEmail ? { overrideEmail: input.overrideEmail } : {}),
    };
  }

  begin(entry: CampaignApplication, run: CampaignRun): void {
    Object.assign(entry, { status: 'PROCESSING', updated_at: this.now() });
    this.state.stats.totalApplications++;
    run.stats.applicationsAttempted++;
    this.inFlight.set(entry.applicationId, entry);
  }

  /** An application's applicationWaiting signal: waiting ones give their slot up; false when it is none of ours in flight. */
  applicationWaiting(msg: ApplicationWaiting): boolean {
    const entry = this.inFlight.get(msg.applicationId);
    if (!entry) return false;
    if (msg.waitingFor) {
      this.waiting.set(msg.applicationId, entry);
      entry.waiting_for = msg.waitingFor;
      if (msg.waitingFor === 'needs_person') entry.status = 'NEEDS_PERSON';
    } else {
      this.waiting.delete(msg.applicationId);
      entry.waiting_for = null;
      if (entry.status === 'NEEDS_PERSON') entry.status = 'PROCESSING';
    }
    entry.updated_at = this.now();
    this.state.stats.waitingForPerson = this.waiting.size;
    return true;
  }

  /** An application's applicationPaced signal (ours): QUEUED until its next day window, or going on; false when none of ours. */
  applicationPaced(msg: ApplicationPaced): boolean {
    const entry = this.inFlight.get(msg.applicationId);
    if (!entry) return false;
    if (msg.nextAttemptAt) this.paced.set(msg.applicationId, msg.nextAttemptAt);
    else this.paced.delete(msg.applicationId);
    Object.assign(entry, {
      status: msg.nextAttemptAt ? 'QUEUED' : 'PROCESSING',
      next_attempt_at: msg.nextAttemptAt,
      updated_at: this.now(),
    });
    this.showPacing();
    return true;
  }

  /**
   * stats.pacedApplications (present once one waited), and nextRunAt: the earliest day window while every
   * application in flight waits (for a window or a person), i.e. when the campaign does something next.
   */
  private showPacing(): void {
    const { stats, status } = this.state;
    if (this.paced.size || stats.pacedApplications !== undefined) stats.pacedApplications = this.paced.size;
    if (this.stopped || status === 'paused') {
      this.scheduledNextRunAt = undefined; // stop and pause show no next run
      return;
    }
    const idle = this.paced.size > 0 && [...this.inFlight.keys()].every((id) => this.paced.has(id) || this.waiting.has(id));
    if (idle) {
      if (this.scheduledNextRunAt === undefined) this.scheduledNextRunAt = stats.nextRunAt;
      stats.nextRunAt = [...this.paced.values()].sort()[0];
    } else if (this.scheduledNextRunAt !== undefined) {
      stats.nextRunAt = this.scheduledNextRunAt;
      this.scheduledNextRunAt = undefined;
    }
  }

  /** The entry as the ledger shows it while another workflow (or an unconfirmed submit) decides. */
  showPending(entry: CampaignApplication, row: LedgerOutcome): void {
    Object.assign(entry, {
      status: row.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'PROCESSING',
      awaiting_until: row.awaitingUntil ?? null,
      updated_at: this.now(),
    });
  }

  /** What the child's result means: settled, or an unconfirmed end whose truth the ledger will have. */
  childFinished(entry: CampaignApplication, run: CampaignRun, result: ApplicationView): ChildOutcome {
    if (result.status === 'UNCONFIRMED' || result.status === 'PROCESSING' || result.status === 'QUEUED') {
      Object.assign(entry, { status: 'UNCONFIRMED', error: result.error, updated_at: this.now() });
      return { kind: 'ask-ledger' };
    }
    this.settle(entry, run, result.status, {
      ats_type: result.provider,
      result: result.result,
      error: result.error,
      already_applied: result.from_ledger,
    });
    return { kind: 'settled' };
  }

  /** The ledger's final row for an unconfirmed child. */
  ledgerSettled(entry: CampaignApplication, run: CampaignRun, row: LedgerOutcome): void {
    this.settle(entry, run, row.status, {
      ats_type: row.provider,
      result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null,
      error: row.error,
    });
  }

  /** REJECT_DUPLICATE: another workflow owns this (profile, job); the ledger's row (null: it did not finish in time) is the outcome. */
  duplicateSettled(entry: CampaignApplication, run: CampaignRun, row: LedgerOutcome | null): void {
    if (!row) {
      this.settle(entry, run, 'FAILED', { error: 'already being applied to by another workflow, which did not finish in time' });
      return;
    }
    const ok = row.status === 'SUCCESS';
    // Parked for a person by the workflow that owns it: the same here (only the person-in-the-loop path reads such rows as final).
    const status = ok ? 'SUCCESS' : row.status === 'NEEDS_PERSON' ? 'NEEDS_PERSON' : 'FAILED';
    this.settle(entry, run, status, {
      ats_type: row.provider,
      result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null,
      error: ok ? null : `already attempted: ${row.error ?? row.status}`,
      already_applied: true,
    });
  }

  settle(entry: CampaignApplication, run: CampaignRun, status: ApplicationStatus, fields: Partial<CampaignApplication>): void {
    const { stats } = this.state;
    const after = {
      ...(this.opts.person ? { waiting_for: null } : {}),
      ...(entry.next_attempt_at !== undefined ? { next_attempt_at: null } : {}),
    };
    Object.assign(entry, fields, { status, awaiting_until: null, updated_at: this.now() }, after);
    for (const twin of this.sameJob.get(entry.applicationId) ?? []) {
      Object.assign(twin, fields, { status, already_applied: twin.already_applied, awaiting_until: null, updated_at: this.now() }, after);
    }
    if (this.inFlight.delete(entry.applicationId) && this.waiting.delete(entry.applicationId)) stats.waitingForPerson = this.waiting.size;
    this.paced.delete(entry.applicationId);
    if (this.paced.size || this.scheduledNextRunAt !== undefined || stats.pacedApplications) this.showPacing();
    if (status === 'SUCCESS') {
      stats.successfulApplications++;
      run.stats.applicationsSuccessful++;
    } else if (status === 'FAILED' && isLimitRefusal(fields.error)) {
      // Not started: a limit, not a failure, and not an application.
      stats.limitReachedApplications = (stats.limitReachedApplications ?? 0) + 1;
      run.stats.applicationsLimitReached = (run.stats.applicationsLimitReached ?? 0) + 1;
      stats.totalApplications--;
      run.stats.applicationsAttempted--;
    } else if (status === 'NEEDS_PERSON') {
      // Parked for a person (captcha, login wall): not a failure of the automation's answers.
      stats.needsPersonApplications = (stats.needsPersonApplications ?? 0) + 1;
    } else {
      stats.failedApplications++;
      run.stats.applicationsFailed++;
    }
  }

  /** Whether a settled entry is a failure worth telling the webhooks (a limit refusal is not a failure). */
  failedNotice(entry: CampaignApplication): boolean {
    return entry.status === 'FAILED' && !isLimitRefusal(entry.error);
  }

  /** The run's search (or anything before its applications) failed. */
  runFailed(run: CampaignRun, error: string): void {
    run.status = this.stopped ? 'cancelled' : 'failed';
    run.error = error;
    // A one-off campaign whose only run failed (its search, say) did not complete: it failed, and says why.
    if (this.opts.jobKeys && !this.stopped && this.input.type !== 'autopilot_recurring') {
      this.state.error = `run ${run.sessionRunId} failed: ${run.error}`;
      this.setStatus('failed');
    }
  }

  /** The run is over: bounded state (older runs are in the totals; older applications are found by SA.campaignId). */
  finishRun(run: CampaignRun): void {
    if (run.status === 'in_progress') run.status = 'completed';
    run.completedAt = this.now();
    this.current = null;
    const { state } = this;
    if (state.runs.length > MAX_RUNS_KEPT) state.runs = state.runs.slice(-MAX_RUNS_KEPT);
    if (state.applications.length > MAX_APPLICATIONS_KEPT) state.applications = state.applications.slice(-MAX_APPLICATIONS_KEPT);
  }

  // ---- the schedule ------------------------------------------------------------------------------------

  /** The next tick to run at, from the later of now and the last tick run: a tick is never run twice, missed ticks are not replayed. */
  nextTick(nowMs: number): Date {
    const { state } = this;
    const from = Math.max(nowMs, state.scheduleFrom ? Date.parse(state.scheduleFrom) : 0);
    const due = nextRunAt(this.input.schedule!, new Date(from));
    state.stats.nextRunAt = state.status === 'paused' ? null : due.toISOString();
    return due;
  }

  shouldContinueAsNew(runsThisGeneration: number, suggested: boolean): boolean {
    return !this.stopped && (runsThisGeneration >= RUNS_PER_GENERATION || suggested);
  }

  /** The next generation's input: the same settings, with the state so far. */
  continued(): CampaignInput {
    const { carried: _, ...settings } = this.input;
    this.state.generations++;
    if (this.opts.person) this.state.eventSeq = this.eventSeq;
    return { ...settings, carried: this.state };
  }

  // ---- notifications -------------------------------------------------------------------------------------

  /** The webhooks signal: how many active webhooks the campaign has now. */
  setWebhooks(active: number): void {
    if (this.opts.person && Number.isInteger(active) && active >= 0) this.state.webhooks = active;
  }

  /** Whether events go to webhooks: only campaigns since policies, and only while they have some. */
  get notifying(): boolean {
    return this.opts.person && (this.state.webhooks ?? 0) > 0;
  }

  /** A deterministic delivery id for the next event: the same on every replay, unique per campaign. */
  nextDeliveryId(): string {
    return `${this.opts.workflowId}/event-${++this.eventSeq}`;
  }
}
