/**
 * ApplicationRun: the application workflow's logic over its state (./state.ts), calling activities,
 * waiting and writing the ledger. Deterministic code only; the workflow function (./workflow.ts) registers
 * the handlers and drives it. Every command here (activity, timer, upsert, signal) keeps the order the
 * recorded histories have; new ones are behind patched() ids (see the exports below).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { JoboFailure } from '../jobo/failureTypes';
import { applicationFailureIn, describeFailure as describe } from '../shared/failures';
import { OpenUpstreamSessions, expiredUpstream, redirectProblem, sessionCreateKey, upstreamRetry } from '../shared/upstreamSession';
import { SA } from '../searchAttributes';
import { applicationPacedSignal, applicationWaitingSignal } from '../campaign/messages';
import type { ApplicationActivities, ClaimAnswer, LedgerSummary } from './activities';
import type { ProfileActivities } from '../profile/activities';
import { MAX_ATTEMPTS, canonicalJobUrl, type ApplicationAttempt, type ApplicationInput, type ApplicationStatus } from './input';
import { ApplicationFailureType, type AnswerQuestionRequest, type PersonTaskKind } from './messages';
import { ApplicationState, isFinal, personWall, type AttemptOutcome } from './state';

/**
 * Runs started before the job-key change keep their command sequence (caller-keyed ledger, 409 → new
 * session, no UNCONFIRMED); every run started since takes the job-keyed paths.
 */
export const NEVER_TWICE_PATCH = 'never-twice-by-job';
/** The claim reserves one application of the profile owner's limits and may answer limit_reached. */
export const USER_LIMITS_PATCH = 'user-limits';
/**
 * A person task (question, review, needs_person) writes the ledger when it closes, and tells the campaign
 * that started the application when it opens and closes (applicationWaiting).
 */
export const PERSON_TASKS_PATCH = 'person-tasks';
/** A captcha or login wall parks the application NEEDS_PERSON (before: FAILED with the upstream's error). */
export const NEEDS_PERSON_PATCH = 'needs-person';
/** answerQuestion's `remember` stores the answers for the profile (rememberAnswers). */
export const REMEMBER_ANSWERS_PATCH = 'remember-answers';
/**
 * Ours (issue 17): the claim asks the user's daily caps too; past one the application waits QUEUED for the
 * next day window (a timer), tells its campaign (applicationPaced) and claims again.
 */
export const DAILY_PACING_PATCH = 'daily-pacing';

/** How long an unknown submit outcome is asked about before the application ends UNCONFIRMED. */
export const RECONCILE_WINDOW_MS = 24 * 60 * 60_000;
const RECONCILE_FIRST_WAIT_MS = 5_000;
const RECONCILE_MAX_WAIT_MS = 10 * 60_000;

const { ProfileNotReady, NotInWorkflow, AnswerFileMissing, LedgerRowMissing } = ApplicationFailureType;

/** Upstream calls heartbeat: a worker killed mid-call is noticed after 10 s, not after start-to-close. */
const upstream: ActivityOptions = {
  startToCloseTimeout: '45s', // above the client's 30 s request timeout
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  retry: upstreamRetry(ProfileNotReady, AnswerFileMissing, NotInWorkflow), // + every typed Jobo refusal
};
/** Ending an upstream session keeps trying longer: an open session is what we avoid. */
const cleanup: ActivityOptions = { ...upstream, scheduleToCloseTimeout: '15m', retry: upstreamRetry(NotInWorkflow) };
/** The ledger keeps trying: a ledger that disagrees with the upstream is what we avoid. */
const ledger: ActivityOptions = { startToCloseTimeout: '10s', retry: upstreamRetry(NotInWorkflow) };
/** The profile's remembered answers: a failure there never fails the application. */
const profileAnswers: ActivityOptions = {
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '2m',
  retry: upstreamRetry('InvalidRememberRequest'),
}; // ProfileFailureType (activity code: not bundled)

const { applicationStartSession, applicationSubmitPage, applicationGetSession, answerApplicationPage } =
  proxyActivities<ApplicationActivities>(upstream);
const { applicationEndSession } = proxyActivities<ApplicationActivities>(cleanup);
const { claimApplication, applicationLedgerRow, openApplication, recordApplication } = proxyActivities<ApplicationActivities>(ledger);

const { rememberAnswers } = proxyActivities<ProfileActivities>(profileAnswers);

/** Upstream answers that say the request was refused before anything was done: its outcome is known. */
const REFUSED: readonly string[] = [
  JoboFailure.BadRequest,
  JoboFailure.Unauthorized,
  JoboFailure.Forbidden,
  JoboFailure.PayloadTooLarge,
  JoboFailure.RateLimited,
];

/** The upstream failure behind an ActivityFailure, if any. */
function joboType(err: unknown): string | undefined {
  return applicationFailureIn(err, (f) => !!f.type)?.type ?? undefined;
}

export class ApplicationRun {
  readonly state: ApplicationState;
  private readonly root = CancellationScope.current();
  private readonly openSessions = new OpenUpstreamSessions((sessionId) => applicationEndSession({ sessionId }), describe);
  /** patched(PERSON_TASKS_PATCH), decided when the first task opens (its close then does the same). */
  private personTasks: boolean | undefined;

  constructor(readonly input: ApplicationInput) {
    const { workflowId, runStartTime } = workflowInfo();
    this.state = new ApplicationState(input, {
      workflowId,
      runStartedAt: runStartTime.toISOString(),
      v2: patched(NEVER_TWICE_PATCH),
      now: () => Date.now(),
    });
  }

  get view() {
    return this.state.view;
  }

  private get v2(): boolean {
    return this.state.info.v2;
  }

  /** The memo and search attributes every application carries. */
  announce(): void {
    const { input, v2 } = this;
    upsertMemo({ jobUrl: input.jobUrl });
    upsertSearchAttributes([
      { key: SA.kind, value: 'application' },
      { key: SA.profileId, value: input.profileId },
      { key: SA.jobUrl, value: v2 ? canonicalJobUrl(input.jobUrl) : input.jobUrl },
      { key: SA.status, value: this.view.status },
      ...(input.campaignId ? [{ key: SA.campaignId, value: input.campaignId }] : []),
    ]);
  }

  /** Runs the application to its end; a cancel records CANCELLED unless the upstream's outcome stands. */
  async execute(): Promise<void> {
    try {
      await this.run();
      await condition(allHandlersFinished);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // What the upstream did stands: a SUCCESS, an unconfirmed submit or a wall a person must pass is never recorded as CANCELLED.
      const view = this.view;
      if (
        this.v2 &&
        (view.status === 'SUCCESS' || view.status === 'UNCONFIRMED' || view.status === 'NEEDS_PERSON' || view.attached_to !== null)
      )
        return;
      await CancellationScope.nonCancellable(async () => {
        await this.openSessions.endAll();
        const last = view.attempts[view.attempts.length - 1];
        if (last?.status === 'processing') Object.assign(last, { status: 'cancelled', finished_at: this.state.now() });
        this.state.closeTask();
        view.error = 'cancelled';
        await this.setStatus('CANCELLED');
      });
      throw err;
    } finally {
      // Every path out, cancellation and bugs included, leaves no upstream session open.
      await CancellationScope.nonCancellable(() => this.openSessions.endAll());
    }
  }

  // ---- handlers' side ----------------------------------------------------------------------------

  /** A person's answers (submitAnswers, answerQuestion): taken, then the update waits for the page's outcome. */
  async answer(payload: AnswerQuestionRequest): Promise<void> {
    const before = { submissions: this.state.submissions, tasksOpened: this.state.tasksOpened };
    const remember = this.state.toRemember(payload);
    this.state.take(payload);
    if (remember.length && patched(REMEMBER_ANSWERS_PATCH)) {
      try {
        await rememberAnswers({ profileId: this.input.profileId, answers: remember });
      } catch (err) {
        // The answer counts for this application either way; the next form asks again.
        log.warn('could not remember the answers', { fields: remember.map((r) => r.label), error: describe(err) });
      }
    }
    // Returns once the page went upstream (or the application ended, or asks again).
    await condition(() => this.state.settledSince(before));
  }

  /**
   * approveReview / rejectReview: the verdict was taken; the update returns once the application ended (or
   * is unconfirmed), or once the page went in and a person is asked again (a later page under review).
   */
  async decided(): Promise<void> {
    const { state, view } = this;
    const before = state.submissions;
    await condition(() => isFinal(view.status) || view.status === 'UNCONFIRMED' || (state.submissions !== before && state.task !== null));
  }

  // ---- the run -----------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const { state, view } = this;
    if (this.v2) {
      if (!(await this.claim())) return;
    } else if (await this.legacyOpen()) return;
    await this.setStatus('PROCESSING');
    for (let n = 1; ; n++) {
      const a: ApplicationAttempt = { attempt: n, status: 'processing', timestamp: state.now() };
      view.attempts.push(a);
      await recordApplication(state.ledgerUpdate());
      let outcome: AttemptOutcome;
      try {
        outcome = await this.attempt(a);
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        outcome = { kind: 'failed', error: describe(err) }; // an activity out of retries (upstream down, bad profile)
      }
      a.finished_at = state.now();
      if (outcome.kind === 'submitted') {
        a.status = 'success';
        view.result = { confirmationUrl: outcome.url };
        view.error = null;
        return this.setStatus('SUCCESS');
      }
      view.error = outcome.error;
      if (outcome.kind === 'unconfirmed') return; // the ledger row stays UNCONFIRMED: never applied again blindly
      a.status = outcome.kind === 'rejected' ? 'cancelled' : 'failed';
      a.error = outcome.error;
      if (outcome.kind === 'needs_person') return this.parkForPerson(outcome.url);
      if (outcome.kind === 'rejected') return this.setStatus('CANCELLED');
      if (outcome.kind === 'failed' || n >= MAX_ATTEMPTS) return this.setStatus('FAILED');
    }
  }

  /** One try: an upstream session (following redirects) driven to a terminal status. */
  private async attempt(a: ApplicationAttempt): Promise<AttemptOutcome> {
    const { state, input, view } = this;
    state.startAttempt();
    let live = await this.open(input.jobUrl, `attempt-${a.attempt}/hop-${state.hops}`);
    a.session_id = live.session_id;
    for (;;) {
      state.live = live;
      this.setProvider(live.provider_id);
      // v2: a submitted application returns at once, before anything cancellable (the session is ended on the way out).
      if (this.v2 && live.status === 'submitted') return { kind: 'submitted', url: live.current_url ?? input.jobUrl };
      if (live.is_terminal) {
        await this.openSessions.end(live.session_id);
        if (live.status === 'redirect_required') {
          const problem = redirectProblem(live.redirect_url, state.hops);
          if (problem) return { kind: 'failed', error: problem };
          live = await this.open(live.redirect_url!, `attempt-${a.attempt}/hop-${++state.hops}`);
          a.session_id = live.session_id;
          continue;
        }
        return state.terminalOutcome(live, personWall(live) && patched(NEEDS_PERSON_PATCH));
      }

      const sessionId = live.session_id;
      const auto = await answerApplicationPage({
        profileId: input.profileId,
        jobUrl: input.jobUrl,
        ...(input.jobId ? { jobId: input.jobId } : {}),
        ...(input.overrideEmail ? { overrideEmail: input.overrideEmail } : {}),
        ...(input.job ? { job: input.job } : {}),
        fields: live.fields,
      });
      const reasons = new Map(auto.missing.map((m) => [m.field, `${m.label}: ${m.reason}`]));
      for (;;) {
        state.fill(live.fields, auto.answers);
        const missing = state.missingOf(reasons);
        if (missing.size === 0) {
          if (!state.needsReview(live)) break;
          const verdict = await this.review();
          if (verdict === 'approved') break;
          if (verdict === 'timeout') return { kind: 'failed', error: 'no review before deadline' };
          await this.openSessions.end(sessionId);
          return { kind: 'rejected', error: `rejected on review: ${verdict.reason}` };
        }
        if (view.policy === 'skip') {
          const list = [...missing].map(([field, why]) => `${field} (${why})`).join('; ');
          return { kind: 'failed', error: `required fields the profile cannot answer: ${list}` };
        }
        if (!(await this.ask(missing))) return { kind: 'failed', error: `no answer before deadline: ${[...missing.keys()].join(', ')}` };
      }

      // Numbered by responses, not attempts: a retried call sends the same key and gets the first response.
      const idempotencyKey = `${state.info.workflowId}/${sessionId}/${state.submissions + 1}`;
      try {
        live = await this.settled(
          () => applicationSubmitPage({ sessionId, answers: state.current.answers, idempotencyKey }),
          (s) => s.status === 'submitted',
        );
      } catch (err) {
        const type = joboType(err);
        if (this.v2 && !isCancellation(err) && !(type && REFUSED.includes(type))) {
          // The page may or may not have gone in; the upstream's session state decides, never a resend.
          return await this.settleUnknown(sessionId, describe(err));
        }
        if (!isCancellation(err) && (type === JoboFailure.Conflict || type === JoboFailure.NotFound)) {
          // Either way a new attempt opens a new session; the attempt's error says which it was.
          const expired = expiredUpstream(await this.upstreamState(sessionId));
          if (expired) this.openSessions.forget(sessionId);
          else await this.openSessions.end(sessionId); // idempotent upstream: a no-op if it is gone
          return { kind: 'retry', error: `${expired ? 'the upstream session expired' : 'the upstream session closed'}: ${describe(err)}` };
        }
        throw err;
      } finally {
        // Wakes an update waiting for this page's outcome, whatever it was.
        state.submissions++;
      }
      const refused = state.afterSubmit(live);
      if (refused) return refused;
    }
  }

  /** Waits for a person's answers (policy ask or review); false when the deadline passed first. */
  private async ask(missing: Map<string, string>): Promise<boolean> {
    const { state } = this;
    const seen = state.answered;
    state.openQuestion(missing);
    // The ledger shows the wait (a campaign attached to this application reports it as waiting).
    if (this.v2) await CancellationScope.nonCancellable(() => recordApplication(state.ledgerUpdate()));
    await this.tellCampaign('question');
    const got = await condition(() => state.answered !== seen, state.deadlineMs);
    await this.closeTask();
    return got;
  }

  /** Policy review: waits for a person's verdict on the filled page before it is submitted. */
  private async review(): Promise<'approved' | 'timeout' | { reason: string }> {
    const { state } = this;
    // Review is new with this patch's code: no recorded run reaches it unpatched.
    this.personTasks ??= patched(PERSON_TASKS_PATCH);
    state.openReview();
    await CancellationScope.nonCancellable(() => recordApplication(state.ledgerUpdate()));
    await this.tellCampaign('review');
    const got = await condition(() => state.verdict !== null, state.deadlineMs);
    const verdict = state.verdict;
    await this.closeTask();
    if (!got || !verdict) return 'timeout';
    return verdict.approved ? 'approved' : { reason: verdict.reason };
  }

  /** A captcha or login wall: NEEDS_PERSON with the live URL, final for the automation (a person finishes by hand). */
  private async parkForPerson(liveUrl: string): Promise<void> {
    this.state.openNeedsPerson(liveUrl);
    this.personTasks ??= patched(PERSON_TASKS_PATCH);
    await this.setStatus('NEEDS_PERSON');
    await this.tellCampaign('needs_person');
  }

  /** The task closed: the ledger and the campaign hear of it (runs before PERSON_TASKS_PATCH: the next write shows it). */
  private async closeTask(): Promise<void> {
    this.state.closeTask();
    if (!this.personTasks) return;
    await CancellationScope.nonCancellable(() => recordApplication(this.state.ledgerUpdate()));
    await this.tellCampaign(null);
  }

  /**
   * A campaign's application tells it when it starts and stops waiting for a person, so the campaign frees
   * the concurrency slot meanwhile. A campaign that is gone does not fail the application.
   */
  private async tellCampaign(waitingFor: PersonTaskKind | null): Promise<void> {
    this.personTasks ??= patched(PERSON_TASKS_PATCH);
    const parent = workflowInfo().parent;
    if (!this.personTasks || !parent) return;
    try {
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(applicationWaitingSignal, {
          applicationId: this.state.info.workflowId,
          waitingFor,
        }),
      );
    } catch (err) {
      log.warn('could not tell the campaign', { campaign: parent.workflowId, waitingFor, error: describe(err) });
    }
  }

  // ---- upstream sessions -------------------------------------------------------------------------

  /**
   * Upstream calls that change upstream state finish even when cancelled, so their outcome is never lost.
   * A cancel is honoured after a call only when it cannot have applied: before v2 always (the old rule).
   */
  private async settled<T>(fn: () => Promise<T>, applied?: (result: T) => boolean): Promise<T> {
    const result = await CancellationScope.nonCancellable(fn);
    if (this.root.consideredCancelled && !(this.v2 && applied?.(result))) throw new CancelledFailure('application cancelled');
    return result;
  }

  /** Opens an upstream session; `which` names it (attempt, hop) in the Idempotency-Key, so retries reuse it. */
  private async open(jobUrl: string, which: string) {
    const idempotencyKey = sessionCreateKey(which);
    const live = await this.settled(() => applicationStartSession({ jobUrl, profileId: this.input.profileId, idempotencyKey }));
    this.openSessions.add(live.session_id);
    this.state.page = 1;
    return live;
  }

  /** The upstream lifecycle state of a session (000), or null when it cannot be read. */
  private async upstreamState(sessionId: string): Promise<string | null> {
    try {
      return (await applicationGetSession({ sessionId })).state;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not read the upstream session', { sessionId, error: describe(err) });
      return null;
    }
  }

  private reconciled(sessionId: string, upstreamState: string | null, why: string): AttemptOutcome | null {
    const outcome = this.state.reconciled(upstreamState, why);
    if (outcome) this.openSessions.forget(sessionId);
    return outcome;
  }

  /**
   * A submit whose outcome is not known. `completed` upstream is a submitted application; `failed` or
   * `closed` without completing means nothing went in (a new session may try again); otherwise the
   * request may still be in flight: the application is UNCONFIRMED and the upstream is asked again, with
   * backoff, for RECONCILE_WINDOW_MS. The session is left open meanwhile (ending it could close a submit
   * in flight).
   */
  private async settleUnknown(sessionId: string, why: string): Promise<AttemptOutcome> {
    // The first word and the UNCONFIRMED record survive a cancel; the waiting after them may be cancelled
    // (the row then stays UNCONFIRMED, to be settled by the next claim).
    const known = await CancellationScope.nonCancellable(async () => {
      const outcome = this.reconciled(sessionId, await this.upstreamState(sessionId), why);
      if (outcome) return outcome;
      this.openSessions.forget(sessionId);
      this.view.error = `submit outcome unknown, asking the upstream: ${why}`;
      await this.setStatus('UNCONFIRMED');
      return null;
    });
    if (known) return known;
    const until = Date.now() + RECONCILE_WINDOW_MS;
    for (let wait = RECONCILE_FIRST_WAIT_MS; Date.now() < until; wait = Math.min(2 * wait, RECONCILE_MAX_WAIT_MS)) {
      await sleep(Math.min(wait, Math.max(1, until - Date.now())));
      const outcome = this.reconciled(sessionId, await this.upstreamState(sessionId), why);
      // Once UNCONFIRMED, "not completed" ends the application FAILED (a retry is an explicit act).
      if (outcome) return outcome.kind === 'retry' ? { kind: 'failed', error: outcome.error } : outcome;
    }
    return { kind: 'unconfirmed', error: `the upstream never said whether the submit went in: ${why}` };
  }

  // ---- the ledger --------------------------------------------------------------------------------

  /** Status writes are not cancellable: the ledger says what happened, even when we were cancelled meanwhile. */
  private async setStatus(status: ApplicationStatus): Promise<void> {
    this.view.status = status;
    this.view.updated_at = this.state.now();
    upsertSearchAttributes([{ key: SA.status, value: status }]);
    await CancellationScope.nonCancellable(() => recordApplication(this.state.ledgerUpdate()));
  }

  private setProvider(provider: string | null): void {
    if (!provider || provider === this.view.provider) return;
    this.view.provider = provider;
    upsertSearchAttributes([{ key: SA.provider, value: provider }]);
  }

  private report(row: LedgerSummary, alreadyApplied: boolean): void {
    this.state.report(row, alreadyApplied);
    upsertSearchAttributes([{ key: SA.status, value: row.status }, ...(row.provider ? [{ key: SA.provider, value: row.provider }] : [])]);
  }

  /** v2: the claim decides whether this run applies, attaches, settles an unconfirmed submit or is done. */
  private async claim(): Promise<boolean> {
    const enforceLimits = patched(USER_LIMITS_PATCH);
    const pacing = enforceLimits && patched(DAILY_PACING_PATCH);
    let waited = false;
    for (;;) {
      const answer = await claimApplication({
        ...this.state.ledgerUpdate(),
        retryOf: this.input.retryOf ?? null,
        ...(enforceLimits ? { enforceLimits } : {}),
        // The day counted is the workflow's own (deterministic; the window it waits for is on the same clock).
        ...(pacing ? { pacing, at: new Date().toISOString() } : {}),
      });
      if (answer.kind !== 'paced') {
        if (waited) await this.tellCampaignPaced(null);
        return this.claimed(answer);
      }
      waited = true;
      await this.waitForWindow(answer.until);
    }
  }

  /** A daily cap is used up: QUEUED until the next day window (a timer; a cancel meanwhile ends it CANCELLED). */
  private async waitForWindow(until: string): Promise<void> {
    const { view, state } = this;
    Object.assign(view, { status: 'QUEUED', next_attempt_at: until, updated_at: state.now() });
    await this.tellCampaignPaced(until);
    await sleep(Math.max(1, Date.parse(until) - Date.now()));
    Object.assign(view, { next_attempt_at: null, updated_at: state.now() });
  }

  /** Tells the campaign that started the application when it waits for a day window and when it goes on. */
  private async tellCampaignPaced(nextAttemptAt: string | null): Promise<void> {
    const parent = workflowInfo().parent;
    if (!parent) return;
    try {
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(applicationPacedSignal, {
          applicationId: this.state.info.workflowId,
          nextAttemptAt,
        }),
      );
    } catch (err) {
      log.warn('could not tell the campaign', { campaign: parent.workflowId, nextAttemptAt, error: describe(err) });
    }
  }

  /** What the claim's answer (other than paced) means for this run: true when it applies. */
  private async claimed({ kind, row }: Exclude<ClaimAnswer, { kind: 'paced' }>): Promise<boolean> {
    if (kind === 'claimed') return true;
    if (kind === 'limit_reached') {
      // The user's total or monthly limit is used up: FAILED `limit_reached: …`, nothing went upstream.
      this.report(row, false);
      return false;
    }
    if (kind === 'succeeded') this.report(row, true);
    else if (kind === 'owned') await this.attach(row);
    else if (!(await this.settleClaimed(row))) {
      this.view.error = row.error;
      log.warn('unconfirmed application without a session to ask about', { workflowId: this.state.info.workflowId });
    }
    return false;
  }

  /** Another workflow owns this (profile, job): wait for its final word in the ledger and report it. */
  private async attach(owner: LedgerSummary): Promise<void> {
    const { view, state } = this;
    view.attached_to = owner.workflowId;
    let row: LedgerSummary | null = owner;
    const until = Date.now() + RECONCILE_WINDOW_MS;
    for (let wait = 2_000; row && !isFinal(row.status); wait = Math.min(2 * wait, RECONCILE_MAX_WAIT_MS)) {
      if (row.status === 'UNCONFIRMED' && Date.now() >= until) break;
      view.status = row.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'PROCESSING';
      view.updated_at = state.now();
      await sleep(wait);
      row = await applicationLedgerRow({ profileId: this.input.profileId, jobKey: view.job_id });
    }
    if (!row) throw ApplicationFailure.nonRetryable(`the ledger row of ${owner.workflowId} is gone`, LedgerRowMissing);
    this.report(row, true);
  }

  /** This run owns a row whose last submit was never confirmed: settle it from the upstream first. */
  private async settleClaimed(row: LedgerSummary): Promise<boolean> {
    const { view, state } = this;
    view.attempts = row.attempts;
    const sessionId = [...row.attempts].reverse().find((a) => a.session_id)?.session_id;
    view.status = 'UNCONFIRMED';
    if (!sessionId) return false;
    const outcome = await this.settleUnknown(sessionId, row.error ?? 'an earlier run did not learn the outcome');
    const last = view.attempts[view.attempts.length - 1];
    if (outcome.kind === 'submitted') {
      if (last) Object.assign(last, { status: 'success', finished_at: state.now() });
      view.result = { confirmationUrl: outcome.url };
      view.error = null;
      await this.setStatus('SUCCESS');
    } else if (outcome.kind === 'unconfirmed') {
      view.error = outcome.error;
    } else {
      if (last) Object.assign(last, { status: 'failed', error: outcome.error, finished_at: state.now() });
      view.error = outcome.error;
      await this.setStatus('FAILED');
    }
    return true;
  }

  /** Runs started before v2: the caller-keyed SUCCESS check. True when the ledger already had it. */
  private async legacyOpen(): Promise<boolean> {
    const opened = await openApplication(this.state.ledgerUpdate());
    if (!opened.prior) return false;
    const prior = opened.prior;
    Object.assign(this.view, {
      status: 'SUCCESS',
      provider: prior.provider,
      result: prior.confirmationUrl ? { confirmationUrl: prior.confirmationUrl } : null,
      attempts: prior.attempts,
      from_ledger: true,
      updated_at: this.state.now(),
    });
    upsertSearchAttributes([
      { key: SA.status, value: 'SUCCESS' },
      ...(prior.provider ? [{ key: SA.provider, value: prior.provider }] : []),
    ]);
    return true;
  }
}
