/**
 * The `application` workflow's input, id and view: pure (no zod, no Node APIs), shared by the typed client,
 * the workflow (which re-checks, as the `temporal` CLI can start it with raw JSON) and the activities.
 */
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { formatProblems, jobUrlProblem, shortHash, type InputProblem } from '../shared/input';
import type { AnswerValue, FormField } from '../jobo/schemas';
import type { PersonTaskKind } from './messages';
import { SA } from '../searchAttributes';
import type { ApplicationAttempt } from '../store/ledger';
import type { ApplicationStatus } from '../shared/applicationStatus';
import { canonicalJobUrl, jobKeyOfUrl } from '../shared/jobKey';

export type { ApplicationAttempt, ApplicationStatus, InputProblem };

/**
 * A file answer stored once in applyflow's database (src/application/answerFiles.ts) and named by its
 * SHA-256: what a campaign hands each of its applications instead of the bytes, so a 2 MiB upload enters
 * no history. Only the activity that submits the page turns it back into an upload.
 */
export interface StoredFileAnswer {
  kind: 'stored_file';
  sha256: string;
  file_name: string;
  content_type: string;
  bytes: number;
}

/** What a caller may answer with: an upstream answer value, or a stored file. */
export type CallerAnswer = AnswerValue | StoredFileAnswer;

/** Caller answers, as JSON, may take at most this much of an input (they are copied into every application). */
export const ANSWERS_MAX_BYTES = 64 * 1024;

export function isStoredFile(v: unknown): v is StoredFileAnswer {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'stored_file';
}

/** Answers with each stored file shown as the upload it stands for (name and type), for validation only. */
export function forValidation(answers: Record<string, CallerAnswer>): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  for (const [k, v] of Object.entries(answers)) {
    out[k] = isStoredFile(v) ? { kind: 'upload', file_name: v.file_name, content_type: v.content_type, content_base64: 'AAAA' } : v;
  }
  return out;
}

/** Problems of caller answers that every application would carry: size, and inline uploads where refused. */
export function answersSizeProblems(answers: unknown, opts: { inlineUploads: boolean }): InputProblem[] {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return [];
  const problems: InputProblem[] = [];
  for (const [name, v] of Object.entries(answers as Record<string, unknown>)) {
    if (!opts.inlineUploads && typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'upload') {
      problems.push({
        field: `answers.${name}`,
        message:
          'a file upload is stored once, not copied into every application: send it through the API, or store it with storeAnswerFiles',
      });
    }
  }
  const size = JSON.stringify(answers).length;
  if (problems.length === 0 && size > ANSWERS_MAX_BYTES) {
    problems.push({
      field: 'answers',
      message: `at most ${ANSWERS_MAX_BYTES} bytes as JSON (got ${size}); store file uploads once instead`,
    });
  }
  return problems;
}
export { formatProblems };

export const APPLICATION_WORKFLOW_PREFIX = 'application/';
export const DEFAULT_ANSWER_DEADLINE_MINUTES = 30;
export const MAX_ANSWER_DEADLINE_MINUTES = 7 * 24 * 60;
/** Upstream sessions per application: a session that expires or closes under us is started again. */
export const MAX_ATTEMPTS = 3;

/**
 * What to do when the profile cannot answer a required field: `skip` fails naming them, `ask` waits for a
 * person's answers; `review` asks too, and also waits for a person's approval before the final submit.
 */
export type UnansweredPolicy = 'ask' | 'skip' | 'review';
export const UNANSWERED_POLICIES: readonly UnansweredPolicy[] = ['skip', 'ask', 'review'];

export interface ApplicationInput {
  profileId: string;
  jobUrl: string;
  /**
   * The caller's own reference for the job (002's "your job ID reference", or the Jobo id for autopilot):
   * shown back, never the key. The application is keyed by the canonical jobUrl (./jobKey.ts).
   */
  jobId?: string;
  /**
   * An explicit retry of a FAILED or CANCELLED application: the workflow id whose ledger row this run may
   * take over. Nothing else may start again what the ledger holds.
   */
  retryOf?: string;
  campaignId?: string;
  /**
   * Default `skip`: FAILED naming the fields. `ask` waits for a person's answers until the deadline; `review`
   * also waits, until the deadline, for a person to approve (or reject) the filled form before the final submit.
   */
  policy?: UnansweredPolicy;
  answerDeadlineMinutes?: number;
  /**
   * The caller's own answers, keyed by field name or label, for questions a profile cannot answer (e.g. a
   * campaign's "How did you hear about us?"). They win over the profile's answers for the same field.
   */
  answers?: Record<string, CallerAnswer>;
  /** Email fields are answered with this address instead of the profile's (a campaign's overrideEmail). */
  overrideEmail?: string;
  /** What the caller says the job is (002's title and companyName), for answers when the store does not know it. */
  job?: { title?: string; companyName?: string };
}

/** The `application` query and the workflow result: the application as reference 002 lists it. */
export interface ApplicationView {
  workflow_id: string;
  profile_id: string;
  /** The job key (from the canonical apply URL). */
  job_id: string;
  /** The caller's reference for the job, if it gave one. */
  job_ref: string | null;
  job_url: string;
  campaign_id: string | null;
  policy: UnansweredPolicy;
  status: ApplicationStatus;
  /** The ATS provider (ats_type in 002). */
  provider: string | null;
  result: { confirmationUrl: string } | null;
  error: string | null;
  attempts: ApplicationAttempt[];
  /** Set while a person is asked for answers (policy `ask`): the fields to answer and until when. */
  awaiting: { page: number; fields: FormField[]; reasons: Record<string, string>; deadline: string } | null;
  /** What a person is asked for now (the `personTask` query has the details); for needs_person it stays set. */
  waiting_for: PersonTaskKind | null;
  /** True when the ledger already had this application's SUCCESS and nothing was sent upstream. */
  from_ledger: boolean;
  /** Set when another workflow owns this (profile, job): this one only reports that one's outcome. */
  attached_to: string | null;
  /** Ours (daily pacing): while QUEUED for a user's daily cap, when the next day window opens and it claims again. */
  next_attempt_at?: string | null;
  created_at: string;
  updated_at: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Loose on purpose: the upstream form validates the address; this only catches obvious mistakes. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A job key usable in the workflow id (campaigns check their jobs' ids with it too). */
export const JOB_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The key of runs started before job keys: the caller's jobId, else a hash of the URL as given. */
export function legacyJobKeyOf(input: Pick<ApplicationInput, 'jobId' | 'jobUrl'>): string {
  return input.jobId ?? `u-${shortHash(input.jobUrl)}${shortHash(`${input.jobUrl}#2`)}`;
}

/** The job key: the canonical apply URL's, whatever the caller calls the job. */
export function jobKeyOf(input: Pick<ApplicationInput, 'jobUrl'>): string {
  return jobKeyOfUrl(input.jobUrl);
}

export { canonicalJobUrl };

/**
 * `application/<profileId>/<jobKey>`: one workflow id per (profile, job) is what makes a second start attach.
 * An explicit retry gets its own id (`…/retry-<n>`), as the first one's closed run keeps its id.
 */
export function applicationWorkflowId(input: Pick<ApplicationInput, 'profileId' | 'jobUrl'>, retry?: number): string {
  return `${APPLICATION_WORKFLOW_PREFIX}${input.profileId}/${jobKeyOf(input)}${retry ? `/retry-${retry}` : ''}`;
}

/**
 * How every application workflow is started, by the client and as a campaign's child alike: one id per
 * (profile, job) and REJECT_DUPLICATE, so a closed run is never followed by a second one.
 */
export function applicationStartOptions(input: ApplicationInput, retry?: number) {
  return {
    workflowId: applicationWorkflowId(input, retry),
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    memo: { jobUrl: input.jobUrl },
    typedSearchAttributes: [
      { key: SA.kind, value: 'application' },
      { key: SA.profileId, value: input.profileId },
      { key: SA.jobUrl, value: canonicalJobUrl(input.jobUrl) },
      { key: SA.status, value: 'QUEUED' },
      ...(input.campaignId ? [{ key: SA.campaignId, value: input.campaignId }] : []),
    ] as SearchAttributePair[],
  };
}

export function validateApplicationInput(input: unknown): InputProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: 'input', message: 'expected an object { profileId, jobUrl, jobId?, campaignId?, policy?, ... }' }];
  }
  const { profileId, jobUrl, jobId, retryOf, campaignId, policy, answerDeadlineMinutes, answers, overrideEmail, job, ...rest } =
    input as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof profileId !== 'string' || !GUID.test(profileId)) problems.push({ field: 'profileId', message: 'required: a profile UUID' });
  const urlProblem = jobUrlProblem(jobUrl);
  if (urlProblem) problems.push({ field: 'jobUrl', message: urlProblem });
  if (jobId !== undefined && (typeof jobId !== 'string' || !JOB_ID.test(jobId))) {
    problems.push({ field: 'jobId', message: 'expected 1-100 characters of [A-Za-z0-9_.:-]' });
  }
  if (retryOf !== undefined && (typeof retryOf !== 'string' || !retryOf.startsWith(APPLICATION_WORKFLOW_PREFIX))) {
    problems.push({ field: 'retryOf', message: `expected the workflow id of the application to retry (${APPLICATION_WORKFLOW_PREFIX}…)` });
  }
  if (campaignId !== undefined && (typeof campaignId !== 'string' || campaignId.length === 0 || campaignId.length > 200)) {
    problems.push({ field: 'campaignId', message: 'expected 1-200 characters' });
  }
  if (policy !== undefined && !UNANSWERED_POLICIES.includes(policy as UnansweredPolicy)) {
    problems.push({ field: 'policy', message: 'expected "skip", "ask" or "review"' });
  }
  if (
    answerDeadlineMinutes !== undefined &&
    (typeof answerDeadlineMinutes !== 'number' ||
      !Number.isFinite(answerDeadlineMinutes) ||
      answerDeadlineMinutes <= 0 ||
      answerDeadlineMinutes > MAX_ANSWER_DEADLINE_MINUTES)
  ) {
    problems.push({ field: 'answerDeadlineMinutes', message: `must be a number of minutes in (0, ${MAX_ANSWER_DEADLINE_MINUTES}]` });
  }
  if (answers !== undefined && (typeof answers !== 'object' || answers === null || Array.isArray(answers))) {
    problems.push({ field: 'answers', message: 'expected an object of { "<field name or label>": value }' });
  }
  problems.push(...answersSizeProblems(answers, { inlineUploads: true }));
  if (job !== undefined) {
    const j = job as Record<string, unknown> | null;
    const text = (v: unknown) => v === undefined || (typeof v === 'string' && v.length <= 300);
    if (
      typeof j !== 'object' ||
      j === null ||
      Array.isArray(j) ||
      !text(j.title) ||
      !text(j.companyName) ||
      Object.keys(j).some((k) => k !== 'title' && k !== 'companyName')
    ) {
      problems.push({ field: 'job', message: 'expected { title?, companyName? } of at most 300 characters each' });
    }
  }
  if (overrideEmail !== undefined && (typeof overrideEmail !== 'string' || !EMAIL.test(overrideEmail))) {
    problems.push({ field: 'overrideEmail', message: 'expected an email address' });
  }
  for (const key of Object.keys(rest)) problems.push({ field: key, message: 'unknown input field' });
  return problems;
}
