/**
 * The inbox over the application workflows: which tasks wait for the caller (the ledger's rows with
 * awaiting_kind, by profile owner), what each asks (the workflow's personTask query, through the codec: the
 * labels, options and filled answers never sit in the database), and the person's decisions (the
 * answerQuestion / approveReview / rejectReview updates, whose validators refuse a bad payload before it
 * enters history). The JSON API and the HTML page both use this, so they answer alike.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApplicationView } from '../application/input';
import {
  answerQuestionUpdate,
  approveReviewUpdate,
  personTaskQuery,
  rejectReviewUpdate,
  type AnswerQuestionRequest,
  type ApproveReviewRequest,
  type PersonTaskKind,
  type PersonTaskView,
  type RejectReviewRequest,
} from '../application/messages';
import type { FieldProblem } from '../jobo/schemas';
import type { ApplicationsLedger, LedgerRow } from '../store/ledger';
import type { ProfileOwners } from '../store/profileOwners';
import { applicationIdOf, inboxIdOf, ledgerKeyOf, type InboxItem } from './input';

/** The workflow's validator refused the payload: nothing changed. `problems` names each field. */
export class TaskRefusedError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly problems: FieldProblem[],
  ) {
    super(message);
    this.name = 'TaskRefusedError';
  }
}

/** No such task for this caller: an unknown id, another tenant's, or one that is not an application's. */
export class TaskNotFoundError extends Error {
  readonly field = 'id';
  constructor(readonly id: string) {
    super(`no task ${id}`);
    this.name = 'TaskNotFoundError';
  }
}

/** The application exists and is the caller's, but it is not waiting for this (answered, decided, or another kind). */
export class TaskNotPendingError extends Error {
  readonly field = 'id';
  constructor(
    readonly id: string,
    readonly waitingFor: PersonTaskKind | null,
  ) {
    super(waitingFor ? `task ${id} waits for a ${waitingFor.replace('_', ' ')}, not this` : `task ${id} is not waiting for anyone`);
    this.name = 'TaskNotPendingError';
  }
}

export interface InboxDeps {
  client: Client;
  ledger: () => Promise<ApplicationsLedger>;
  owners: () => Promise<ProfileOwners>;
}

export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
}

/** The updates' result as the API shows it. */
export interface TaskDone {
  id: string;
  application_id: string;
  status: ApplicationView['status'];
  waiting_for: PersonTaskKind | null;
}

export class Inbox {
  constructor(private readonly deps: InboxDeps) {}

  /**
   * The caller's pending tasks, newest first. A row whose workflow has nothing pending any more (answered a
   * moment ago) is left out; a NEEDS_PERSON row whose workflow no longer answers is shown from the ledger.
   */
  async list(userId: string, page: { campaignId?: string; cursor?: string; limit: number }): Promise<InboxPage> {
    const ledger = await this.deps.ledger();
    const { rows, nextCursor } = await ledger.personTasks({ userIds: [userId] }, page);
    const items = await Promise.all(rows.map((row) => this.itemOf(row)));
    return { items: items.filter((i): i is InboxItem => i !== null), nextCursor };
  }

  private async itemOf(row: LedgerRow): Promise<InboxItem | null> {
    const task = await this.task(row.workflowId).catch(() => undefined);
    if (task) return fromTask(row, task);
    // Nothing pending now (null), or the workflow cannot be asked (undefined): only a parked row stays listed.
    if (row.status !== 'NEEDS_PERSON' && row.awaitingKind !== 'needs_person') return null;
    return fromLedger(row);
  }

  /** The workflow's word on what it asks now (through the data converter: the codec decrypts it). */
  task(applicationId: string): Promise<PersonTaskView | null> {
    return this.deps.client.workflow.getHandle(applicationId).query(personTaskQuery);
  }

  /**
   * The caller's task behind an inbox id, as the workflow shows it now: another tenant's or an unknown id is
   * TaskNotFoundError (the API's 404), one waiting for something else TaskNotPendingError (409).
   */
  async open(userId: string, id: string, kind: PersonTaskKind): Promise<{ applicationId: string; task: PersonTaskView }> {
    const applicationId = applicationIdOf(id);
    const key = applicationId && ledgerKeyOf(applicationId);
    if (!applicationId || !key) throw new TaskNotFoundError(id);
    // The profile decides whose it is, as for every other application route.
    if ((await (await this.deps.owners()).ownerOf(key.profileId)) !== userId) throw new TaskNotFoundError(id);
    const row = await (await this.deps.ledger()).get(key.profileId, key.jobId);
    if (!row || row.workflowId !== applicationId) throw new TaskNotFoundError(id);
    let task: PersonTaskView | null;
    try {
      task = await this.task(applicationId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new TaskNotFoundError(id);
      throw err;
    }
    if (!task || task.kind !== kind) throw new TaskNotPendingError(id, task?.kind ?? null);
    return { applicationId, task };
  }

  async answer(userId: string, id: string, req: AnswerQuestionRequest): Promise<TaskDone> {
    const { applicationId } = await this.open(userId, id, 'question');
    return done(id, await this.update(id, () => this.handle(applicationId).executeUpdate(answerQuestionUpdate, { args: [req] })));
  }

  async approve(userId: string, id: string, req: ApproveReviewRequest): Promise<TaskDone> {
    const { applicationId } = await this.open(userId, id, 'review');
    return done(id, await this.update(id, () => this.handle(applicationId).executeUpdate(approveReviewUpdate, { args: [req] })));
  }

  async reject(userId: string, id: string, req: RejectReviewRequest): Promise<TaskDone> {
    const { applicationId } = await this.open(userId, id, 'review');
    return done(id, await this.update(id, () => this.handle(applicationId).executeUpdate(rejectReviewUpdate, { args: [req] })));
  }

  private handle(applicationId: string) {
    return this.deps.client.workflow.getHandle(applicationId);
  }

  /** A validator's refusal (an ApplicationFailure with the problems as its first detail) → TaskRefusedError. */
  private async update(id: string, send: () => Promise<ApplicationView>): Promise<ApplicationView> {
    try {
      return await send();
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure) {
        const d = cause.details?.[0];
        const problems = Array.isArray(d) ? (d as FieldProblem[]) : [{ field: 'body', message: cause.message }];
        throw new TaskRefusedError(cause.type ?? 'ApplicationFailure', cause.message, problems);
      }
      // Closed between the look and the update: it waits for nothing now.
      if (err instanceof WorkflowNotFoundError) throw new TaskNotPendingError(id, null);
      throw err;
    }
  }
}

const done = (id: string, view: ApplicationView): TaskDone => ({
  id,
  application_id: view.workflow_id,
  status: view.status,
  waiting_for: view.waiting_for ?? null,
});

function fromTask(row: LedgerRow, t: PersonTaskView): InboxItem {
  return {
    id: inboxIdOf(row.workflowId),
    kind: t.kind,
    application_id: row.workflowId,
    campaign_id: t.campaign_id ?? row.campaignId,
    profile_id: row.profileId,
    job_url: t.job_url,
    job_title: t.job_title,
    company_name: t.company_name,
    status: row.status,
    page: t.page,
    fields: t.fields.map((f) => ({ ...f, page: f.page ?? t.page })),
    answers: t.answers,
    live_url: t.live_url,
    asked_at: t.asked_at,
    deadline: t.deadline,
    details: 'workflow',
    error: row.error,
    updated_at: row.updatedAt,
  };
}

function fromLedger(row: LedgerRow): InboxItem {
  return {
    id: inboxIdOf(row.workflowId),
    kind: 'needs_person',
    application_id: row.workflowId,
    campaign_id: row.campaignId,
    profile_id: row.profileId,
    job_url: row.jobUrl,
    job_title: null,
    company_name: null,
    status: row.status,
    page: null,
    fields: [],
    answers: {},
    live_url: null,
    asked_at: null,
    deadline: row.awaitingUntil,
    details: 'ledger',
    error: row.error,
    updated_at: row.updatedAt,
  };
}
