/**
 * The typed way to start and follow applications. `startApplication` is the only start path the product
 * uses: one workflow id per (profile, job), REJECT_DUPLICATE so a closed run is never followed by a second
 * one, USE_EXISTING so a concurrent start attaches to the running one. Either way the caller gets a
 * handle whose result is the first run's.
 */
import { InvalidInputError } from '../interactiveSession/input';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { AnswerValue } from '../jobo/schemas';
import { answersSignal, application, applicationQuery, submitAnswersUpdate } from '../workflows/application';
import type { SessionView } from '../workflows/interactiveSession';
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
): Promise<StartedApplication> {
  const problems = validateApplicationInput(input);
  if (problems.length) throw new InvalidApplicationInputError(problems);
  const workflowId = applicationWorkflowId(input);
  try {
    const handle = await client.workflow.start(application, {
      taskQueue: opts.taskQueue,
      ...applicationStartOptions(input),
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
