/**
 * application: one candidate profile applies to one job, automatically, at most once.
 *
 * "At most once" rests on three things: the workflow id `application/<profile>/<job>` started with
 * REJECT_DUPLICATE + USE_EXISTING (src/applications/client.ts), so a second start attaches to the first run;
 * the ledger check before any upstream session (a SUCCESS recorded by an earlier run is returned as is); and
 * an Idempotency-Key per submitted page, so an activity retried after a lost response or a killed worker
 * is answered from the upstream's idempotency store instead of submitting again.
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
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApplicationActivities, LedgerUpdate } from '../activities/application';
import {
  DEFAULT_ANSWER_DEADLINE_MINUTES,
  MAX_ATTEMPTS,
  formatProblems,
  jobKeyOf,
  validateApplicationInput,
  type ApplicationAttempt,
  type ApplicationInput,
  type ApplicationStatus,
  type ApplicationView,
} from '../applications/input';
import { validateAnswers } from '../forms/validate';
import { JoboFailure } from '../jobo/failureTypes';
import type { AnswerValue, FieldProblem, FormField, LiveSessionState } from '../jobo/schemas';
import { SA } from '../searchAttributes';
import { answersSignal, invalidAnswers, submitAnswersUpdate, type SessionAnswers, type SessionView } from './interactiveSession';
import { OpenUpstreamSessions, expiredUpstream, invalidFailure, redirectProblem, sessionCreateKey, upstreamRetry } from './upstreamSession';

export type { ApplicationInput, ApplicationView };
// The same update and signal as an interactive session, so a person answers both the same way.
export { answersSignal, submitAnswersUpdate };

export const applicationQuery = defineQuery<ApplicationView>('application');

export const ApplicationFailureType = { InvalidInput: 'InvalidApplicationInput' } as const;

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

type AttemptOutcome = { kind: 'submitted'; url: string } | { kind: 'failed'; error: string } | { kind: 'retry'; error: string };

/** The upstream failure behind an ActivityFailure, if any. */
function joboType(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure && e.type) return e.type;
  }
  return undefined;
}

function describe(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) return e.type ? `${e.type}: ${e.message}` : e.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function application(input: ApplicationInput): Promise<ApplicationView> {
  const inputProblems = validateApplicationInput(input);
  if (inputProblems.length) throw invalidFailure(ApplicationFailureType.InvalidInput, 'invalid input', inputProblems);
  const root = CancellationScope.current();
  const { workflowId, runStartTime } = workflowInfo();
  const now = () => new Date().toISOString(); // workflow time: deterministic
  const deadlineMs = (input.answerDeadlineMinutes ?? DEFAULT_ANSWER_DEADLINE_MINUTES) * 60_000;
  const view: ApplicationView = {
    workflow_id: workflowId,
    profile_id: input.profileId,
    job_id: jobKeyOf(input),
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
  let current: { fields: FormField[]; answers: Record<string, AnswerValue> } = { fields: [], answers: {} };
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
    { key: SA.jobUrl, value: input.jobUrl },
    { key: SA.status, value: view.status },
    ...(input.campaignId ? [{ key: SA.campaignId, value: input.campaignId }] : []),
  ]);

  function ledgerUpdate(): LedgerUpdate {
    return {
      profileId: input.profileId,
      jobId: view.job_id,
      jobUrl: input.jobUrl,
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

  async function setStatus(status: ApplicationStatus): Promise<void> {
    view.status = status;
    view.updated_at = now();
    upsertSearchAttributes([{ key: SA.status, value: status }]);
    await ledger.recordApplication(ledgerUpdate());
  }

  function setProvider(provider: string | null): void {
    if (!provider || provider === view.provider) return;
    view.provider = provider;
    upsertSearchAttributes([{ key: SA.provider, value: provider }]);
  }

  /** Upstream calls that change upstream state finish even when cancelled, so their outcome is never lost. */
  async function settled<T>(fn: () => Promise<T>): Promise<T> {
    const result = await CancellationScope.nonCancellable(fn);
    if (root.consideredCancelled) throw new CancelledFailure('application cancelled');
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
    const terminal = view.status === 'SUCCESS' || view.status === 'FAILED' || view.status === 'CANCELLED';
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
  function merge(fields: FormField[], auto: Record<string, AnswerValue>): Record<string, AnswerValue> {
    const out: Record<string, AnswerValue> = {};
    for (const f of fields) {
      const value = given[f.name] ?? input.answers?.[f.name] ?? input.answers?.[f.label] ?? auto[f.name];
      if (value !== undefined) out[f.name] = value;
    }
    return out;
  }

  /** Required fields still unanswered or rejected, with why. */
  function missingOf(reasons: Map<string, string>): Map<string, string> {
    const missing = new Map<string, string>();
    for (const p of validateAnswers(current.fields, current.answers)) missing.set(p.field, reasons.get(p.field) ?? p.message);
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
    return [...asked, ...validateAnswers(current.fields, { ...current.answers, ...p.answers })];
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
    const got = await condition(() => answered !== seen, deadlineMs);
    view.awaiting = null;
    return got;
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
        state = await settled(() => upstream.applicationSubmitPage({ sessionId, answers: current.answers, idempotencyKey }));
      } catch (err) {
        const type = joboType(err);
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
      const samePage = !state.is_terminal && state.validation_errors.length > 0;
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

  async function run(): Promise<void> {
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
      return;
    }
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
      a.status = 'failed';
      a.error = outcome.error;
      view.error = outcome.error;
      if (outcome.kind === 'failed' || n >= MAX_ATTEMPTS) return setStatus('FAILED');
    }
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
