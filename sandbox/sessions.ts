/**
 * Auto-apply sessions (000, 001): multi-page provider forms, per-field validation, redirect chains,
 * captcha/error endings, idle expiry, Idempotency-Key replay, and the "nothing twice" submission ledger.
 */
import { randomUUID } from 'node:crypto';
import {
  AnswersRequest,
  CreateSessionRequest,
  ErrorCodes,
  IDEMPOTENCY_KEY_MAX,
  type FieldProblem,
  type FormField,
  type LiveSessionState,
  type SessionMetadata,
} from '../src/jobo/schemas';
import { validateAnswers } from '../src/forms/validate';
import type { AdminSession, Submission } from './admin';
import type { Corpus } from './corpus';
import type { FaultInjector } from './faults';
import { formFor, type FormPage } from './forms';
import { HttpError, notFound, parseOr400 } from './http';
import { classifyTestUrl, detectProvider, nextHopUrl, redirectTarget } from './urls';

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
const MAX_SESSIONS = 50_000;

type EndedReason = 'deleted' | 'idle' | 'terminal';

interface SessionRecord {
  id: string;
  jobUrl: string;
  profileId: string | null;
  providerId: string;
  providerName: string;
  pages: FormPage[];
  page: number;
  /** What the URL makes the final submission do. */
  ending: 'submit' | 'captcha' | 'error';
  status: string;
  error: string | null;
  validationErrors: FieldProblem[];
  redirectUrl: string | null;
  redirectProviderId: string | null;
  answers: Record<string, unknown>[];
  startedAt: number;
  completedAt: number | null;
  /** Real time of the last request, for idle expiry. */
  lastSeen: number;
  endedReason: EndedReason | null;
  idempotent: Map<string, LiveSessionState>;
  /** The create's Idempotency-Key, if any: forgotten with the record, which bounds the key index. */
  createKey: string | null;
}

/** What sessions need from profiles: existence, and whether a stored resume can answer a file field. */
export interface ProfileLookup {
  has(id: string): boolean;
  hasResume(id: string): boolean;
}

export class SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  /** Create Idempotency-Key → session id; at most one entry per remembered session. */
  private readonly createKeys = new Map<string, string>();
  private readonly submissions = new Map<string, Submission>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly corpus: Corpus,
    private readonly profiles: ProfileLookup,
    private readonly faults: FaultInjector,
    private readonly idleTimeoutMs: number = DEFAULT_IDLE_TIMEOUT_MS,
    /** Session timestamps are wall-clock: sessions live in real time, unlike the simulated feed. */
    private readonly now: () => number = Date.now,
    /** Records kept (oldest forgotten first), and with them their create Idempotency-Keys. */
    private readonly maxSessions: number = MAX_SESSIONS,
  ) {
    this.sweeper = setInterval(() => this.sweepIdle(), Math.max(50, Math.min(idleTimeoutMs / 2, 30_000)));
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  // ---- API ---------------------------------------------------------------------------------------

  /**
   * Opens a session, or with an Idempotency-Key already used for the same request, returns that session's
   * current state (`replayed`) instead of opening another.
   */
  create(body: unknown, idempotencyKey?: string): { state: LiveSessionState; replayed: boolean } {
    const req = parseOr400(CreateSessionRequest, body);
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
        const message = `expected 1 to ${IDEMPOTENCY_KEY_MAX} characters`;
        throw new HttpError(400, ErrorCodes.invalidRequest, 'Invalid Idempotency-Key', [{ field: 'Idempotency-Key', message }]);
      }
      const prior = this.createKeys.get(idempotencyKey);
      if (prior !== undefined) {
        const s = this.sessions.get(prior)!;
        if (s.jobUrl !== req.job_url || s.profileId !== (req.profile_id ?? null)) {
          throw new HttpError(422, ErrorCodes.invalidRequest, 'Idempotency-Key reused with a different request', [
            { field: 'Idempotency-Key', message: `already used for another session create (job_url ${s.jobUrl})` },
          ]);
        }
        return { state: this.live(this.touch(prior)), replayed: true };
      }
    }
    if (req.profile_id !== undefined && !this.profiles.has(req.profile_id)) {
      throw new HttpError(404, ErrorCodes.notFound, 'Profile not found', [{ field: 'profile_id', message: 'no profile with this id' }]);
    }
    const provider = detectProvider(req.job_url);
    const test = classifyTestUrl(req.job_url);
    const now = this.now();
    const s: SessionRecord = {
      id: randomUUID(),
      jobUrl: req.job_url,
      profileId: req.profile_id ?? null,
      providerId: provider.id,
      providerName: provider.name,
      pages: [],
      page: 0,
      ending: test.kind === 'captcha' || test.kind === 'error' ? test.kind : 'submit',
      status: 'form_ready',
      error: null,
      validationErrors: [],
      redirectUrl: null,
      redirectProviderId: null,
      answers: [],
      startedAt: now,
      completedAt: null,
      lastSeen: now,
      endedReason: null,
      idempotent: new Map(),
      createKey: idempotencyKey ?? null,
    };
    const seq = this.corpus.gen.seqOfUrl(req.job_url, this.corpus.size);
    if (test.kind === 'redirect') {
      s.redirectUrl = nextHopUrl(test);
      s.redirectProviderId = redirectTarget(test).id;
      this.finish(s, 'redirect_required', null);
    } else if (seq >= 0 && !this.corpus.isActive(seq)) {
      this.finish(s, 'error', 'This job is no longer accepting applications');
    } else {
      s.pages = formFor(provider.id, req.job_url).pages;
    }
    this.remember(s);
    return { state: this.live(s), replayed: false };
  }

  answer(id: string, body: unknown, idempotencyKey: string | undefined): LiveSessionState {
    const s = this.touch(id);
    const replay = idempotencyKey ? s.idempotent.get(idempotencyKey) : undefined;
    if (replay) return replay;
    const req = parseOr400(AnswersRequest, body);
    if (s.endedReason !== null) {
      throw new HttpError(
        409,
        ErrorCodes.sessionTerminal,
        `Session is ${s.endedReason === 'terminal' ? `terminal (status ${s.status})` : `closed (${s.endedReason})`}`,
      );
    }
    const fields = s.pages[s.page].fields;
    const problems = [...validateAnswers(fields, req.answers), ...this.resumeProblems(fields, req.answers)];
    if (problems.length > 0) {
      s.validationErrors = problems;
    } else {
      s.validationErrors = [];
      s.answers.push(summarize(req.answers));
      if (s.page < s.pages.length - 1) {
        s.page++;
        s.status = s.page === s.pages.length - 1 ? 'submit_ready' : 'next_available';
      } else {
        this.submit(s);
      }
    }
    const state = this.live(s);
    if (idempotencyKey) s.idempotent.set(idempotencyKey, state);
    return state;
  }

  get(id: string): SessionMetadata {
    const s = this.touch(id);
    return {
      id: s.id,
      state: stateOf(s),
      mode: s.profileId ? 'automated' : 'interactive',
      job_url: s.jobUrl,
      provider_id: s.providerId,
      provider_name: s.providerName,
      current_url: this.currentUrl(s),
      profile_id: s.profileId,
      started_at: iso(s.startedAt),
      completed_at: s.completedAt === null ? null : iso(s.completedAt),
    };
  }

  /** Ends a session; ending an ended one is a no-op (204 either way). */
  end(id: string): void {
    const s = this.touch(id);
    if (s.endedReason !== null) return;
    s.endedReason = 'deleted';
    s.completedAt = this.now();
  }

  // ---- ground truth ------------------------------------------------------------------------------

  submissionList(): { submissions: Submission[]; total: number } {
    const submissions = [...this.submissions.values()].map((x) => ({ ...x }));
    return { submissions, total: submissions.reduce((n, x) => n + x.count, 0) };
  }

  /** Records as they are (admin reads do not count as activity, nor expire anything themselves). */
  adminList(): AdminSession[] {
    return [...this.sessions.values()].map((s) => this.adminView(s));
  }

  adminGet(id: string): AdminSession {
    const s = this.sessions.get(id);
    if (!s) throw notFound('Session');
    return this.adminView(s);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private submit(s: SessionRecord): void {
    if (s.ending === 'error') return this.finish(s, 'error', 'The application form returned an error on submit');
    if (s.ending === 'captcha' || this.faults.captcha()) {
      // 001: captcha_required is reserved and reports `error` until detection ships (switchable).
      const reserved = this.faults.current.reportReservedStatuses;
      return this.finish(s, reserved ? 'captcha_required' : 'error', 'A captcha challenge blocked the submission');
    }
    const key = `${s.profileId ?? ''}\n${s.jobUrl}`;
    const now = iso(this.now());
    const prior = this.submissions.get(key);
    if (prior) {
      prior.count++;
      prior.last_at = now;
    } else {
      const seq = this.corpus.gen.seqOfUrl(s.jobUrl, this.corpus.size);
      const jobId = seq >= 0 ? this.corpus.gen.idOf(seq) : null;
      this.submissions.set(key, { profile_id: s.profileId, job_url: s.jobUrl, job_id: jobId, count: 1, first_at: now, last_at: now });
    }
    this.finish(s, 'submitted', null);
  }

  private finish(s: SessionRecord, status: string, error: string | null): void {
    s.status = status;
    s.error = error;
    s.endedReason = 'terminal';
    s.completedAt = this.now();
  }

  /** A file answer naming a profile's resume needs that profile to have one. */
  private resumeProblems(fields: FormField[], answers: Record<string, unknown>): FieldProblem[] {
    return fields.flatMap((f) => {
      const v = answers[f.name] as { kind?: unknown; profile_id?: unknown } | undefined;
      if (f.type !== 'file' || !v || v.kind !== 'profile_resume' || typeof v.profile_id !== 'string') return [];
      return this.profiles.hasResume(v.profile_id) ? [] : [{ field: f.name, message: `${f.name}: profile ${v.profile_id} has no resume` }];
    });
  }

  private touch(id: string): SessionRecord {
    const s = this.sessions.get(id);
    if (!s) throw notFound('Session');
    const now = this.now();
    this.expireIfIdle(s, now);
    s.lastSeen = now;
    return s;
  }

  private expireIfIdle(s: SessionRecord, now: number): void {
    if (s.endedReason === null && now - s.lastSeen >= this.idleTimeoutMs) {
      s.status = 'expired';
      s.endedReason = 'idle';
      s.completedAt = this.now();
    }
  }

  private sweepIdle(): void {
    const now = this.now();
    for (const s of this.sessions.values()) this.expireIfIdle(s, now);
  }

  private remember(s: SessionRecord): void {
    this.sessions.set(s.id, s);
    if (s.createKey !== null) this.createKeys.set(s.createKey, s.id);
    // Maps iterate in insertion order: the first key is the oldest session.
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.values().next().value!;
      this.sessions.delete(oldest.id);
      if (oldest.createKey !== null) this.createKeys.delete(oldest.createKey);
    }
  }

  private currentUrl(s: SessionRecord): string {
    return s.page === 0 ? s.jobUrl : `${s.jobUrl}${s.jobUrl.includes('?') ? '&' : '?'}step=${s.page + 1}`;
  }

  private live(s: SessionRecord): LiveSessionState {
    const active = s.endedReason === null;
    return {
      session_id: s.id,
      provider_id: s.providerId,
      provider_name: s.providerName,
      status: s.status,
      is_terminal: !active,
      error: s.error,
      current_url: this.currentUrl(s),
      validation_errors: s.validationErrors,
      fields: active ? s.pages[s.page].fields : [],
      redirect_url: s.redirectUrl,
      redirect_provider_id: s.redirectProviderId,
    };
  }

  private adminView(s: SessionRecord): AdminSession {
    return {
      id: s.id,
      job_url: s.jobUrl,
      profile_id: s.profileId,
      mode: s.profileId ? 'automated' : 'interactive',
      provider_id: s.providerId,
      status: s.status,
      state: stateOf(s),
      page: s.page,
      page_count: s.pages.length,
      ended: s.endedReason !== null,
      ended_reason: s.endedReason,
      error: s.error,
      redirect_url: s.redirectUrl,
      answers: s.answers,
      started_at: iso(s.startedAt),
      completed_at: s.completedAt === null ? null : iso(s.completedAt),
      last_request_at: new Date(s.lastSeen).toISOString(),
    };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 000's lifecycle state from the flow status and how the session ended. */
function stateOf(s: SessionRecord): SessionMetadata['state'] {
  if (s.endedReason === 'deleted' || s.endedReason === 'idle') return 'closed';
  switch (s.status) {
    case 'form_ready':
    case 'next_available':
    case 'submit_ready':
      return 'running';
    case 'submitted':
    case 'redirect_required':
    case 'redirected':
      return 'completed';
    case 'expired':
      return 'closed';
    default:
      return 'failed';
  }
}

/** Answers as recorded for admin views: uploads keep their metadata, not their bytes. */
function summarize(answers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).map(([k, v]) => {
      const f = v as { kind?: unknown; content_base64?: unknown };
      if (f && typeof f === 'object' && f.kind === 'upload' && typeof f.content_base64 === 'string') {
        const { content_base64, ...rest } = f as Record<string, unknown> & { content_base64: string };
        return [k, { ...rest, size_bytes: Buffer.from(content_base64, 'base64').length }];
      }
      return [k, v];
    }),
  );
}
