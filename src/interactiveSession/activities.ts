/**
 * Upstream calls of an interactive session. Failures propagate as the client's typed ApplicationFailures
 * (src/jobo/failures.ts); the workflow's retry policy decides what is retried.
 */
import type { JoboClient } from '../jobo/client';
import type { AnswerValue, LiveSessionState, SessionMetadata } from '../jobo/schemas';

export interface InteractiveSessionActivityDeps {
  jobo: Pick<JoboClient, 'createSession' | 'submitAnswers' | 'getSession' | 'endSession'>;
}

export interface StartSessionRequest {
  jobUrl: string;
  profileId?: string;
  /**
   * Stable across activity retries, new for each session the workflow means to open: a retry after a lost
   * response gets the session the first try opened, so none is left open and unknown.
   */
  idempotencyKey?: string;
}

export interface SubmitAnswersRequest {
  sessionId: string;
  answers: Record<string, AnswerValue>;
  /** Stable across activity retries, so a retry after a lost response never submits the page twice. */
  idempotencyKey: string;
}

export function createInteractiveSessionActivities(deps: InteractiveSessionActivityDeps) {
  return {
    async startSession(req: StartSessionRequest): Promise<LiveSessionState> {
      return deps.jobo.createSession(
        { job_url: req.jobUrl, ...(req.profileId ? { profile_id: req.profileId } : {}) },
        req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {},
      );
    },

    async submitAnswers(req: SubmitAnswersRequest): Promise<LiveSessionState> {
      return deps.jobo.submitAnswers(req.sessionId, { answers: req.answers }, { idempotencyKey: req.idempotencyKey });
    },

    /** The session's lifecycle state (000): tells an upstream idle expiry (`closed`) from other endings. */
    async getSession(req: { sessionId: string }): Promise<SessionMetadata> {
      return deps.jobo.getSession(req.sessionId);
    },

    /** Idempotent upstream: an already ended or unknown session counts as ended. */
    async endSession(req: { sessionId: string }): Promise<void> {
      await deps.jobo.endSession(req.sessionId);
    },
  };
}

export type InteractiveSessionActivities = ReturnType<typeof createInteractiveSessionActivities>;
