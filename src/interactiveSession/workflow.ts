/**
 * interactiveSession: a person fills one job application form, page by page, through a Jobo interactive
 * session (reference 001). The workflow owns the upstream session: it starts it, shows its state by query,
 * takes answers by update (validated before they reach history) or by signal (for the `temporal` CLI and
 * the UI), follows redirects, and always ends the upstream session: on a terminal status, on idle expiry,
 * on the `end` signal and on cancellation.
 *
 * History stays small without continueAsNew: a form has a handful of pages and at most 3 redirect hops,
 * and the payloads are one page of fields or answers.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InteractiveSessionActivities } from './activities';
import { validateAnswers } from '../forms/validate';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, validateSessionInput, type InteractiveSessionInput } from './input';
import { formatProblems } from '../shared/input';
import { applicationFailureIn } from '../shared/failures';
import { JoboFailure } from '../jobo/failureTypes';
import type { AnswerValue, FieldProblem, FormField, LiveSessionState } from '../jobo/schemas';
import {
  SessionFailure,
  answersSignal,
  endSignal,
  isSettled,
  stateQuery,
  submitAnswersUpdate,
  type InteractiveSessionResult,
  type SessionAnswers,
  type SessionOutcome,
  type SessionView,
} from './messages';
import { SA } from '../searchAttributes';
import { OpenUpstreamSessions, expiredUpstream, invalidFailure, redirectProblem, sessionCreateKey, upstreamRetry } from '../shared/upstreamSession';

export type { InteractiveSessionInput };

/**
 * Sessions started since: a submit whose response was lost (409 after a retry, or out of retries) asks the
 * upstream's session state, and `completed` finishes as submitted instead of as an error to be re-sent.
 */
export const SUBMITTED_TRUTH_PATCH = 'interactive-submitted-truth';

const retry = upstreamRetry();
// A person is waiting on start and submit: give up after a few minutes and show the error instead.
const upstream = proxyActivities<InteractiveSessionActivities>({
  startToCloseTimeout: '45s', // above the client's 30 s request timeout
  scheduleToCloseTimeout: '3m',
  retry,
});
// Answers are submitted as a local activity: a person is waiting on the update, and running it in the
// workflow's own worker skips one round trip through the server. A retry reuses the idempotency key.
const submitter = proxyLocalActivities<InteractiveSessionActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '3m',
  localRetryThreshold: '10s',
  retry,
});
// Ending keeps trying for longer: an upstream session left open is the one thing this workflow must avoid.
const cleanup = proxyActivities<InteractiveSessionActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '15m',
  retry,
});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The upstream ApplicationFailure behind an ActivityFailure (the client's typed Jobo* failures). */
function joboCause(err: unknown): { type: string; message: string; fields: FieldProblem[] } | undefined {
  const e = applicationFailureIn(err, (f) => f.type?.startsWith('Jobo') ?? false);
  if (!e?.type) return undefined;
  const d = e.details?.[0];
  return { type: e.type, message: e.message, fields: isObject(d) && Array.isArray(d.fields) ? d.fields : [] };
}

function describe(err: unknown): string {
  const jobo = joboCause(err);
  if (jobo) return `${jobo.type}: ${jobo.message}`;
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** Answers refused before they reach history or the upstream (also by the application workflow). */
export function invalidAnswers(problems: FieldProblem[]): ApplicationFailure {
  return invalidFailure(SessionFailure.InvalidAnswers, 'invalid answers', problems);
}

export async function interactiveSession(input: InteractiveSessionInput): Promise<InteractiveSessionResult> {
  const inputProblems = validateSessionInput(input);
  if (inputProblems.length) throw invalidFailure(SessionFailure.InvalidInput, 'invalid input', inputProblems);
  const idleMinutes = input.idleTimeoutMinutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES;
  const { workflowId } = workflowInfo();

  const view: SessionView = {
    job_url: input.jobUrl,
    session_id: null,
    status: 'starting',
    is_terminal: false,
    provider_id: null,
    provider_name: null,
    current_url: null,
    fields: [],
    validation_errors: [],
    error: null,
    page: 1,
    pages_answered: 0,
    hops: 0,
    outcome: null,
  };
  let detail: string | null = null;
  /** Responses received from the current upstream session; numbers its submissions for the idempotency key. */
  let responses = 0;
  let busy = false;
  /** Bumped by every answer received or processed; the idle timer restarts whenever it changes. */
  let activity = 0;
  let endReason: string | null = null;
  const openSessions = new OpenUpstreamSessions((sessionId) => cleanup.endSession({ sessionId }), describe);

  // Set here as well as by the typed client, so sessions started from the `temporal` CLI or UI are findable.
  upsertMemo({ jobUrl: input.jobUrl });
  upsertSearchAttributes([
    { key: SA.kind, value: 'interactive-session' },
    { key: SA.jobUrl, value: input.jobUrl },
    { key: SA.status, value: view.status },
  ]);
  let published = { status: view.status, provider: null as string | null };
  function publish(): void {
    if (published.status === view.status && published.provider === view.provider_id) return;
    published = { status: view.status, provider: view.provider_id };
    upsertSearchAttributes([
      { key: SA.status, value: view.status },
      ...(view.provider_id ? [{ key: SA.provider, value: view.provider_id }] : []),
    ]);
  }

  /** One upstream call at a time: submissions, redirects and ending never interleave. */
  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    // A loop, not one wait: every waiter wakes when the lock frees, and only the first may take it.
    while (busy) await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
      activity++;
    }
  }

  async function finish(outcome: SessionOutcome, status: string, why: string | null): Promise<void> {
    if (view.outcome) return;
    Object.assign(view, { outcome, status, is_terminal: true });
    if (outcome === 'error') view.error = why;
    detail = why;
    publish();
    await openSessions.endAll();
  }

  async function open(jobUrl: string): Promise<void> {
    // Not cancellable: a cancelled start could still open an upstream session whose id we would never learn.
    // One key per hop: a retry after a lost response finds the session it opened instead of opening another.
    const idempotencyKey = sessionCreateKey(`hop-${view.hops}`);
    const state = await CancellationScope.nonCancellable(() =>
      upstream.startSession({ jobUrl, ...(input.profileId ? { profileId: input.profileId } : {}), idempotencyKey }),
    );
    openSessions.add(state.session_id);
    responses = 0;
    view.page = 1;
    await settle(state);
  }

  /** Shows an upstream state and acts on a terminal one: follow a redirect, or finish. */
  async function settle(state: LiveSessionState): Promise<void> {
    Object.assign(view, {
      session_id: state.session_id,
      status: state.status,
      is_terminal: state.is_terminal,
      provider_id: state.provider_id,
      provider_name: state.provider_name,
      current_url: state.current_url,
      fields: state.fields,
      validation_errors: state.validation_errors,
      error: state.error,
    });
    if (!state.is_terminal) return publish(); // unknown non-terminal statuses stay answerable: the enum is open
    if (state.status === 'redirect_required') {
      // Not over for the person: the workflow goes on at the redirect URL (answers wait for the lock meanwhile).
      view.is_terminal = false;
      publish();
      await openSessions.end(state.session_id);
      const problem = redirectProblem(state.redirect_url, view.hops);
      if (problem) return finish('error', 'error', problem);
      view.hops++;
      return open(state.redirect_url!);
    }
    if (state.status === 'submitted') return finish('submitted', state.status, null);
    if (state.status === 'expired') return finish('expired', state.status, state.error ?? 'expired upstream');
    return finish('error', state.status, state.error ?? `the session ended with status ${state.status}`);
  }

  /** The upstream lifecycle state of a session (000), or null when it cannot be read. */
  async function upstreamState(sessionId: string): Promise<string | null> {
    try {
      return (await upstream.getSession({ sessionId })).state;
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not read the upstream session', { sessionId, error: describe(err) });
      return null;
    }
  }

  /** Why answers cannot be taken now (empty when they can). Pure: also the update validator. */
  function answerProblems(payload: unknown): FieldProblem[] {
    if (view.outcome || view.is_terminal) return [{ field: '(session)', message: `the session is over (${view.status})` }];
    if (!isSettled(view)) return [{ field: '(session)', message: `the session is ${view.status === 'starting' ? 'starting' : 'following a redirect'}; retry shortly` }];
    if (!isObject(payload) || !isObject(payload.answers)) {
      return [{ field: 'answers', message: 'expected { "answers": { "<field name>": value, ... } }' }];
    }
    if (payload.page !== undefined && payload.page !== view.page) {
      return [{ field: 'page', message: `answers are for page ${String(payload.page)} but the session is on page ${view.page}` }];
    }
    return validateAnswers(view.fields, payload.answers);
  }

  /** Submits under the lock; throws an ApplicationFailure for the update caller when it could not. */
  /** The final answers went in although no response said so: the session is submitted, once. */
  async function submittedUnheard(sessionId: string): Promise<SessionView> {
    responses++;
    view.pages_answered++;
    openSessions.forget(sessionId);
    await finish('submitted', 'submitted', null);
    return view;
  }

  async function submit(payload: SessionAnswers): Promise<SessionView> {
    // Re-checked here: the page may have moved on while this call waited for the lock.
    const problems = answerProblems(payload);
    if (problems.length) throw invalidAnswers(problems);
    const sessionId = view.session_id!;
    // Numbered by responses, not attempts: after a failed call the same key is sent again, so an answer
    // the upstream did take (response lost) is answered from its idempotency store, never applied twice.
    const idempotencyKey = `${workflowId}/${sessionId}/${responses + 1}`;
    let state: LiveSessionState;
    try {
      state = await submitter.submitAnswers({ sessionId, answers: payload.answers, idempotencyKey });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const jobo = joboCause(err);
      if (jobo?.type === JoboFailure.BadRequest && jobo.fields.length) {
        view.validation_errors = jobo.fields;
        throw ApplicationFailure.create({
          type: SessionFailure.AnswersRejected,
          message: `the form rejected the answers: ${formatProblems(jobo.fields)}`,
          nonRetryable: true,
          details: [jobo.fields],
        });
      }
      if (jobo?.type === JoboFailure.Conflict || jobo?.type === JoboFailure.NotFound) {
        const upstreamNow = await upstreamState(sessionId);
        // The answers did go in (an earlier try whose response was lost submitted the application): say so.
        if (upstreamNow === 'completed' && patched(SUBMITTED_TRUTH_PATCH)) return submittedUnheard(sessionId);
        // Expired by the upstream's own idle timeout (shorter than ours), or closed for another reason.
        if (expiredUpstream(upstreamNow)) {
          openSessions.forget(sessionId);
          await finish('expired', 'expired', `the upstream session expired before these answers arrived: ${jobo.message}`);
        } else {
          await finish('error', 'error', `the upstream session is no longer open: ${jobo.message}`);
        }
        throw ApplicationFailure.create({ type: SessionFailure.SessionClosed, message: detail!, nonRetryable: true });
      }
      // Before "send them again": the upstream may have taken them (a lost response) and submitted the form.
      if (patched(SUBMITTED_TRUTH_PATCH) && (await upstreamState(sessionId)) === 'completed') return submittedUnheard(sessionId);
      view.error = `submitting failed, the answers can be sent again: ${describe(err)}`;
      throw ApplicationFailure.create({ type: SessionFailure.SubmitFailed, message: view.error, nonRetryable: true });
    }
    responses++;
    // An active status with validation errors re-presents the same page.
    const samePage = !state.is_terminal && state.validation_errors.length > 0;
    if (!samePage) {
      view.pages_answered++;
      view.page++;
    }
    await settle(state);
    return view;
  }

  setHandler(stateQuery, () => view);

  setHandler(
    submitAnswersUpdate,
    async (payload) => {
      activity++;
      return locked(() => submit(payload));
    },
    {
      // Rejected here, invalid answers never reach history or the upstream.
      validator: (payload) => {
        const problems = answerProblems(payload);
        if (problems.length) throw invalidAnswers(problems);
      },
    },
  );

  // Signals cannot answer their sender, so problems are recorded in the state for the next query.
  setHandler(answersSignal, async (payload) => {
    activity++;
    await locked(async () => {
      const problems = answerProblems(payload);
      if (problems.length) {
        if (!view.outcome) view.validation_errors = problems;
        log.warn('answers signal not submitted', { problems: formatProblems(problems) });
        return;
      }
      try {
        await submit(payload);
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('answers signal failed', { error: describe(err) }); // already shown in view.error / validation_errors
      }
    });
  });

  setHandler(endSignal, (arg) => {
    endReason ??= arg?.reason ?? 'ended by request';
  });

  try {
    try {
      await locked(() => open(input.jobUrl));
    } catch (err) {
      if (isCancellation(err)) throw err;
      await finish('error', 'error', `could not start the session: ${describe(err)}`);
    }
    while (!view.outcome) {
      const seen = activity;
      const stirred = await condition(
        () => view.outcome !== null || endReason !== null || activity !== seen,
        idleMinutes * 60_000,
      );
      if (view.outcome) break;
      if (endReason !== null) {
        // Waits for a submission in flight, so its outcome is not lost, then ends the upstream session.
        const reason = endReason;
        await locked(() => finish('ended', 'ended', reason));
      } else if (!stirred && !busy) {
        await finish('expired', 'expired', `no answers for ${idleMinutes} minutes`);
      }
    }
    await condition(allHandlersFinished);
  } catch (err) {
    if (isCancellation(err) && !view.outcome) {
      Object.assign(view, { outcome: 'ended', status: 'cancelled', is_terminal: true });
      detail = 'workflow cancelled';
      publish();
    }
    throw err;
  } finally {
    // Every path out, cancellation and bugs included, leaves no upstream session open.
    await openSessions.endAll();
  }

  return {
    outcome: view.outcome!,
    status: view.status,
    detail,
    job_url: input.jobUrl,
    session_id: view.session_id,
    provider_id: view.provider_id,
    current_url: view.current_url,
    hops: view.hops,
    pages_answered: view.pages_answered,
  };
}
