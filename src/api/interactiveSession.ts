/**
 * Interactive sessions in the Jobo documents' shapes (001 create/answers → live state, 000 get → metadata,
 * here with the live state and the current page's fields too), over the `interactiveSession` workflow.
 * The API's session id is the workflow id without its `interactive-session/` prefix.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { z } from 'zod';
import { SessionAnswerError } from '../interactiveSession/client';
import { SESSION_WORKFLOW_PREFIX } from '../interactiveSession/input';
import { SA } from '../searchAttributes';
import { isSettled, SessionFailure, type SessionView } from '../interactiveSession/messages';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { ApiError, conflict, invalidRequest, notFound } from './errors';
import {
  AnswersBody,
  CreateInteractiveBody,
  ErrorResponse,
  InteractiveIdParams,
  InteractiveSession,
  LiveSession,
  type InteractiveSessionT,
  type LiveSessionT,
} from './schemas';

export const INTERACTIVE = '/api/v1/interactive-sessions';

const workflowIdOf = (id: string) => `${SESSION_WORKFLOW_PREFIX}${id}`;
const idOf = (workflowId: string) => workflowId.slice(SESSION_WORKFLOW_PREFIX.length);

function liveOut(id: string, v: SessionView): LiveSessionT {
  return {
    session_id: id,
    provider_id: v.provider_id,
    provider_name: v.provider_name,
    status: v.status,
    is_terminal: v.is_terminal,
    error: v.error,
    current_url: v.current_url,
    validation_errors: v.validation_errors,
    fields: v.is_terminal ? [] : v.fields,
    // The workflow follows redirect_required itself (up to 3 hops), so callers never have to.
    redirect_url: null,
    redirect_provider_id: null,
    page: v.page,
    pages_answered: v.pages_answered,
    hops: v.hops,
    upstream_session_id: v.session_id,
  };
}

/** 000's lifecycle state from the flow status and how the workflow ended. */
function stateOf(v: SessionView): InteractiveSessionT['state'] {
  if (v.status === 'starting') return 'pending';
  if (!v.is_terminal && !v.outcome) return 'running';
  if (v.outcome === 'submitted') return 'completed';
  if (v.outcome === 'error') return 'failed';
  return 'closed';
}

export function registerInteractiveSessionRoutes(app: ZodApp, ctx: ApiContext): void {
  const tags = ['interactiveSession'];

  /**
   * The caller's session: its description (no workflow task) and, after the owner is checked, its state.
   * 404 for an id that names no session and for another user's (its existence is not disclosed).
   */
  const owned = async (id: string, userId: string): Promise<WorkflowExecutionDescription> => {
    try {
      const d = await ctx.sessions.handle(workflowIdOf(id)).describe();
      if (d.typedSearchAttributes.get(SA.userId) !== userId) throw notFound(`interactive session ${id}`);
      return d;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`interactive session ${id}`);
      throw err;
    }
  };
  const view = async (id: string, userId: string): Promise<{ v: SessionView; d: WorkflowExecutionDescription }> => {
    const d = await owned(id, userId);
    try {
      return { v: await ctx.sessions.state(workflowIdOf(id)), d };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`interactive session ${id}`);
      throw err;
    }
  };

  app.post(
    INTERACTIVE,
    {
      schema: {
        tags,
        summary: 'Start an interactive session for a job URL; answers with the first page’s fields',
        body: CreateInteractiveBody,
        response: { 201: LiveSession, ...ERRORS, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { job_url, profile_id, idle_timeout_minutes } = req.body;
      if (profile_id) await ctx.profiles.assertOwned(profile_id, userOf(req), 'profile_id');
      const { workflowId } = await ctx.sessions.start(
        {
          jobUrl: job_url,
          ...(profile_id ? { profileId: profile_id } : {}),
          ...(idle_timeout_minutes !== undefined ? { idleTimeoutMinutes: idle_timeout_minutes } : {}),
        },
        { id: randomUUID(), userId: userOf(req) },
      );
      const id = idOf(workflowId);
      // The first page usually arrives within a second; past the wait the caller polls GET.
      const state = await ctx.sessions
        .waitForState(workflowId, isSettled, { timeoutMs: ctx.interactiveWaitMs, intervalMs: 50 })
        .catch(() => ctx.sessions.state(workflowId));
      return reply.code(201).header('location', `${INTERACTIVE}/${id}`).send(liveOut(id, state));
    },
  );

  app.get(
    `${INTERACTIVE}/:id`,
    {
      schema: {
        tags,
        summary: 'A session: metadata (000), live state and the current page’s fields (001)',
        params: InteractiveIdParams,
        response: { 200: InteractiveSession, ...ERRORS },
      },
    },
    async (req) => {
      const { id } = req.params;
      const { v, d } = await view(id, userOf(req));
      return {
        ...liveOut(id, v),
        id,
        state: stateOf(v),
        mode: 'interactive' as const,
        job_url: v.job_url,
        // 000: profile_id is set for sessions behind an automated application run, never for interactive ones.
        profile_id: null,
        started_at: d.startTime.toISOString(),
        completed_at: d.closeTime?.toISOString() ?? null,
      };
    },
  );

  app.post(
    `${INTERACTIVE}/:id/answers`,
    {
      schema: {
        tags,
        summary: 'Answer the current page; answers with the next page (or the end)',
        params: InteractiveIdParams,
        body: AnswersBody,
        response: { 200: LiveSession, ...ERRORS, 409: ErrorResponse, 502: ErrorResponse },
      },
    },
    async (req) => {
      const { id } = req.params;
      const { v: before } = await view(id, userOf(req));
      if (before.is_terminal || before.outcome) throw conflict(`the session is over (${before.status})`);
      try {
        return liveOut(
          id,
          await ctx.sessions.answer(workflowIdOf(id), req.body.answers, req.body.page !== undefined ? { page: req.body.page } : {}),
        );
      } catch (err) {
        if (err instanceof SessionAnswerError) throw answerError(err);
        if (err instanceof WorkflowNotFoundError) throw conflict('the session is over');
        throw err;
      }
    },
  );

  app.delete(
    `${INTERACTIVE}/:id`,
    {
      schema: {
        tags,
        summary: 'End the session (the upstream session is closed); idempotent',
        params: InteractiveIdParams,
        response: { 204: z.null().meta({ description: 'Ended (or already over)' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { v } = await view(id, userOf(req));
      if (!v.outcome) {
        try {
          await ctx.sessions.end(workflowIdOf(id), 'ended through the API');
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err; // closed meanwhile: ended either way
        }
      }
      return reply.code(204).send(null);
    },
  );
}

function answerError(err: SessionAnswerError): ApiError {
  const fields = err.problems.filter((p) => p.field !== '(session)');
  if (err.type === SessionFailure.SessionClosed || fields.length < err.problems.length) return conflict(err.message);
  if (err.type === SessionFailure.InvalidAnswers || err.type === SessionFailure.AnswersRejected) {
    return fields.length ? invalidRequest(fields, err.message) : invalidRequest([{ field: 'answers', message: err.message }]);
  }
  return new ApiError(502, 'upstream_error', err.message);
}
