/**
 * The typed way to drive an interactive session: start (input checked before anything starts), read its
 * state, answer by update (rejections come back with one problem per field), end, and wait for the result.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config';
import type { AnswerValue, FieldProblem } from '../jobo/schemas';
import { SA } from '../searchAttributes';
import { interactiveSession } from './workflow';
import {
  answersSignal,
  endSignal,
  isSettled,
  stateQuery,
  submitAnswersUpdate,
  type InteractiveSessionResult,
  type SessionView,
} from './messages';
import { SESSION_WORKFLOW_PREFIX, idSuffixProblem, sessionWorkflowId, validateSessionInput, type InteractiveSessionInput } from './input';
import { InvalidInputError, type InputProblem } from '../shared/input';

/** Bad input to start(): nothing was started. `problems` names each field. */
export class InvalidSessionInputError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('session', problems);
  }
}

/** An answer the session refused (validation) or could not submit; `problems` lists fields when known. */
export class SessionAnswerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(message);
    this.name = 'SessionAnswerError';
  }
}

export interface StartSessionOptions {
  /** Suffix of the workflow id (`interactive-session/<url hash>-<id>`); random when absent. */
  id?: string;
  /** The API user starting it: recorded (search attribute and memo) so only they see the session. */
  userId?: string;
}

export class InteractiveSessionClient {
  constructor(
    private readonly client: Client,
    private readonly opts: { taskQueue: string; defaultIdleTimeoutMinutes?: number },
  ) {}

  static fromConfig(client: Client, config: Config): InteractiveSessionClient {
    return new InteractiveSessionClient(client, {
      taskQueue: config.temporal.taskQueue,
      defaultIdleTimeoutMinutes: config.sessionIdleTimeoutMinutes,
    });
  }

  async start(input: InteractiveSessionInput, opts: StartSessionOptions = {}): Promise<{ workflowId: string; runId: string }> {
    const full: InteractiveSessionInput = {
      ...input,
      ...(input.idleTimeoutMinutes === undefined && this.opts.defaultIdleTimeoutMinutes !== undefined
        ? { idleTimeoutMinutes: this.opts.defaultIdleTimeoutMinutes }
        : {}),
    };
    const problems = validateSessionInput(full);
    const suffix = opts.id ?? randomBytes(4).toString('hex');
    const idProblem = idSuffixProblem(suffix);
    if (idProblem) problems.push({ field: 'id', message: idProblem });
    if (problems.length) throw new InvalidSessionInputError(problems);

    const workflowId = sessionWorkflowId(full.jobUrl, suffix);
    const handle = await this.client.workflow.start(interactiveSession, {
      taskQueue: this.opts.taskQueue,
      workflowId,
      args: [full],
      memo: { jobUrl: full.jobUrl, ...(opts.userId ? { userId: opts.userId } : {}) },
      typedSearchAttributes: [
        { key: SA.kind, value: 'interactive-session' },
        { key: SA.jobUrl, value: full.jobUrl },
        { key: SA.status, value: 'starting' },
        ...(opts.userId ? [{ key: SA.userId, value: opts.userId }] : []),
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  }

  handle(workflowId: string): WorkflowHandle<typeof interactiveSession> {
    if (!workflowId.startsWith(SESSION_WORKFLOW_PREFIX)) {
      throw new InvalidSessionInputError([{ field: 'id', message: `expected a workflow id starting with ${SESSION_WORKFLOW_PREFIX}` }]);
    }
    return this.client.workflow.getHandle<typeof interactiveSession>(workflowId);
  }

  async state(workflowId: string): Promise<SessionView> {
    return this.handle(workflowId).query(stateQuery);
  }

  /** Polls until there is a page to answer or the session is over (not while starting or redirecting). */
  async waitForState(
    workflowId: string,
    ready: (v: SessionView) => boolean = isSettled,
    { timeoutMs = 60_000, intervalMs = 100 } = {},
  ): Promise<SessionView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.state(workflowId);
      if (ready(view) || view.is_terminal) return view;
      if (Date.now() > deadline) throw new Error(`session ${workflowId} not ready after ${timeoutMs} ms (status ${view.status})`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Submits the current page's answers and returns the next page's state. */
  async answer(workflowId: string, answers: Record<string, AnswerValue>, opts: { page?: number } = {}): Promise<SessionView> {
    try {
      return await this.handle(workflowId).executeUpdate(submitAnswersUpdate, {
        args: [{ answers, ...(opts.page !== undefined ? { page: opts.page } : {}) }],
      });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure) {
        const d = cause.details?.[0];
        throw new SessionAnswerError(cause.type ?? 'ApplicationFailure', cause.message, Array.isArray(d) ? (d as FieldProblem[]) : []);
      }
      throw err;
    }
  }

  /** Fire-and-forget answers (what the `temporal` CLI and the UI send); problems show up in state(). */
  async signalAnswers(workflowId: string, answers: Record<string, AnswerValue>): Promise<void> {
    await this.handle(workflowId).signal(answersSignal, { answers });
  }

  async end(workflowId: string, reason?: string): Promise<void> {
    await this.handle(workflowId).signal(endSignal, reason ? { reason } : {});
  }

  async result(workflowId: string): Promise<InteractiveSessionResult> {
    return this.handle(workflowId).result();
  }
}
