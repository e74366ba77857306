/**
 * The inbox's JSON routes (issue 16): the caller's pending questions, reviews and needs_person items, and
 * the person's answers and verdicts, each a workflow update whose validator refuses bad input (a 400 naming
 * the field; nothing changes). Ids are opaque; another tenant's id is the unknown id's 404.
 */
import { Inbox, TaskNotFoundError, TaskNotPendingError, TaskRefusedError } from '../inbox/client';
import { AnswerBody, ApproveBody, InboxList, QuestionsQuery, RejectBody, rememberedFields, TaskDone, TaskIdParams } from '../inbox/input';
import { InvalidCursorError } from '../store/ledger';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { ApiError, invalidRequest } from './errors';
import { ErrorResponse } from './schemas';

/** The inbox of an API context (the page uses the same one), or the 501 when there is no ledger. */
export function inboxOf(ctx: ApiContext): Inbox {
  if (!ctx.ledger) throw new ApiError(501, 'not_implemented', 'the inbox needs the applications ledger');
  return new Inbox({ client: ctx.client, ledger: ctx.ledger, owners: () => ctx.profiles.ownersStore() });
}

/** The inbox's own errors in the API's shape. */
export function inboxApiError(err: unknown): unknown {
  if (err instanceof TaskNotFoundError)
    return new ApiError(404, 'not_found', err.message, [{ field: 'id', message: 'no such question or review' }]);
  if (err instanceof TaskNotPendingError) return new ApiError(409, 'not_pending', err.message, [{ field: 'id', message: err.message }]);
  if (err instanceof TaskRefusedError) return invalidRequest(err.problems, err.message);
  if (err instanceof InvalidCursorError) return invalidRequest([{ field: 'cursor', message: 'not a cursor this list returned' }]);
  return err;
}

const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw inboxApiError(err);
  }
};

const TASK_ERRORS = { ...ERRORS, 409: ErrorResponse, 501: ErrorResponse } as const;

export function registerInboxRoutes(app: ZodApp, ctx: ApiContext): void {
  let inbox: Inbox | undefined;
  const get = () => (inbox ??= inboxOf(ctx));

  app.get(
    '/api/v1/questions',
    {
      schema: {
        tags: ['inbox'],
        summary: "The caller's pending questions, reviews and needs_person items, newest first; by campaign; cursor pages",
        querystring: QuestionsQuery,
        response: { 200: InboxList, ...ERRORS, 501: ErrorResponse },
      },
    },
    async (req) =>
      guarded(async () => {
        const { campaignId, cursor, limit } = req.query;
        const page = await get().list(userOf(req), { limit, ...(campaignId ? { campaignId } : {}), ...(cursor ? { cursor } : {}) });
        return { data: page.items, pagination: { limit, nextCursor: page.nextCursor } };
      }),
  );

  app.post(
    '/api/v1/questions/:id/answer',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Answer a pending question (remember: for the profile, so the same question is not asked again)',
        params: TaskIdParams,
        body: AnswerBody,
        response: { 200: TaskDone, ...TASK_ERRORS },
      },
    },
    async (req) =>
      guarded(async () => {
        const { answers, remember, page } = req.body;
        const named = rememberedFields(answers, remember);
        return get().answer(userOf(req), req.params.id, {
          answers,
          ...(named ? { remember: named } : {}),
          ...(page !== undefined ? { page } : {}),
        });
      }),
  );

  app.post(
    '/api/v1/reviews/:id/approve',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Approve a pending review, with changed answers if any: the application submits',
        params: TaskIdParams,
        body: ApproveBody.nullish(),
        response: { 200: TaskDone, ...TASK_ERRORS },
      },
    },
    async (req) => guarded(async () => get().approve(userOf(req), req.params.id, req.body?.answers ? { answers: req.body.answers } : {})),
  );

  app.post(
    '/api/v1/reviews/:id/reject',
    {
      schema: {
        tags: ['inbox'],
        summary: 'Reject a pending review: the application is CANCELLED, nothing is submitted',
        params: TaskIdParams,
        body: RejectBody.nullish(),
        response: { 200: TaskDone, ...TASK_ERRORS },
      },
    },
    async (req) =>
      guarded(async () => get().reject(userOf(req), req.params.id, req.body?.reason !== undefined ? { reason: req.body.reason } : {})),
  );
}
