/**
 * Reference 002's sessions API over the `campaign` workflow (src/campaign/client.ts): create the three
 * types, get, list, pause/resume/stop and runs. Input is checked in full (schema, the campaign validator,
 * the profile upstream) before the workflow starts, so a 400 never leaves anything running.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { storeAnswerFiles } from '../application/answerFiles';
import {
  CampaignExistsError,
  campaignOwner,
  campaignRuns,
  createCampaign,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  setCampaignPolicy,
  stopCampaign,
  type NewCampaign,
} from '../campaign/client';
import { campaignWorkflowId, validateCampaignInput, type CampaignStatus, type CampaignType, type CampaignView } from '../campaign/input';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { searchContextFor } from './job';
import { conflict, invalidRequest, notFound } from './errors';
import {
  AutopilotOnceBody,
  AutopilotRecurringBody,
  CampaignIdParams,
  ErrorResponse,
  ListSessionsQuery,
  RunList,
  RunOnceBody,
  RunsQuery,
  Session,
  SetPolicyBody,
  SessionList,
  type SessionT,
} from './schemas';

export const SESSIONS = '/api/v1/sessions';

export function sessionOut(v: CampaignView): SessionT {
  return {
    sessionId: v.sessionId,
    type: v.type,
    userId: v.userId ?? '',
    candidateProfileId: v.candidateProfileId,
    status: v.status,
    stats: v.stats,
    searchContext: v.searchContext,
    searchId: v.searchId,
    schedule: v.schedule,
    filters: v.filters,
    limits: v.limits,
    workflowId: v.workflowId,
    createdAt: v.createdAt,
    ...(v.policy ? { policy: v.policy, personDeadlineHours: v.personDeadlineHours } : {}),
  };
}

/** An id that names no campaign is a 404; one whose workflow has closed cannot take signals: 409. */
async function missingOrClosed(client: Client, sessionId: string): Promise<Error> {
  try {
    const d = await client.workflow.getHandle(campaignWorkflowId(sessionId)).describe();
    return conflict(`session ${sessionId} is no longer running (${d.status.name})`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return notFound(`session ${sessionId}`);
    throw err;
  }
}

/** The caller's session; another user's is a 404 like an unknown id (its existence is not disclosed). */
export async function viewOrNotFound(client: Client, sessionId: string, userId: string): Promise<CampaignView> {
  try {
    const v = await getCampaign(client, sessionId);
    if (v.userId !== userId) throw notFound(`session ${sessionId}`);
    return v;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`session ${sessionId}`);
    throw err;
  }
}

/**
 * Runs `read` (a query of the campaign) alongside the ownership check (describe: no workflow task) and
 * answers only if the caller owns the session; otherwise, or for an unknown id, 404.
 */
export async function ownedRead<T>(client: Client, sessionId: string, userId: string, read: () => Promise<T>): Promise<T> {
  const owner = campaignOwner(client, sessionId);
  const result = read();
  result.catch(() => undefined); // when the owner check fails first, the 404 is the answer, not this
  try {
    if ((await owner) !== userId) throw notFound(`session ${sessionId}`);
    return await result;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound(`session ${sessionId}`);
    throw err;
  }
}

const CONTROLS = {
  pause: { send: pauseCampaign, from: ['active'], to: 'paused' },
  resume: { send: resumeCampaign, from: ['paused'], to: 'active' },
  stop: { send: stopCampaign, from: ['active', 'paused'], to: 'cancelled' },
} as const satisfies Record<string, { send: (c: Client, id: string) => Promise<void>; from: CampaignStatus[]; to: CampaignStatus }>;

const SETTLE_MS = 5_000;

/**
 * Sends the control signal and answers with the session once the workflow has applied it (signals are
 * applied on the workflow's next task). A control that changes nothing (pause a paused session) is a no-op.
 */
async function control(ctx: ApiContext, sessionId: string, userId: string, action: keyof typeof CONTROLS): Promise<CampaignView> {
  const c = CONTROLS[action];
  const before = await viewOrNotFound(ctx.client, sessionId, userId);
  if (!(c.from as readonly CampaignStatus[]).includes(before.status)) return before;
  try {
    await c.send(ctx.client, sessionId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await missingOrClosed(ctx.client, sessionId);
    throw err;
  }
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const v = await getCampaign(ctx.client, sessionId);
    if (v.status === c.to || v.status === 'completed' || v.status === 'cancelled' || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The session id: random, or derived from the caller's Idempotency-Key, so a retried create (a lost
 * response) finds the session it already made instead of making a second one.
 */
function newSessionId(userId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return `sess_${randomUUID().replace(/-/g, '')}`;
  return `sess_${createHash('sha256').update(`${userId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

export function registerCampaignRoutes(app: ZodApp, ctx: ApiContext): void {
  /** The created session (201), or the one an earlier request with the same Idempotency-Key made (200). */
  const create = async (
    type: CampaignType,
    body: Omit<NewCampaign, 'campaignId'>,
    userId: string,
    idempotencyKey: string | undefined,
  ): Promise<{ view: CampaignView; replayed: boolean }> => {
    const campaignId = newSessionId(userId, idempotencyKey);
    // Uploads are stored once and every application gets a reference: no bytes in any history.
    const answers = body.answers && ctx.ledger ? await storeAnswerFiles(await ctx.ledger(), body.answers) : body.answers;
    const req: NewCampaign = { ...body, ...(answers ? { answers } : {}), campaignId, userId };
    // The campaign's own validator holds the cross-field rules (weekly needs daysOfWeek, ...).
    const problems = validateCampaignInput({ ...req, type });
    if (problems.length) throw invalidRequest(problems);
    // A search record fills the searchContext; someone else's or an expired one is as unknown as a wrong id.
    if (req.searchId && ctx.searches) req.searchContext = await searchContextFor(ctx, userId, req.searchId);
    const profile = await ctx.profiles.assertOwned(req.candidateProfileId, userId, 'candidateProfileId');
    try {
      await createCampaign(ctx.client, type, req, { taskQueue: ctx.taskQueue, candidateEmail: profile.email });
    } catch (err) {
      if (!(err instanceof CampaignExistsError) || !idempotencyKey) throw err;
      const earlier = await getCampaign(ctx.client, campaignId);
      if (earlier.type !== type || earlier.candidateProfileId !== req.candidateProfileId || earlier.userId !== userId) {
        throw conflict('this Idempotency-Key was used for a different session');
      }
      return { view: earlier, replayed: true };
    }
    return { view: await getCampaign(ctx.client, campaignId), replayed: false };
  };
  const created = { 200: Session, 201: Session, ...ERRORS, 409: ErrorResponse, 503: ErrorResponse };
  const headers = z.object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Makes the create safe to retry: the same key (per API user) answers with the session it made (200)' }),
  });
  const tags = ['campaign'];

  const routes = [
    ['apply', 'run_once', RunOnceBody, 'Create a run-once session (up to 100 jobs)'],
    ['autopilot/once', 'autopilot_once', AutopilotOnceBody, 'Create an autopilot-once session (search with filters, apply once)'],
    ['autopilot/recurring', 'autopilot_recurring', AutopilotRecurringBody, 'Create a recurring autopilot session'],
  ] as const;
  for (const [path, type, body, summary] of routes) {
    app.post(`${SESSIONS}/${path}`, { schema: { tags, summary, body, headers, response: created } }, async (req, reply) => {
      const { view, replayed } = await create(type, req.body, userOf(req), req.headers['idempotency-key']);
      return reply
        .code(replayed ? 200 : 201)
        .header('location', `${SESSIONS}/${view.sessionId}`)
        .send(sessionOut(view));
    });
  }

  app.get(
    SESSIONS,
    {
      schema: {
        tags,
        summary: "The caller's sessions (newest first), by status and type",
        querystring: ListSessionsQuery,
        response: { 200: SessionList, ...ERRORS },
      },
    },
    async (req) => {
      const userId = userOf(req);
      const { page, limit, status, type } = req.query;
      // Summaries from visibility alone (search attributes and memo): no workflow is queried.
      const key = JSON.stringify([userId, page, limit, status ?? null, type ?? null]);
      const listed = await ctx.visibility.shared(`sessions\n${key}`, () =>
        listCampaigns(ctx.client, { page, limit, status, type, userId }, { count: ctx.visibility.count }),
      );
      return {
        data: listed.data.map((s) => ({
          sessionId: s.sessionId,
          type: s.type,
          userId: s.userId ?? userId,
          status: s.status,
          candidateProfileId: s.candidateProfileId,
          searchContext: s.searchContext,
          workflowId: s.workflowId,
          createdAt: s.startedAt,
          closedAt: s.closedAt,
        })),
        pagination: listed.pagination,
      };
    },
  );

  app.get(
    `${SESSIONS}/:sessionId`,
    { schema: { tags, summary: 'Get a session with its statistics', params: CampaignIdParams, response: { 200: Session, ...ERRORS } } },
    async (req) => sessionOut(await viewOrNotFound(ctx.client, req.params.sessionId, userOf(req))),
  );

  for (const action of Object.keys(CONTROLS) as (keyof typeof CONTROLS)[]) {
    app.post(
      `${SESSIONS}/:sessionId/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0].toUpperCase()}${action.slice(1)} a session; answers with the session once applied`,
          params: CampaignIdParams,
          response: { 200: Session, ...ERRORS, 409: ErrorResponse },
        },
      },
      async (req) => sessionOut(await control(ctx, req.params.sessionId, userOf(req), action)),
    );
  }

  // A route like the controls (not a PATCH of the session): it is an update the workflow validates, not a field edit.
  app.post(
    `${SESSIONS}/:sessionId/policy`,
    {
      schema: {
        tags,
        summary: "Change a session's policy (skip, ask, review) and its wait for a person; applications started from now on get it",
        params: CampaignIdParams,
        body: SetPolicyBody,
        response: { 200: Session, ...ERRORS, 409: ErrorResponse },
      },
    },
    async (req) => {
      const { sessionId } = req.params;
      await viewOrNotFound(ctx.client, sessionId, userOf(req));
      try {
        return sessionOut(await setCampaignPolicy(ctx.client, sessionId, req.body));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw await missingOrClosed(ctx.client, sessionId);
        throw err;
      }
    },
  );

  app.get(
    `${SESSIONS}/:sessionId/runs`,
    {
      schema: {
        tags,
        summary: "A session's runs, newest first",
        params: CampaignIdParams,
        querystring: RunsQuery,
        response: { 200: RunList, ...ERRORS },
      },
    },
    async (req) => {
      const { sessionId } = req.params;
      const page = await ownedRead(ctx.client, sessionId, userOf(req), () => campaignRuns(ctx.client, sessionId, req.query));
      return { data: page.data.map((r) => ({ ...r, sessionId })), pagination: page.pagination };
    },
  );
}
