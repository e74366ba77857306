/**
 * The typed way to start and follow applications. `startApplication` is the only start path the product
 * uses: one workflow id per (profile, job), REJECT_DUPLICATE so a closed run is never followed by a second
 * one, USE_EXISTING so a concurrent start attaches to the running one. Either way the caller gets a
 * handle whose result is the first run's.
 */
import { InvalidInputError } from '../shared/input';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { AnswerValue } from '../jobo/schemas';
import { application } from './workflow';
import {
  answerQuestionUpdate,
  answersSignal,
  applicationQuery,
  approveReviewUpdate,
  personTaskQuery,
  rejectReviewUpdate,
  submitAnswersUpdate,
  type AnswerQuestionRequest,
  type ApproveReviewRequest,
  type PersonTaskView,
  type RejectReviewRequest,
} from './messages';
import type { SessionView } from '../interactiveSession/messages';
import {
  APPLICATION_WORKFLOW_PREFIX,
  applicationStartOptions,
  applicationWorkflowId,
  validateApplicationInput,
  type ApplicationInput,
  type ApplicationView,
  type InputProblem,
} from './input';

/** Bad input: nothing was started. `problems` names each field. */
export class InvalidApplicationInputError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('application', problems);
  }
}

/** A retry of an application that is not FAILED, CANCELLED or NEEDS_PERSON: nothing was started. */
export class ApplicationNotRetryableError extends Error {
  constructor(
    readonly workflowId: string,
    readonly status: string,
  ) {
    super(`${workflowId} is ${status}: only a FAILED, CANCELLED or NEEDS_PERSON application can be retried`);
    this.name = 'ApplicationNotRetryableError';
  }
}

/** The ledger row a retry starts from (src/store/ledger.ts LedgerRow). */
export interface RetryableRow {
  profileId: string;
  jobUrl: string;
  jobRef: string | null;
  campaignId: string | null;
  status: string;
  workflowId: string;
}

/** The retry number in `…/retry-<n>` (0 for a first application). */
export function retryNumberOf(workflowId: string): number {
  const m = /\/retry-(\d+)$/.exec(workflowId);
  return m ? Number(m[1]) : 0;
}

/**
 * Retrying is an explicit act, for a FAILED, CANCELLED or NEEDS_PERSON row only: a new workflow `…/retry-<n>` whose claim
 * takes the row over from the one it names (src/store/ledger.ts). Two retries at once resolve to the same
 * id and attach; a row that changed meanwhile is attached to by the claim, never applied twice.
 */
export async function retryApplication(
  client: Client,
  row: RetryableRow,
  opts: { taskQueue: string; policy?: ApplicationInput['policy']; answers?: ApplicationInput['answers']; overrideEmail?: string },
): Promise<StartedApplication> {
  // NEEDS_PERSON is final for the automation; a person's explicit retry starts it again (the ledger's RETRYABLE_STATUSES).
  if (row.status !== 'FAILED' && row.status !== 'CANCELLED' && row.status !== 'NEEDS_PERSON')
    throw new ApplicationNotRetryableError(row.workflowId, row.status);
  const input: ApplicationInput = {
    profileId: row.profileId,
    jobUrl: row.jobUrl,
    ...(row.jobRef ? { jobId: row.jobRef } : {}),
    ...(row.campaignId ? { campaignId: row.campaignId } : {}),
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.answers ? { answers: opts.answers } : {}),
    ...(opts.overrideEmail ? { overrideEmail: opts.overrideEmail } : {}),
    retryOf: row.workflowId,
  };
  return startApplication(client, input, opts, retryNumberOf(row.workflowId) + 1);
}

export interface StartedApplication {
  workflowId: string;
  /** True when the pair's workflow had already closed (REJECT_DUPLICATE): the handle is that run's. */
  alreadyClosed: boolean;
  handle: WorkflowHandle<typeof application>;
}

export async function startApplication(
  client: Client,
  input: ApplicationInput,
  opts: { taskQueue: string },
  retry?: number,
): Promise<StartedApplication> {
  const problems = validateApplicationInput(input);
  if (problems.length) throw new InvalidApplicationInputError(problems);
  const workflowId = applicationWorkflowId(input, retry);
  try {
    const handle = await client.workflow.start(application, {
      taskQueue: opts.taskQueue,
      ...applicationStartOptions(input, retry),
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    return { workflowId, alreadyClosed: false, handle }; // started, or attached to the running one
  } catch (err) {
    // REJECT_DUPLICATE: the pair already has a closed run; that run's result is the answer.
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { workflowId, alreadyClosed: true, handle: client.workflow.getHandle<typeof application>(workflowId) };
    }
    throw err;
  }
}

function handleOf(client: Client, workflowId: string): WorkflowHandle<typeof application> {
  if (!workflowId.startsWith(APPLICATION_WORKFLOW_PREFIX)) {
    throw new InvalidApplicationInputError([{ field: 'workflowId', message: `expected ${APPLICATION_WORKFLOW_PREFIX}<profile>/<job>` }]);
  }
  return client.workflow.getHandle<typeof application>(workflowId);
}

export function applicationView(client: Client, workflowId: string): Promise<ApplicationView> {
  return handleOf(client, workflowId).query(applicationQuery);
}

/** A person's answers for the fields the application is asking for (policy `ask`). */
export function answerApplication(
  client: Client,
  workflowId: string,
  answers: Record<string, AnswerValue>,
  opts: { page?: number } = {},
): Promise<SessionView> {
  return handleOf(client, workflowId).executeUpdate(submitAnswersUpdate, {
    args: [{ answers, ...(opts.page !== undefined ? { page: opts.page } : {}) }],
  });
}

export async function signalApplicationAnswers(client: Client, workflowId: string, answers: Record<string, AnswerValue>): Promise<void> {
  await handleOf(client, workflowId).signal(answersSignal, { answers });
}

/** What a person is asked for now (question, review, needs_person), or null. */
export function personTask(client: Client, workflowId: string): Promise<PersonTaskView | null> {
  return handleOf(client, workflowId).query(personTaskQuery);
}

/**
 * A person's answers to an open question, some of them remembered for the profile. A bad answer is refused
 * by the update's validator (WorkflowUpdateFailedError naming the field) and nothing changes.
 */
export function answerQuestion(client: Client, workflowId: string, req: AnswerQuestionRequest): Promise<ApplicationView> {
  return handleOf(client, workflowId).executeUpdate(answerQuestionUpdate, { args: [req] });
}

/** Approves the filled form under review (with changed answers, if any): it is submitted. */
export function approveReview(client: Client, workflowId: string, req: ApproveReviewRequest = {}): Promise<ApplicationView> {
  return handleOf(client, workflowId).executeUpdate(approveReviewUpdate, { args: [req] });
}

/** Rejects the form under review: the upstream session is ended, nothing is submitted, the application is CANCELLED. */
export function rejectReview(client: Client, workflowId: string, req: RejectReviewRequest = {}): Promise<ApplicationView> {
  return handleOf(client, workflowId).executeUpdate(rejectReviewUpdate, { args: [req] });
}
