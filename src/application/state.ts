/**
 * What an application run knows and the rules over it, apart from Temporal: the view, the page being
 * answered, a person's answers, the form's refusals and the person task open now; which answers go in, what
 * is still missing, whether a person's answers can be taken, what an upstream state means. No workflow
 * API is called here (type imports only), so test/application.run.test.ts drives it without a server.
 */
import { validateAnswers } from '../forms/validate';
import type { AnswerValue, FieldProblem, FormField, LiveSessionState } from '../jobo/schemas';
import type { SessionAnswers, SessionView } from '../interactiveSession/messages';
import { formatProblems } from '../shared/input';
import { FINAL_STATUSES } from '../shared/applicationStatus';
import type { LedgerSummary, LedgerUpdate } from './activities';
import {
  DEFAULT_ANSWER_DEADLINE_MINUTES,
  forValidation,
  jobKeyOf,
  legacyJobKeyOf,
  type ApplicationInput,
  type ApplicationStatus,
  type ApplicationView,
  type CallerAnswer,
} from './input';
import type {
  AnswerQuestionRequest,
  ApproveReviewRequest,
  AskedField,
  PersonTaskKind,
  PersonTaskView,
  RejectReviewRequest,
} from './messages';

export type AttemptOutcome =
  | { kind: 'submitted'; url: string }
  | { kind: 'failed'; error: string }
  | { kind: 'retry'; error: string }
  | { kind: 'unconfirmed'; error: string }
  /** A captcha or login wall: only a person can finish, at `url`. */
  | { kind: 'needs_person'; url: string; error: string }
  /** A person rejected the review: nothing was submitted. */
  | { kind: 'rejected'; error: string };

export interface RunInfo {
  workflowId: string;
  runStartedAt: string;
  /** patched(NEVER_TWICE_PATCH): the job-keyed paths. */
  v2: boolean;
  /** Epoch ms (workflow time in a workflow: deterministic). */
  now: () => number;
}

/** Statuses after which the automation does nothing more for the (profile, job). */
export function isFinal(status: ApplicationStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A terminal status no automation can pass: 001 reserves these; today they come as `error` with a message. */
export function personWall(state: Pick<LiveSessionState, 'status' | 'error'>): boolean {
  if (state.status === 'captcha_required' || state.status === 'login_required') return true;
  return state.status === 'error' && /\b(captcha|log ?in|sign ?in)\b/i.test(state.error ?? '');
}

/** The field problem for a payload that is not an object of answers. */
const NOT_ANSWERS: FieldProblem = { field: 'answers', message: 'expected { "answers": { "<field name>": value, ... } }' };

function isAnswerMap(v: unknown): v is Record<string, AnswerValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ApplicationState {
  readonly view: ApplicationView;
  readonly deadlineMs: number;
  /** The upstream session being driven (shown to a person as a SessionView by the update). */
  live: LiveSessionState | null = null;
  page = 1;
  pagesAnswered = 0;
  /** Redirects followed by the current attempt. */
  hops = 0;
  /** Page submits that got a response (or failed): numbers Idempotency-Keys and wakes waiting updates. */
  submissions = 0;
  /** The current page: its fields and the answers we would submit now (engine, caller, person). */
  current: { fields: FormField[]; answers: Record<string, CallerAnswer> } = { fields: [], answers: {} };
  /** A person's answers by field name; kept across pages, redirects and attempts (same field, same answer). */
  readonly given: Record<string, AnswerValue> = {};
  /** Fields the form rejected, until a person answers them again. */
  readonly rejected = new Map<string, string>();
  /** Answers taken from a person (a counter the run waits on). */
  answered = 0;
  /** Why the last `answers` signal was not taken (signals cannot answer their sender). */
  signalProblems: FieldProblem[] = [];
  /** What a person is asked for now (or, for needs_person, was left with); null when nothing is asked. */
  task: PersonTaskView | null = null;
  /** Person tasks opened so far (an update waiting on a page's outcome also returns when a new one opens). */
  tasksOpened = 0;
  /** The review's verdict for the page under review (policy review). */
  verdict: { approved: true } | { approved: false; reason: string } | null = null;
  /** Pages already sent in this attempt (policy review shows them beside the page under review). */
  sentPages: { page: number; fields: FormField[]; answers: Record<string, AnswerValue> }[] = [];

  constructor(
    readonly input: ApplicationInput,
    readonly info: RunInfo,
  ) {
    this.deadlineMs = (input.answerDeadlineMinutes ?? DEFAULT_ANSWER_DEADLINE_MINUTES) * 60_000;
    const now = this.now();
    this.view = {
      workflow_id: info.workflowId,
      profile_id: input.profileId,
      job_id: info.v2 ? jobKeyOf(input) : legacyJobKeyOf(input),
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
      waiting_for: null,
      from_ledger: false,
      attached_to: null,
      created_at: now,
      updated_at: now,
    };
  }

  now(): string {
    return new Date(this.info.now()).toISOString();
  }

  ledgerUpdate(): LedgerUpdate {
    const { view, input } = this;
    return {
      profileId: input.profileId,
      jobId: view.job_id,
      jobUrl: input.jobUrl,
      jobRef: view.job_ref,
      awaitingUntil: view.awaiting?.deadline ?? (this.task?.kind === 'review' ? this.task.deadline : null),
      awaitingKind: this.task?.kind ?? null,
      status: view.status,
      attempts: view.attempts,
      error: view.error,
      confirmationUrl: view.result?.confirmationUrl ?? null,
      campaignId: view.campaign_id,
      provider: view.provider,
      workflowId: this.info.workflowId,
      runStartedAt: this.info.runStartedAt,
    };
  }

  sessionView(): SessionView {
    const { view, live } = this;
    const terminal = view.status === 'SUCCESS' || view.status === 'FAILED' || view.status === 'CANCELLED' || view.status === 'UNCONFIRMED';
    return {
      job_url: this.input.jobUrl,
      session_id: live?.session_id ?? null,
      status: live?.status ?? 'starting',
      is_terminal: terminal || (live?.is_terminal ?? false),
      provider_id: live?.provider_id ?? null,
      provider_name: live?.provider_name ?? null,
      current_url: live?.current_url ?? null,
      fields: view.awaiting?.fields ?? [],
      validation_errors: this.signalProblems.length
        ? this.signalProblems
        : [...this.rejected].map(([field, message]) => ({ field, message })),
      error: view.error,
      page: this.page,
      pages_answered: this.pagesAnswered,
      hops: this.hops,
      outcome: view.status === 'SUCCESS' ? 'submitted' : view.status === 'FAILED' ? 'error' : view.status === 'CANCELLED' ? 'ended' : null,
    };
  }

  /** The page's answers: a person's, then the caller's (by name or label), then the profile's. */
  merge(fields: FormField[], auto: Record<string, AnswerValue>): Record<string, CallerAnswer> {
    const out: Record<string, CallerAnswer> = {};
    for (const f of fields) {
      const value = this.given[f.name] ?? this.input.answers?.[f.name] ?? this.input.answers?.[f.label] ?? auto[f.name];
      if (value !== undefined) out[f.name] = value;
    }
    return out;
  }

  /** Sets the page being answered: its fields and the answers merged from every source. */
  fill(fields: FormField[], auto: Record<string, AnswerValue>): void {
    this.current = { fields, answers: this.merge(fields, auto) };
  }

  /** Required fields still unanswered or rejected, with why (`reasons`: the engine's, by field). */
  missingOf(reasons: Map<string, string>): Map<string, string> {
    const missing = new Map<string, string>();
    for (const p of validateAnswers(this.current.fields, forValidation(this.current.answers)))
      missing.set(p.field, reasons.get(p.field) ?? p.message);
    for (const [field, message] of this.rejected) missing.set(field, `rejected by the form: ${message}`);
    return missing;
  }

  /** Why answers from a person cannot be taken now (empty when they can). Also the update validator. */
  answerProblems(payload: unknown): FieldProblem[] {
    const awaiting = this.view.awaiting;
    if (!awaiting) return [{ field: '(application)', message: `no answers are being asked for (status ${this.view.status})` }];
    const p = payload as Partial<SessionAnswers> | null;
    if (typeof p !== 'object' || p === null || !isAnswerMap(p.answers)) return [NOT_ANSWERS];
    if (p.page !== undefined && p.page !== awaiting.page) {
      return [{ field: 'page', message: `answers are for page ${String(p.page)} but the application is on page ${awaiting.page}` }];
    }
    const answers = p.answers;
    const asked = awaiting.fields
      .filter((f) => answers[f.name] === undefined)
      .map((f) => ({ field: f.name, message: `${f.name} is required` }));
    return [...asked, ...validateAnswers(this.current.fields, { ...forValidation(this.current.answers), ...answers })];
  }

  /** answerQuestion's validator: the answers' problems, and `remember` naming answered fields only. */
  questionProblems(payload: unknown): FieldProblem[] {
    const problems = this.answerProblems(payload);
    if (problems.length) return problems;
    const { answers, remember } = payload as AnswerQuestionRequest;
    if (remember === undefined) return [];
    if (!Array.isArray(remember) || remember.some((n) => typeof n !== 'string'))
      return [{ field: 'remember', message: 'expected a list of field names' }];
    return remember
      .filter((name) => answers[name] === undefined || !this.current.fields.some((f) => f.name === name))
      .map((name) => ({ field: `remember.${name}`, message: `${name} is not a field answered here` }));
  }

  take(payload: SessionAnswers): void {
    Object.assign(this.given, payload.answers);
    for (const name of Object.keys(payload.answers)) this.rejected.delete(name);
    this.signalProblems = [];
    this.view.awaiting = null;
    this.answered++;
  }

  /** What `remember` stores for the profile: each named field's label, type and options, with the answer. */
  toRemember(req: AnswerQuestionRequest): { label: string; type: FormField['type']; options: FormField['options']; value: AnswerValue }[] {
    return (req.remember ?? []).flatMap((name) => {
      const field = this.current.fields.find((f) => f.name === name);
      const value = req.answers[name];
      if (!field || value === undefined) return [];
      return [{ label: field.label, type: field.type, options: field.options, value }];
    });
  }

  /**
   * A new attempt (a new upstream session, after one expired) is a deliberate new session: its own redirect
   * limit (the redirects of an expired attempt are not this one's), and the form from its first page.
   */
  startAttempt(): void {
    this.hops = 0;
    this.sentPages = [];
  }

  // ---- person tasks ------------------------------------------------------------------------------

  private openTask(
    kind: PersonTaskKind,
    fields: AskedField[],
    answers: Record<string, AnswerValue>,
    liveUrl: string | null,
  ): PersonTaskView {
    const askedAt = this.info.now();
    this.task = {
      kind,
      application_id: this.info.workflowId,
      campaign_id: this.view.campaign_id,
      profile_id: this.input.profileId,
      job_url: this.input.jobUrl,
      job_title: this.input.job?.title ?? null,
      company_name: this.input.job?.companyName ?? null,
      page: this.page,
      fields,
      answers,
      live_url: liveUrl,
      asked_at: new Date(askedAt).toISOString(),
      deadline: new Date(askedAt + this.deadlineMs).toISOString(),
    };
    this.view.waiting_for = kind;
    this.view.updated_at = this.now();
    this.tasksOpened++;
    return this.task;
  }

  /** Policy ask: the required fields the profile cannot answer (`missing`: field → why). */
  openQuestion(missing: Map<string, string>): PersonTaskView {
    const problems = new Map(validateAnswers(this.current.fields, forValidation(this.current.answers)).map((p) => [p.field, p.message]));
    const fields = this.current.fields.filter((f) => missing.has(f.name));
    const task = this.openTask(
      'question',
      fields.map((f) => ({
        ...f,
        page: this.page,
        reason: missing.get(f.name)!,
        rule: this.rejected.get(f.name) ?? problems.get(f.name) ?? null,
      })),
      {},
      null,
    );
    this.view.awaiting = { page: this.page, fields, reasons: Object.fromEntries(missing), deadline: task.deadline };
    return task;
  }

  /** Policy review: every field sent so far and of the page about to be submitted, with the answers. */
  openReview(): PersonTaskView {
    this.verdict = null;
    const sent = this.sentPages.flatMap((p) => p.fields.map((f) => ({ field: f, page: p.page, value: p.answers[f.name] })));
    const shown = forValidation(this.current.answers);
    const now = this.current.fields.map((f) => ({ field: f, page: this.page, value: shown[f.name] }));
    const answers: Record<string, AnswerValue> = {};
    for (const { field, value } of [...sent, ...now]) if (value !== undefined) answers[field.name] = value;
    const fields = [...sent, ...now].map(({ field, page }) => ({
      ...field,
      page,
      reason: page === this.page ? 'to be submitted on approval' : `sent with page ${page}`,
      rule: null,
    }));
    return this.openTask('review', fields, answers, null);
  }

  /** A captcha or login wall: the task stays (the application ends parked, final for the automation). */
  openNeedsPerson(liveUrl: string): PersonTaskView {
    return this.openTask('needs_person', [], {}, liveUrl);
  }

  closeTask(): void {
    this.task = null;
    this.view.awaiting = null;
    this.view.waiting_for = null;
    this.view.updated_at = this.now();
  }

  /** approveReview's validator: a review is open, and the changed answers validate on the page under review. */
  reviewProblems(payload: unknown): FieldProblem[] {
    if (this.task?.kind !== 'review' || this.verdict)
      return [{ field: '(application)', message: `no review is pending (status ${this.view.status})` }];
    const p = payload as Partial<ApproveReviewRequest> | null;
    if (typeof p !== 'object' || p === null)
      return [{ field: 'answers', message: 'expected { "answers"?: { "<field name>": value, ... } }' }];
    if (p.answers === undefined) return [];
    if (!isAnswerMap(p.answers)) return [NOT_ANSWERS];
    const here = new Set(this.current.fields.map((f) => f.name));
    const elsewhere = Object.keys(p.answers)
      .filter((name) => !here.has(name))
      .map((name) => {
        const sent = this.sentPages.find((s) => s.fields.some((f) => f.name === name));
        return {
          field: name,
          message: sent ? `${name} was sent with page ${sent.page} and cannot change now` : `${name} is not a field of this form`,
        };
      });
    if (elsewhere.length) return elsewhere;
    return validateAnswers(this.current.fields, { ...forValidation(this.current.answers), ...p.answers });
  }

  rejectProblems(payload: unknown): FieldProblem[] {
    if (this.task?.kind !== 'review' || this.verdict)
      return [{ field: '(application)', message: `no review is pending (status ${this.view.status})` }];
    const p = payload as Partial<RejectReviewRequest> | null;
    if (
      p !== undefined &&
      p !== null &&
      (typeof p !== 'object' || (p.reason !== undefined && (typeof p.reason !== 'string' || p.reason.length > 500)))
    ) {
      return [{ field: 'reason', message: 'expected a text of at most 500 characters' }];
    }
    return [];
  }

  approve(req: ApproveReviewRequest): void {
    if (req.answers) {
      Object.assign(this.given, req.answers);
      for (const name of Object.keys(req.answers)) this.rejected.delete(name);
      Object.assign(this.current.answers, req.answers);
    }
    this.verdict = { approved: true };
  }

  reject(req: RejectReviewRequest | undefined): void {
    this.verdict = { approved: false, reason: req?.reason ?? 'no reason given' };
  }

  /** Policy review stops before a submit that may be the final one: 001's submit_ready, or a first page (form_ready) that may be the last. */
  needsReview(state: Pick<LiveSessionState, 'status'>): boolean {
    return this.view.policy === 'review' && (state.status === 'submit_ready' || state.status === 'form_ready');
  }

  // ---- upstream decisions ------------------------------------------------------------------------

  /**
   * A terminal (non-redirect) upstream state as an outcome. `walls`: a captcha/login wall parks the
   * application for a person instead of failing it.
   */
  terminalOutcome(state: LiveSessionState, walls: boolean): AttemptOutcome {
    if (state.status === 'submitted') return { kind: 'submitted', url: state.current_url ?? this.input.jobUrl };
    if (state.status === 'expired') return { kind: 'retry', error: state.error ?? 'the upstream session expired' };
    const error = state.error ?? `the application ended with status ${state.status}`;
    if (walls && personWall(state)) return { kind: 'needs_person', url: state.current_url ?? this.input.jobUrl, error };
    return { kind: 'failed', error };
  }

  /** The upstream lifecycle state (000) of a submit whose outcome is unknown, as an outcome; null while it does not decide. */
  reconciled(state: string | null, why: string): AttemptOutcome | null {
    if (state === 'completed') return { kind: 'submitted', url: this.live?.current_url ?? this.input.jobUrl };
    // `closed` without completing is the upstream's idle expiry (or our own end): nothing went in.
    if (state === 'failed' || state === 'closed') {
      return { kind: 'retry', error: `${state === 'closed' ? 'the upstream session expired' : 'the upstream session failed'}: ${why}` };
    }
    return null;
  }

  /**
   * v2: answers sent again after a lost response (the upstream ignores Idempotency-Key) meet the upstream on
   * the next page, which refuses them as fields it does not have. That page is the one to answer now.
   */
  movedOn(state: LiveSessionState): boolean {
    if (!this.info.v2) return false;
    const sent = new Set(this.current.fields.map((f) => f.name));
    const shown = new Set(state.fields.map((f) => f.name));
    const samePageShown = sent.size === shown.size && [...sent].every((n) => shown.has(n));
    return !samePageShown && state.validation_errors.every((p) => !shown.has(p.field));
  }

  /** A page submit's response: the form's refusals are kept for the next try, or the page is done. A form-level refusal fails the attempt. */
  afterSubmit(state: LiveSessionState): AttemptOutcome | null {
    const samePage = !state.is_terminal && state.validation_errors.length > 0 && !this.movedOn(state);
    this.rejected.clear();
    if (samePage) {
      const known = new Set(state.fields.map((f) => f.name));
      for (const p of state.validation_errors) this.rejected.set(known.has(p.field) ? p.field : '(form)', p.message);
      if (this.rejected.has('(form)'))
        return { kind: 'failed', error: `the form rejected the answers: ${formatProblems(state.validation_errors)}` };
      return null;
    }
    if (this.view.policy === 'review')
      this.sentPages.push({ page: this.page, fields: this.current.fields, answers: forValidation(this.current.answers) });
    this.page++;
    this.pagesAnswered++;
    return null;
  }

  /** Shows a ledger row's outcome as this application's (nothing of it is written back). */
  report(row: LedgerSummary, alreadyApplied: boolean): void {
    Object.assign(this.view, {
      status: row.status,
      provider: row.provider,
      result: row.confirmationUrl ? { confirmationUrl: row.confirmationUrl } : null,
      error: row.status === 'SUCCESS' ? null : row.error,
      attempts: row.attempts,
      from_ledger: alreadyApplied,
      updated_at: this.now(),
    });
  }

  /** Whether a person's answers had their effect since `before` (an update waiting on it may return): the page went upstream, a person is asked again, or the application ended. */
  settledSince(before: { submissions: number; tasksOpened: number }): boolean {
    const v = this.view;
    return (
      this.submissions !== before.submissions ||
      this.tasksOpened !== before.tasksOpened ||
      v.awaiting !== null ||
      v.result !== null ||
      v.status !== 'PROCESSING'
    );
  }
}
