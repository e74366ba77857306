/**
 * The application's contract: what clients, the API, the inbox, the campaign and the `temporal` CLI send
 * to and read from an application workflow. Imported by both sides; pure types and message definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AnswerValue, FormField } from '../jobo/schemas';
import type { ApplicationView } from './input';

// A person answers an application's page with the same update and signal as an interactive session.
export { answersSignal, submitAnswersUpdate, type SessionAnswers, type SessionView } from '../interactiveSession/messages';

export const applicationQuery = defineQuery<ApplicationView>('application');

/** Failure types the application workflow and its activities raise (named in the retry policies). */
export const ApplicationFailureType = {
  InvalidInput: 'InvalidApplicationInput',
  /** The profile cannot be used (its resume import failed). */
  ProfileNotReady: 'ProfileNotReady',
  /** The profile is still importing its resume: retried. */
  ProfileImporting: 'ProfileImporting',
  /** A ledger activity called from outside an application workflow. */
  NotInWorkflow: 'NotInWorkflow',
  /** A stored file answer whose bytes are gone. */
  AnswerFileMissing: 'AnswerFileMissing',
  /** The ledger row of the workflow this one attached to is gone. */
  LedgerRowMissing: 'LedgerRowMissing',
} as const;

// ---- A person in the loop (issue 16) ----------------------------------------------------------------

/**
 * What an application waits for a person for: `question` (policy ask: required fields the profile cannot
 * answer), `review` (policy review: approval of the filled form before the final submit), `needs_person`
 * (a captcha or login wall upstream: only a person can finish it, at `live_url`).
 */
export type PersonTaskKind = 'question' | 'review' | 'needs_person';

/** A field a person is asked about, with why the profile could not answer it and the rule that failed. */
export interface AskedField extends FormField {
  /** Why the answer engine had no answer (e.g. "no date of birth in the profile"). */
  reason: string;
  /** The form's rule that an empty or previous answer failed, if any (e.g. "must be one of …"). */
  rule: string | null;
  /** The upstream page the field is on (a review shows the pages already sent beside the one under review). */
  page: number;
}

/** The `personTask` query: what the person is asked for now, or null when nothing is pending. */
export interface PersonTaskView {
  kind: PersonTaskKind;
  /** The application workflow's id (the inbox's question or review id is derived from it). */
  application_id: string;
  campaign_id: string | null;
  profile_id: string;
  job_url: string;
  job_title: string | null;
  company_name: string | null;
  /** The upstream page the task is about (1-based). */
  page: number;
  /** question: the fields to answer. review: every field of the filled form. needs_person: empty. */
  fields: AskedField[];
  /** review: the answers that would be submitted, by field name (the person may change any). */
  answers: Record<string, AnswerValue>;
  /** needs_person: the upstream page where a person finishes by hand. */
  live_url: string | null;
  /** When the task was opened and when the application gives up waiting (FAILED naming the fields). */
  asked_at: string;
  deadline: string;
}

export const personTaskQuery = defineQuery<PersonTaskView | null>('personTask');

/** The `answerQuestion` update's payload. */
export interface AnswerQuestionRequest {
  /** Answers by field name for the asked fields. */
  answers: Record<string, AnswerValue>;
  /** Field names whose answers are remembered for the profile (by normalized label and type), so the same question is not asked again. */
  remember?: string[];
  /** Optional guard: the page the answers are for. */
  page?: number;
}

/** The `approveReview` update's payload: changed answers by field name, if any. */
export interface ApproveReviewRequest {
  answers?: Record<string, AnswerValue>;
}

export interface RejectReviewRequest {
  reason?: string;
}

/**
 * Updates with validators: a bad payload is rejected before it enters history (the API answers 400 naming
 * the field) and the application does not change. Each returns the application view after the change.
 */
export const answerQuestionUpdate = defineUpdate<ApplicationView, [AnswerQuestionRequest]>('answerQuestion');
export const approveReviewUpdate = defineUpdate<ApplicationView, [ApproveReviewRequest]>('approveReview');
export const rejectReviewUpdate = defineUpdate<ApplicationView, [RejectReviewRequest]>('rejectReview');
