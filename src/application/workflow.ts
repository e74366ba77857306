/**
 * application: one candidate profile applies to one job, automatically, at most once.
 *
 * "At most once" rests on the job itself, never on the upstream honouring Idempotency-Keys (the documents
 * do not say it does; the keys are still sent):
 * - the job key is the canonical apply URL's (src/shared/jobKey.ts), so the workflow id
 *   `application/<profile>/<job key>` started with REJECT_DUPLICATE + USE_EXISTING attaches every start for
 *   the same job, however the caller names it;
 * - before anything goes upstream the run claims the ledger row of (profile, job key); a row owned by
 *   another workflow is attached to (its outcome is reported), a SUCCESS is returned as is;
 * - a page submit whose outcome is not known (lost response, 409/404, worker gone) is never sent again
 *   blindly: the upstream's session state (000) decides, and until it does the application is UNCONFIRMED;
 * - the final submit and its ledger write run to the end even when the application is cancelled, so the
 *   recorded status is what the upstream did.
 *
 * It drives an automated upstream session page by page with the answer engine's answers (computed in an
 * activity, so the profile never enters history), and when required fields remain it follows the
 * caller's policy: `skip` fails naming them, `ask` waits for a person's answers through the interactive
 * session's `submitAnswers` update or `answers` signal, until a deadline.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApplicationActivities, LedgerSummary, LedgerUpdate } from './activities';
import {
  DEFAULT_ANSWER_DEADLINE_MINUTES,
  MAX_ATTEMPTS,
  canonicalJobUrl,
  forValidation,
  formatProblems,
  jobKeyOf,
  legacyJobKeyOf,
  validateApplicationInput,
  type ApplicationAttempt,
  type ApplicationInput,
  type ApplicationStatus,
  type CallerAnswer,
  type ApplicationView,
} from './input';
import { validateAnswers } from '../forms/validate';
import { JoboFailure } from '../jobo/failureTypes';
import { applicationFailureIn, describeFailure } from '../shared/failures';
import type { AnswerValue, FieldProblem, FormField, LiveSessionState } from '../jobo/schemas';
import { SA } from '../searchAttributes';
import { ApplicationFailureType, applicationQuery } from './messages';
import { invalidAnswers } from '../interactiveSession/workflow';
import { answersSignal, submitAnswersUpdate, type SessionAnswers, type SessionView } from '../interactiveSession/messages';
import { OpenUpstreamSessions, expiredUpstream, invalidFailure, redirectProblem, sessionCreateKey, upstreamRetry } from '../shared/upstreamSession';

export type { ApplicationInput, ApplicationView };

const retry = upstreamRetry('ProfileNotReady', 'NotInWorkflow');
// Heartbeating activities: a worker killed mid-call is noticed after 10 s, not after start-to-close.
const upstream = proxyActivities<ApplicationActivities>({
  startToCloseTimeout: '45s', // above the client's 30 s request timeout
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  retry,
});
// Ending and the ledger keep trying: an open upstream session or a ledger that disagrees is what we avoid.
const cleanup = proxyActivities<ApplicationActivities>({
  startToCloseTimeout: '45s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '15m',
  retry,
});
const ledger = proxyActivities<ApplicationActivities>({ startToCloseTimeout: '10s', retry });

/**
 * Runs started before the job-key change keep their command sequence (caller-keyed ledger, 409 → new
 * session, no UNCONFIRMED); every run started since takes the paths described at the top.
 */
export const NEVER_TWICE_PATCH = 'never-twice-by-job';
/** The claim reserves one application of the profile owner's limits and may answer limit_reached. */
export const USER_LIMITS_PATCH = 'user-limits';

/** How long an unknown submit outcome is asked about before the application ends UNCONFIRMED. */
export const RECONCILE_WINDOW_MS = 24 * 60 * 60_000;
const RECONCILE_FIRST_WAIT_MS = 5_000;
const RECONCILE_MAX_WAIT_MS = 10 * 60_000;

type AttemptOutcome =
  | { kind: 'submitted'; url: string }
  | { kind: 'failed'; error: string }
  | { kind: 'retry'; error: string }
  | { kind: 'unconfirmed'; error: string };

/** Upstream answers that say the request was refused before anything was done: its outcome is known. */
const REFUSED: readonly string[] = [JoboFailure.BadRequest, JoboFailure.Unauthorized, JoboFailure.Forbidden, JoboFailure.PayloadTooLarge, JoboFailure.RateLimited];

/** The upstream failure behind an ActivityFailure, if any. */
function joboType(err: unknown): string | undefined {
  return applicationFailureIn(err, (f) => !!f.type)?.type ?? undefined;
}

const describe = describeFailure;

export async function application(input: ApplicationInput): Promise<ApplicationView> {
  const inputProblems = validateApplicationInput(input);
  if (inputProblems.length) throw invalidFailure(ApplicationFailureType.InvalidInput, 'invalid input', inputProblems);
  const root = CancellationScope.current();
  const { workflowId, runStartTime } = workflowInfo();
  const v2 = patched(NEVER_TWICE_PATCH);
  const now = () => new Date().toISOString(); // workflow time: deterministic
  const deadlineMs = (input.answerDeadlineMinutes ?? DEFAULT_ANSWER_DEADLINE_MINUTES) * 60_000;
  const view: ApplicationView = {
    workflow_id: workflowId,
    profile_id: input.profileId,
    job_id: v2 ? jobKeyOf(input) : legacyJobKeyOf(input),
    job_ref: input.jobId ?? null,
    job_url: input.jobUrl,
    campaign_id: input.campaignId ?? null,
    policy: input.policy ?? 'skip',
    status: 'QUEUED',
    provider: null,
    result: null,
    error: null,
    attempts: [],
    awaiting: null,
    from_ledger: false,
    attached_to: null,
    created_at: now(),
    updated_at: now(),
  };

  // The upstream session being driven (shown to a person as a SessionView by the update).
  let live: LiveSessionState | null = null;
  let page = 1;
  let pagesAnswered = 0;
  /** Redirects followed by the current attempt. */
  let hops = 0;
  let submissions = 0;
  const openSessions = new OpenUpstreamSessions((sessionId) => cleanup.applicationEndSession({ sessionId }), describe);
  /** The current page: its fields and the answers we would submit now (engine, caller, person). */
  let current: { fields: FormField[]; answers: Record<string, CallerAnswer> } = { fields: [], answers: {} };
  /** A person's answers by field name; kept across pages, redirects and attempts (same field, same answer). */
  const given: Record<string, AnswerValue> = {};
  /** Fields the form rejected, until a person answers them again. */
  const rejected = new Map<string, string>();
  let answered = 0;
  let signalProblems: FieldProblem[] = [];

  upsertMemo({ jobUrl: input.jobUrl });
  upsertSearchAttributes([
    { key: SA.kind, value: 'application' },
    { key: SA.profileId, value: input.profileId },
    { key: SA.jobUrl, value: v2 ? canonicalJobUrl(input.jobUrl) : input.jobUrl },
    { key: SA.status, value: view.status },
    ...(input.campaignId ? [{ key: SA.campaignId, value: input.campaignId }] : []),
  ]);

  function ledgerUpdate(): LedgerUpdate {
    return {
      profileId: input.profileId,
      jobId: view.job_id,
      jobUrl: input.jobUrl,
      jobRef: view.job_ref,
      awaitingUntil: view.awaiting?.deadline ?? null,
      status: view.status,
      attempts: view.attempts,
      error: view.error,
      confirmationUrl: view.result?.confirmationUrl ?? null,
      campaignId: view.campaign_id,
      provider: view.provider,
      workflowId,
      runStartedAt: runStartTime.toISOString(),
    };
  }

  /** Status writes are not cancellable: the ledger says what happened, even when we were cancelled meanwhile. */
  async function setStatus(status: ApplicationStatus): Promise<void> {
    view.status = status;
    view.updated_at = now();
    upsertSearchAttributes([{ key: SA.status, value: status }]);
    await CancellationScope.nonCancellable(() => ledger.recordApplication(ledgerUpdate()));
  }

  function setProvider(provider: string | null): void {
    if (!provider || provider === view.provider) return;
    view.provider = provider;
    upsertSearchAttributes([{ key: SA.provider, value: provider }]);
  }

  /**
   * Upstream calls that change upstream state finish even when cancelled, so their outcome is never lost.
   * A cancel is honoured after a call only when it cannot have applied: before v2 always (the old rule).
   */
  async function settled<T>(fn: () => Promise<T>, applied?: (result: T) => boolean): Promise<T> {
    const result = await CancellationScope.nonCancellable(fn);
    if (root.consideredCancelled && !(v2 && applied?.(result))) throw new CancelledFailure('application cancelled');
    return result;
  }

  /** Opens an upstream session; `which` names it (attempt, hop) in the Idempotency-Key, so retries reuse it. */
  async function open(jobUrl: string, which: string): Promise<LiveSessionState> {
    const idempotencyKey = sessionCreateKey(which);
    const state = await settled(() => upstream.applicationStartSession({ jobUrl, profileId: input.profileId, idempotencyKey }));
    openSessions.add(state.session_id);
    page = 1;
    return state;
  }

  /** The upstream lifecycle state of a session (000), or null when it cannot be read. */
  async function upstreamState(sessionId: string): Promise<string | null> {
    try {
      return (await upstream.applicationGetSession({ sessionId })).state;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not read the upstream session', { sessionId, error: describe(err) });
      return null;
    }
  }

  function sessionView(): SessionView {
    const terminal = view.status === 'SUCCESS' || view.status === 'FAILED' || view.status === 'CANCELLED' || view.status === 'UNCONFIRMED';
    return {
      job_url: input.jobUrl,
      session_id: live?.session_id ?? null,
      status: live?.status ?? 'starting',
      is_terminal: terminal || (live?.is_terminal ?? false),
      provider_id: live?.provider_id ?? null,
      provider_name: live?.provider_name ?? null,
      current_url: live?.current_url ?? null,
      fields: view.awaiting?.fields ?? [],
      validation_errors: signalProblems.length ? signalProblems : [...rejected].map(([field, message]) => ({ field, message })),
      error: view.error,
      page,
      pages_answered: pagesAnswered,
      hops,
      outcome: view.status === 'SUCCESS' ? 'submitted' : view.status === 'FAILED' ? 'error' : view.status === 'CANCELLED' ? 'ended' : null,
    };
  }

  /** The page's answers: a person's, then the caller's (by name or label), then the profile's. */
  function merge(fields: FormField[], auto: Record<string, AnswerValue>): Record<string, CallerAnswer> {
    const out: Record<string, CallerAnswer> = {};
    for (const f of fields) {
      const value = given[f.name] ?? input.answers?.[f.name] ?? input.answers?.[f.label] ?? auto[f.name];
      if (value !== undefined) out[f.name] = value;
    }
    return out;
  }

  /** Required fields still unanswered or rejected, with why. */
  function missingOf(reasons: Map<string, string>): Map<string, string> {
    const missing = new Map<string, string>();
    for (const p of validateAnswers(current.fields, forValidation(current.answers))) missing.set(p.field, reasons.get(p.field) ?? p.message);
    for (const [field, message] of rejected) missing.set(field, `rejected by the form: ${message}`);
    return missing;
  }

  /** Why answers from a person cannot be taken now (empty when they can). Also the update validator. */
  function answerProblems(payload: unknown): FieldProblem[] {
    const awaiting = view.awaiting;
    if (!awaiting) return [{ field: '(application)', message: `no answers are being asked for (status ${view.status})` }];
    const p = payload as Partial<SessionAnswers> | null;
    if (typeof p !== 'object' || p === null || typeof p.answers !== 'object' || p.answers === null || Array.isArray(p.answers)) {
      return [{ field: 'answers', message: 'expected { "answers": { "<field name>": value, ... } }' }];
    }
    if (p.page !== undefined && p.page !== awaiting.page) {
      return [{ field: 'page', message: `answers are for page ${String(p.page)} but the application is on page ${awaiting.page}` }];
    }
    const asked = awaiting.fields.filter((f) => p.answers![f.name] === undefined).map((f) => ({ field: f.name, message: `${f.name} is required` }));
    return [...asked, ...validateAnswers(current.fields, { ...forValidation(current.answers), ...p.answers })];
  }

  function take(payload: SessionAnswers): void {
    Object.assign(given, payload.answers);
    for (const name of Object.keys(payload.answers)) rejected.delete(name);
    signalProblems = [];
    view.awaiting = null;
    answered++;
  }

  /** Waits for a person (policy `ask`); false when the deadline passed first. */
  async function ask(missing: Map<string, string>): Promise<boolean> {
    const seen = answered;
    view.awaiting = {
      page,
      fields: current.fields.filter((f) => missing.has(f.name)),
      reasons: Object.fromEntries(missing),
      deadline: new Date(Date.now() + deadlineMs).toISOString(),
    };
    view.updated_at = now();
    // The ledger shows the wait (a campaign attached to this application reports it as waiting).
    if (v2) await CancellationScope.nonCancellable(() => ledger.recordApplication(ledgerUpdate()));
    const got = await condition(() => answered !== seen, deadlineMs);
    view.awaiting = null;
    return got;
  }

  /**
   * A submit whose outcome is not known. `completed` upstream is a submitted application; `failed` or
   * `closed` without completing means nothing went in (a new session may try again); otherwise the
   * request may still be in flight: the application is UNCONFIRMED and the upstream is asked again, with
   * backoff, for RECONCILE_WINDOW_MS. The session is left open meanwhile (ending it could close a submit
   * in flight).
   */
  async function settleUnknown(sessionId: string, why: string): Promise<AttemptOutcome> {
    // The first word and the UNCONFIRMED record survive a cancel; the waiting after them may be cancelled
    // (the row then stays UNCONFIRMED, to be settled by the next claim).
    const known = await CancellationScope.nonCancellable(async () => {
      const outcome = reconciled(sessionId, await upstreamState(sessionId), why);
      if (outcome) return outcome;
      openSessions.forget(sessionId);
      view.error = `submit outcome unknown, asking the upstream: ${why}`;
      await setStatus('UNCONFIRMED');
      return null;
    });
    if (known) return known;
    const until = Date.now() + RECONCILE_WINDOW_MS;
    for (let wait = RECONCILE_FIRST_WAIT_MS; Date.now() < until; wait = Math.min(2 * wait, RECONCILE_MAX_WAIT_MS)) {
      await sleep(Math.min(wait, Math.max(1, until - Date.now())));
      const outcome = reconciled(sessionId, await upstreamState(sessionId), why);
      // Once UNCONFIRMED, "not completed" ends the application FAILED (a retry is an explicit act).
      if (outcome) return outcome.kind === 'retry' ? { kind: 'failed', error: outcome.error } : outcome;
    }
    return { kind: 'unconfirmed', error: `the upstream never said whether the submit went in: ${why}` };
  }

  /** The upstream lifecycle state (000) as an outcome, or null while it does not decide. */
  function reconciled(sessionId: string, state: string | null, why: string): AttemptOutcome | null {
    if (state === 'completed') {
      openSessions.forget(sessionId);
      return { kind: 'submitted', url: live?.current_url ?? input.jobUrl };
    }
    if (state === 'failed' || state === 'closed') {
      openSessions.forget(sessionId);
      // `closed` without completing is the upstream's idle expiry (or our own end): nothing went in.
      return { kind: 'retry', error: `${state === 'closed' ? 'the upstream session expired' : 'the upstream session failed'}: ${why}` };
    }
    return null;
  }

  /** Another workflow owns this (profile, job): wait for its final word in the ledger and report it. */
  async function attach(owner: LedgerSummary): Promise<void> {
    view.attached_to = owner.workflowId;
    let row: LedgerSummary | null = owner;
    const until = Date.now() + RECONCILE_WINDOW_MS;
    for (let wait = 2_000; row && !isFinal(row.status); wait = Math.min(2 * wait, RECONCILE_MAX_WAIT_MS)) {
      if (row.status === 'UNCONFIRMED' && Date.now() >= until) break;
      view.status = row.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'PROCESSING';
      view.updated_at = now();
      await sleep(wait);
      row = await ledger.applicationLedgerRow({ profileId: input.profileId, jobKey: view.job_id });
    }
    if (!row) throw ApplicationFailure.nonRetryable(`the ledger row of ${owner.workflowId} is gone`, 'LedgerRowMissing');
    report(row, true);
  }

  function isFinal(status: ApplicationStatus): boolean {
    return status === 'SUCCESS' || status === 'FAILED' || status === 'CANCELLED';
  }

  /** Shows a ledger row's outcome as this application's (nothing of it is written back). */
  function report(row: LedgerSummary, alreadyApplied: boolean): void {
    Object.assign(view, {
      status: row.status,
      provider: row.provider,
      result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null,
      error: row.status === 'SUCCESS' ? null : row.error,
      attempts: row.attempts,
      from_ledger: alreadyApplied,
      updated_at: now(),
    });
    upsertSearchAttributes([{ key: SA.status, value: row.status }, ...(row.provider ? [{ key: SA.provider, value: row.provider }] : [])]);
  }

  /** This run owns a row whose last submit was never confirmed: settle it from the upstream first. */
  async function settleClaimed(row: LedgerSummary): Promise<boolean> {
    view.attempts = row.attempts;
    const sessionId = [...row.attempts].reverse().find((a) => a.session_id)?.session_id;
    view.status = 'UNCONFIRMED';
    if (!sessionId) return false;
    const outcome = await settleUnknown(sessionId, row.error ?? 'an earlier run did not learn the outcome');
    const last = view.attempts[view.attempts.length - 1];
    if (outcome.kind === 'submitted') {
      if (last) Object.assign(last, { status: 'success', finished_at: now() });
      view.result = { confirmationUrl: outcome.url };
      view.error = null;
      await setStatus('SUCCESS');
    } else if (outcome.kind === 'unconfirmed') {
      view.error = outcome.error;
    } else {
      if (last) Object.assign(last, { status: 'failed', error: outcome.error, finished_at: now() });
      view.error = outcome.error;
      await setStatus('FAILED');
    }
    return true;
  }

  /** One try: an upstream session (following redirects) driven to a terminal status. */
  async function attempt(a: ApplicationAttempt): Promise<AttemptOutcome> {
    // A re-attempt (after the upstream expired a session) is a deliberate new session: a new key, and its
    // own redirect limit (the redirects of an expired attempt are not this one's).
    hops = 0;
    let state = await open(input.jobUrl, `attempt-${a.attempt}/hop-${hops}`);
    a.session_id = state.session_id;
    for (;;) {
      live = state;
      setProvider(state.provider_id);
      // v2: a submitted application returns at once, before anything cancellable (the session is ended on the way out).
      if (v2 && state.status === 'submitted') return { kind: 'submitted', url: state.current_url ?? input.jobUrl };
      if (state.is_terminal) {
        await openSessions.end(state.session_id);
        if (state.status === 'redirect_required') {
          const problem = redirectProblem(state.redirect_url, hops);
          if (problem) return { kind: 'failed', error: problem };
          state = await open(state.redirect_url!, `attempt-${a.attempt}/hop-${++hops}`);
          a.session_id = state.session_id;
          continue;
        }
        if (state.status === 'submitted') return { kind: 'submitted', url: state.current_url ?? input.jobUrl };
        if (state.status === 'expired') return { kind: 'retry', error: state.error ?? 'the upstream session expired' };
        return { kind: 'failed', error: state.error ?? `the application ended with status ${state.status}` };
      }

      const sessionId = state.session_id;
      const auto = await upstream.answerApplicationPage({
        profileId: input.profileId,
        jobUrl: input.jobUrl,
        ...(input.jobId ? { jobId: input.jobId } : {}),
        ...(input.overrideEmail ? { overrideEmail: input.overrideEmail } : {}),
        ...(input.job ? { job: input.job } : {}),
        fields: state.fields,
      });
      const reasons = new Map(auto.missing.map((m) => [m.field, `${m.label}: ${m.reason}`]));
      for (;;) {
        current = { fields: state.fields, answers: merge(state.fields, auto.answers) };
        const missing = missingOf(reasons);
        if (missing.size === 0) break;
        if (view.policy === 'skip') {
          const list = [...missing].map(([field, why]) => `${field} (${why})`).join('; ');
          return { kind: 'failed', error: `required fields the profile cannot answer: ${list}` };
        }
        if (!(await ask(missing))) return { kind: 'failed', error: 'no answer before deadline' };
      }

      // Numbered by responses, not attempts: a retried call sends the same key and gets the first response.
      const idempotencyKey = `${workflowId}/${sessionId}/${submissions + 1}`;
      try {
        state = await settled(
          () => upstream.applicationSubmitPage({ sessionId, answers: current.answers, idempotencyKey }),
          (s) => s.status === 'submitted',
        );
      } catch (err) {
        const type = joboType(err);
        if (v2 && !isCancellation(err) && !(type && REFUSED.includes(type))) {
          // The page may or may not have gone in; the upstream's session state decides, never a resend.
          return await settleUnknown(sessionId, describe(err));
        }
        if (!isCancellation(err) && (type === JoboFailure.Conflict || type === JoboFailure.NotFound)) {
          // Either way a new attempt opens a new session; the attempt's error says which it was.
          const expired = expiredUpstream(await upstreamState(sessionId));
          if (expired) openSessions.forget(sessionId);
          else await openSessions.end(sessionId); // idempotent upstream: a no-op if it is gone
          return { kind: 'retry', error: `${expired ? 'the upstream session expired' : 'the upstream session closed'}: ${describe(err)}` };
        }
        throw err;
      } finally {
        // Wakes an update waiting for this page's outcome, whatever it was.
        submissions++;
      }
      const samePage = !state.is_terminal && state.validation_errors.length > 0 && !movedOn(state);
      rejected.clear();
      if (samePage) {
        const known = new Set(state.fields.map((f) => f.name));
        for (const p of state.validation_errors) rejected.set(known.has(p.field) ? p.field : '(form)', p.message);
        if (rejected.has('(form)')) return { kind: 'failed', error: `the form rejected the answers: ${formatProblems(state.validation_errors)}` };
      } else {
        page++;
        pagesAnswered++;
      }
    }
  }

  /**
   * v2: answers sent again after a lost response (the upstream ignores Idempotency-Key) meet the upstream on
   * the next page, which refuses them as fields it does not have. That page is the one to answer now.
   */
  function movedOn(state: LiveSessionState): boolean {
    if (!v2) return false;
    const sent = new Set(current.fields.map((f) => f.name));
    const shown = new Set(state.fields.map((f) => f.name));
    const samePageShown = sent.size === shown.size && [...sent].every((n) => shown.has(n));
    return !samePageShown && state.validation_errors.every((p) => !shown.has(p.field));
  }

  /** v2: the claim decides whether this run applies, attaches, settles an unconfirmed submit or is done. */
  async function claim(): Promise<boolean> {
    const enforceLimits = patched(USER_LIMITS_PATCH);
    const { kind, row } = await ledger.claimApplication({ ...ledgerUpdate(), retryOf: input.retryOf ?? null, ...(enforceLimits ? { enforceLimits } : {}) });
    if (kind === 'claimed') return true;
    if (kind === 'limit_reached') {
      // The user's total or monthly limit is used up: FAILED `limit_reached: …`, nothing went upstream.
      report(row, false);
      return false;
    }
    if (kind === 'succeeded') report(row, true);
    else if (kind === 'owned') await attach(row);
    else if (!(await settleClaimed(row))) {
      view.error = row.error;
      log.warn('unconfirmed application without a session to ask about', { workflowId });
    }
    return false;
  }

  async function run(): Promise<void> {
    if (v2) {
      if (!(await claim())) return;
    } else if (await legacyOpen()) return;
    await setStatus('PROCESSING');
    for (let n = 1; ; n++) {
      const a: ApplicationAttempt = { attempt: n, status: 'processing', timestamp: now() };
      view.attempts.push(a);
      await ledger.recordApplication(ledgerUpdate());
      let outcome: AttemptOutcome;
      try {
        outcome = await attempt(a);
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        outcome = { kind: 'failed', error: describe(err) }; // an activity out of retries (upstream down, bad profile)
      }
      a.finished_at = now();
      if (outcome.kind === 'submitted') {
        a.status = 'success';
        view.result = { confirmationUrl: outcome.url };
        view.error = null;
        return setStatus('SUCCESS');
      }
      view.error = outcome.error;
      if (outcome.kind === 'unconfirmed') return; // the ledger row stays UNCONFIRMED: never applied again blindly
      a.status = 'failed';
      a.error = outcome.error;
      if (outcome.kind === 'failed' || n >= MAX_ATTEMPTS) return setStatus('FAILED');
    }
  }

  /** Runs started before v2: the caller-keyed SUCCESS check. True when the ledger already had it. */
  async function legacyOpen(): Promise<boolean> {
    const opened = await ledger.openApplication(ledgerUpdate());
    if (opened.prior) {
      const prior = opened.prior;
      Object.assign(view, {
        status: 'SUCCESS',
        provider: prior.provider,
        result: prior.confirmationUrl ? { confirmationUrl: prior.confirmationUrl } : null,
        attempts: prior.attempts,
        from_ledger: true,
        updated_at: now(),
      });
      upsertSearchAttributes([{ key: SA.status, value: 'SUCCESS' }, ...(prior.provider ? [{ key: SA.provider, value: prior.provider }] : [])]);
      return true;
    }
    return false;
  }

  setHandler(applicationQuery, () => view);

  setHandler(
    submitAnswersUpdate,
    async (payload) => {
      const before = submissions;
      take(payload);
      // Returns once the page went upstream (or the application ended, or asks again).
      await condition(() => submissions !== before || view.awaiting !== null || view.result !== null || view.status !== 'PROCESSING');
      return sessionView();
    },
    {
      validator: (payload) => {
        const problems = answerProblems(payload);
        if (problems.length) throw invalidAnswers(problems);
      },
    },
  );

  // Signals cannot answer their sender: problems are shown by the query (and the update's SessionView).
  setHandler(answersSignal, (payload) => {
    const problems = answerProblems(payload);
    if (problems.length) {
      signalProblems = problems;
      log.warn('answers signal not taken', { problems: formatProblems(problems) });
      return;
    }
    take(payload);
  });

  try {
    await run();
    await condition(allHandlersFinished);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // What the upstream did stands: a SUCCESS or an unconfirmed submit is never recorded as CANCELLED.
    if (v2 && (view.status === 'SUCCESS' || view.status === 'UNCONFIRMED' || view.attached_to !== null)) return view;
    await CancellationScope.nonCancellable(async () => {
      await openSessions.endAll();
      const last = view.attempts[view.attempts.length - 1];
      if (last?.status === 'processing') Object.assign(last, { status: 'cancelled', finished_at: now() });
      view.awaiting = null;
      view.error = 'cancelled';
      await setStatus('CANCELLED');
    });
    throw err;
  } finally {
    // Every path out, cancellation and bugs included, leaves no upstream session open.
    await CancellationScope.nonCancellable(() => openSessions.endAll());
  }
  return view;
}
