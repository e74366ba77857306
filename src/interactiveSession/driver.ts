/**
 * SessionDriver: the logic of one interactive session (reference 001), apart from Temporal. The workflow
 * hands it its effects as ports (activities, search attributes, patched, condition), so every decision here
 * runs in unit tests without a server; the command sequence is the workflow's as it was before the split.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { LiveSessionState, FieldProblem, SessionMetadata } from '../jobo/schemas';
import { JoboFailure } from '../jobo/failureTypes';
import { validateAnswers } from '../forms/validate';
import { applicationFailureIn } from '../shared/failures';
import { formatProblems } from '../shared/input';
import { expiredUpstream, invalidFailure, redirectProblem } from '../shared/upstreamSession';
import type { StartSessionRequest, SubmitAnswersRequest } from './activities';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, type InteractiveSessionInput } from './input';
import { Lock } from './lock';
import {
  SessionFailure,
  isSettled,
  type InteractiveSessionResult,
  type SessionAnswers,
  type SessionOutcome,
  type SessionView,
} from './messages';

/**
 * Sessions started since: a submit whose response was lost (409 after a retry, or out of retries) asks the
 * upstream's session state, and `completed` finishes as submitted instead of as an error to be re-sent.
 */
const SUBMITTED_TRUTH_PATCH = 'interactive-submitted-truth';

/** What the driver needs from its workflow; each one is a Temporal API or an activity in production. */
export interface SessionPorts {
  readonly workflowId: string;
  /** The Idempotency-Key for opening one upstream session (sessionCreateKey). */
  createKey(which: string): string;
  /** Not cancellable: a cancelled start could open an upstream session whose id we would never learn. */
  startSession(req: StartSessionRequest): Promise<LiveSessionState>;
  submitAnswers(req: SubmitAnswersRequest): Promise<LiveSessionState>;
  getSession(req: { sessionId: string }): Promise<SessionMetadata>;
  /** The upstream sessions still open (OpenUpstreamSessions): every path out ends them. */
  readonly sessions: {
    add(sessionId: string): void;
    forget(sessionId: string): void;
    end(sessionId: string): Promise<void>;
    endAll(): Promise<void>;
  };
  /** Search attributes: the status, and the provider once known. */
  publish(status: string, provider: string | null): void;
  patched(id: string): boolean;
  condition(ready: () => boolean, timeoutMs?: number): Promise<boolean>;
  allHandlersFinished(): boolean;
  warn(message: string, attrs: Record<string, unknown>): void;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The upstream ApplicationFailure behind an ActivityFailure (the client's typed Jobo* failures). */
function joboCause(err: unknown): { type: string; message: string; fields: FieldProblem[] } | undefined {
  const e = applicationFailureIn(err, (f) => f.type?.startsWith('Jobo') ?? false);
  if (!e?.type) return undefined;
  const d = e.details?.[0];
  return { type: e.type, message: e.message, fields: isObject(d) && Array.isArray(d.fields) ? (d.fields as FieldProblem[]) : [] };
}

export function describe(err: unknown): string {
  const jobo = joboCause(err);
  if (jobo) return `${jobo.type}: ${jobo.message}`;
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
}

/** Answers refused before they reach history or the upstream. */
function invalidAnswers(problems: FieldProblem[]): ApplicationFailure {
  return invalidFailure(SessionFailure.InvalidAnswers, 'invalid answers', problems);
}

export function initialView(jobUrl: string): SessionView {
  return {
    job_url: jobUrl,
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
}

/** Why answers cannot be taken now (empty when they can). Pure: also the update validator. */
export function answerProblems(view: SessionView, payload: unknown): FieldProblem[] {
  if (view.outcome || view.is_terminal) return [{ field: '(session)', message: `the session is over (${view.status})` }];
  if (!isSettled(view)) {
    const doing = view.status === 'starting' ? 'starting' : 'following a redirect';
    return [{ field: '(session)', message: `the session is ${doing}; retry shortly` }];
  }
  if (!isObject(payload) || !isObject(payload.answers)) {
    return [{ field: 'answers', message: 'expected { "answers": { "<field name>": value, ... } }' }];
  }
  if (payload.page !== undefined && payload.page !== view.page) {
    return [{ field: 'page', message: `answers are for page ${JSON.stringify(payload.page)} but the session is on page ${view.page}` }];
  }
  return validateAnswers(view.fields, payload.answers);
}

export class SessionDriver {
  readonly view: SessionView;
  private detail: string | null = null;
  /** Responses received from the current upstream session; numbers its submissions for the idempotency key. */
  private responses = 0;
  /** Bumped by every answer received or processed; the idle timer restarts whenever it changes. */
  private activity = 0;
  private endReason: string | null = null;
  /** One upstream call at a time: submissions, redirects and ending never interleave. */
  private readonly lock: Lock;
  private published: { status: string; provider: string | null };

  constructor(
    private readonly input: InteractiveSessionInput,
    private readonly ports: SessionPorts,
  ) {
    this.view = initialView(input.jobUrl);
    this.published = { status: this.view.status, provider: null };
    this.lock = new Lock((ready) => ports.condition(ready));
  }

  get idleMinutes(): number {
    return this.input.idleTimeoutMinutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES;
  }

  /** The update validator: invalid answers never reach history or the upstream. */
  validate(payload: unknown): void {
    const problems = answerProblems(this.view, payload);
    if (problems.length) throw invalidAnswers(problems);
  }

  /** The update: submits under the lock; an ApplicationFailure tells the caller why it could not. */
  async onUpdate(payload: SessionAnswers): Promise<SessionView> {
    this.activity++;
    return this.locked(() => this.submit(payload));
  }

  /** Signals cannot answer their sender, so problems are recorded in the state for the next query. */
  async onSignal(payload: SessionAnswers): Promise<void> {
    this.activity++;
    await this.locked(async () => {
      const problems = answerProblems(this.view, payload);
      if (problems.length) {
        if (!this.view.outcome) this.view.validation_errors = problems;
        this.ports.warn('answers signal not submitted', { problems: formatProblems(problems) });
        return;
      }
      try {
        await this.submit(payload);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Already shown in view.error / validation_errors.
        this.ports.warn('answers signal failed', { error: describe(err) });
      }
    });
  }

  onEnd(reason?: string): void {
    this.endReason ??= reason ?? 'ended by request';
  }

  /** Opens the session, then waits for answers, the end signal or idle expiry; always ends what it opened. */
  async run(): Promise<InteractiveSessionResult> {
    try {
      try {
        await this.locked(() => this.open(this.input.jobUrl));
      } catch (err) {
        if (isCancellation(err)) throw err;
        await this.finish('error', 'error', `could not start the session: ${describe(err)}`);
      }
      while (!this.view.outcome) await this.waitForNext();
      await this.ports.condition(() => this.ports.allHandlersFinished());
    } catch (err) {
      if (isCancellation(err) && !this.view.outcome) {
        Object.assign(this.view, { outcome: 'ended', status: 'cancelled', is_terminal: true });
        this.detail = 'workflow cancelled';
        this.publish();
      }
      throw err;
    } finally {
      // Every path out, cancellation and bugs included, leaves no upstream session open.
      await this.ports.sessions.endAll();
    }
    return this.result();
  }

  result(): InteractiveSessionResult {
    const v = this.view;
    return {
      outcome: v.outcome!,
      status: v.status,
      detail: this.detail,
      job_url: this.input.jobUrl,
      session_id: v.session_id,
      provider_id: v.provider_id,
      current_url: v.current_url,
      hops: v.hops,
      pages_answered: v.pages_answered,
    };
  }

  private async waitForNext(): Promise<void> {
    const seen = this.activity;
    const stirred = await this.ports.condition(
      () => this.view.outcome !== null || this.endReason !== null || this.activity !== seen,
      this.idleMinutes * 60_000,
    );
    if (this.view.outcome) return;
    if (this.endReason !== null) {
      // Waits for a submission in flight, so its outcome is not lost, then ends the upstream session.
      const reason = this.endReason;
      await this.locked(() => this.finish('ended', 'ended', reason));
    } else if (!stirred && !this.lock.busy) {
      await this.finish('expired', 'expired', `no answers for ${this.idleMinutes} minutes`);
    }
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      try {
        return await fn();
      } finally {
        this.activity++;
      }
    });
  }

  private publish(): void {
    const { status, provider_id } = this.view;
    if (this.published.status === status && this.published.provider === provider_id) return;
    this.published = { status, provider: provider_id };
    this.ports.publish(status, provider_id);
  }

  private async finish(outcome: SessionOutcome, status: string, why: string | null): Promise<void> {
    if (this.view.outcome) return;
    Object.assign(this.view, { outcome, status, is_terminal: true });
    if (outcome === 'error') this.view.error = why;
    this.detail = why;
    this.publish();
    await this.ports.sessions.endAll();
  }

  private async open(jobUrl: string): Promise<void> {
    // One key per hop: a retry after a lost response finds the session it opened instead of opening another.
    const idempotencyKey = this.ports.createKey(`hop-${this.view.hops}`);
    const { profileId } = this.input;
    const state = await this.ports.startSession({ jobUrl, ...(profileId ? { profileId } : {}), idempotencyKey });
    this.ports.sessions.add(state.session_id);
    this.responses = 0;
    this.view.page = 1;
    await this.settle(state);
  }

  /** Shows an upstream state and acts on a terminal one: follow a redirect, or finish. */
  private async settle(state: LiveSessionState): Promise<void> {
    const v = this.view;
    Object.assign(v, {
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
    if (!state.is_terminal) return this.publish(); // unknown non-terminal statuses stay answerable: the enum is open
    if (state.status === 'redirect_required') {
      // Not over for the person: the workflow goes on at the redirect URL (answers wait for the lock meanwhile).
      v.is_terminal = false;
      this.publish();
      await this.ports.sessions.end(state.session_id);
      const problem = redirectProblem(state.redirect_url, v.hops);
      if (problem) return this.finish('error', 'error', problem);
      v.hops++;
      return this.open(state.redirect_url!);
    }
    if (state.status === 'submitted') return this.finish('submitted', state.status, null);
    if (state.status === 'expired') return this.finish('expired', state.status, state.error ?? 'expired upstream');
    return this.finish('error', state.status, state.error ?? `the session ended with status ${state.status}`);
  }

  /** The upstream lifecycle state of a session (000), or null when it cannot be read. */
  private async upstreamState(sessionId: string): Promise<string | null> {
    try {
      return (await this.ports.getSession({ sessionId })).state;
    } catch (err) {
      if (isCancellation(err)) throw err;
      this.ports.warn('could not read the upstream session', { sessionId, error: describe(err) });
      return null;
    }
  }

  /** The final answers went in although no response said so: the session is submitted, once. */
  private async submittedUnheard(sessionId: string): Promise<SessionView> {
    this.responses++;
    this.view.pages_answered++;
    this.ports.sessions.forget(sessionId);
    await this.finish('submitted', 'submitted', null);
    return this.view;
  }

  private async submit(payload: SessionAnswers): Promise<SessionView> {
    // Re-checked here: the page may have moved on while this call waited for the lock.
    this.validate(payload);
    const sessionId = this.view.session_id!;
    // Numbered by responses, not attempts: after a failed call the same key is sent again, so an answer
    // the upstream did take (response lost) is answered from its idempotency store, never applied twice.
    const idempotencyKey = `${this.ports.workflowId}/${sessionId}/${this.responses + 1}`;
    let state: LiveSessionState;
    try {
      state = await this.ports.submitAnswers({ sessionId, answers: payload.answers, idempotencyKey });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return this.submitFailed(sessionId, err);
    }
    this.responses++;
    // An active status with validation errors re-presents the same page.
    const samePage = !state.is_terminal && state.validation_errors.length > 0;
    if (!samePage) {
      this.view.pages_answered++;
      this.view.page++;
    }
    await this.settle(state);
    return this.view;
  }

  /** A submit that failed: finish, or tell the caller what to do, after asking the upstream what it took. */
  private async submitFailed(sessionId: string, err: unknown): Promise<SessionView> {
    const jobo = joboCause(err);
    if (jobo?.type === JoboFailure.BadRequest && jobo.fields.length) {
      this.view.validation_errors = jobo.fields;
      throw ApplicationFailure.create({
        type: SessionFailure.AnswersRejected,
        message: `the form rejected the answers: ${formatProblems(jobo.fields)}`,
        nonRetryable: true,
        details: [jobo.fields],
      });
    }
    if (jobo?.type === JoboFailure.Conflict || jobo?.type === JoboFailure.NotFound) {
      const upstreamNow = await this.upstreamState(sessionId);
      // The answers did go in (an earlier try whose response was lost submitted the application): say so.
      if (upstreamNow === 'completed' && this.ports.patched(SUBMITTED_TRUTH_PATCH)) return this.submittedUnheard(sessionId);
      // Expired by the upstream's own idle timeout (shorter than ours), or closed for another reason.
      if (expiredUpstream(upstreamNow)) {
        this.ports.sessions.forget(sessionId);
        await this.finish('expired', 'expired', `the upstream session expired before these answers arrived: ${jobo.message}`);
      } else {
        await this.finish('error', 'error', `the upstream session is no longer open: ${jobo.message}`);
      }
      throw ApplicationFailure.create({ type: SessionFailure.SessionClosed, message: this.detail!, nonRetryable: true });
    }
    // Before "send them again": the upstream may have taken them (a lost response) and submitted the form.
    if (this.ports.patched(SUBMITTED_TRUTH_PATCH) && (await this.upstreamState(sessionId)) === 'completed') {
      return this.submittedUnheard(sessionId);
    }
    this.view.error = `submitting failed, the answers can be sent again: ${describe(err)}`;
    throw ApplicationFailure.create({ type: SessionFailure.SubmitFailed, message: this.view.error, nonRetryable: true });
  }
}
