/**
 * The interactive session's contract: what a client, the API, the CLI and the `temporal` CLI send to and
 * read from the workflow. Imported by both sides; pure types and message definitions only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnswerValue, FieldProblem, FormField } from '../jobo/schemas';

/** How the session ended: captcha, login and other blocked flows are `error` with the status kept. */
export type SessionOutcome = 'submitted' | 'error' | 'expired' | 'ended';

/** The payload of the `submitAnswers` update and the `answers` signal. */
export interface SessionAnswers {
  /** The current page's answers, keyed by field name. */
  answers: Record<string, AnswerValue>;
  /** Optional guard: the page these answers are for (view.page); answers for another page are refused. */
  page?: number;
}

/** The live state shown by the `state` query, in the upstream's (snake_case) vocabulary. */
export interface SessionView {
  job_url: string;
  session_id: string | null;
  /** The upstream flow status; `starting` before the first response, `expired`/`ended`/`cancelled` when we close it. */
  status: string;
  is_terminal: boolean;
  provider_id: string | null;
  provider_name: string | null;
  current_url: string | null;
  fields: FormField[];
  validation_errors: FieldProblem[];
  error: string | null;
  /** 1-based page of the current upstream session. */
  page: number;
  pages_answered: number;
  hops: number;
  outcome: SessionOutcome | null;
}

export interface InteractiveSessionResult {
  outcome: SessionOutcome;
  status: string;
  detail: string | null;
  job_url: string;
  session_id: string | null;
  provider_id: string | null;
  current_url: string | null;
  hops: number;
  pages_answered: number;
}

/** True once the view shows a page to answer or the end: not while starting or following a redirect. */
export function isSettled(view: SessionView): boolean {
  return view.is_terminal || (view.status !== 'starting' && view.status !== 'redirect_required');
}

export const stateQuery = defineQuery<SessionView>('state');
export const submitAnswersUpdate = defineUpdate<SessionView, [SessionAnswers]>('submitAnswers');
export const answersSignal = defineSignal<[SessionAnswers]>('answers');
export const endSignal = defineSignal<[{ reason?: string }?]>('end');

/** Failure types this workflow raises (to update callers, or as the workflow failure for bad input). */
export const SessionFailure = {
  InvalidInput: 'InvalidSessionInput',
  InvalidAnswers: 'InvalidAnswers',
  AnswersRejected: 'AnswersRejectedUpstream',
  SubmitFailed: 'SubmitFailed',
  SessionClosed: 'SessionClosed',
} as const;
