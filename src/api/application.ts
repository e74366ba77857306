/**
 * GET /api/v1/applications (reference 002): by session from the campaign's own state (titles, companies,
 * runs), with attempts from the applications ledger; without a session, every application from the ledger.
 */
import { listApplications } from '../application/list';
import { allCampaigns, campaignApplications } from '../campaign/client';
import type { CampaignApplication } from '../campaign/input';
import type { ApplicationsLedger, LedgerRow } from '../store/ledger';
import { ownedRead } from './campaign';
import { ERRORS, userOf, type ApiContext, type ZodApp } from './context';
import { ApiError } from './errors';
import { ApplicationNotRetryableError, retryApplication } from '../application/client';
import {
  ApplicationIdParams,
  ApplicationList,
  ApplicationsQuery,
  ErrorResponse,
  RetryBody,
  RetryStarted,
  type ApplicationT,
} from './schemas';

function fromLedger(r: LedgerRow, candidateEmail: string | null): ApplicationT {
  return {
    application_id: r.workflowId,
    session_id: r.campaignId,
    session_run_id: null,
    job_id: r.jobRef ?? r.jobId,
    job_key: r.jobId,
    job_url: r.jobUrl,
    job_title: null,
    company_name: null,
    ats_type: r.provider,
    status: r.status,
    candidate_email: candidateEmail,
    search_id: null,
    result: r.confirmationUrl ? { confirmationUrl: r.confirmationUrl } : null,
    error: r.error,
    attempts: r.attempts,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function fromCampaign(sessionId: string, a: CampaignApplication, row: LedgerRow | null): ApplicationT {
  return {
    application_id: a.applicationId,
    session_id: sessionId,
    session_run_id: a.sessionRunId,
    job_id: a.jobId,
    job_key: ledgerKey(a.applicationId)?.jobId ?? a.jobId,
    job_url: a.job_url,
    job_title: a.job_title,
    company_name: a.company_name,
    ats_type: a.ats_type,
    status: a.status,
    candidate_email: a.candidate_email ?? null,
    search_id: a.search_id,
    result: a.result,
    error: a.error,
    attempts: row?.attempts ?? [],
    ...(a.next_attempt_at ? { next_attempt_at: a.next_attempt_at } : {}),
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

/** application/<profileId>/<jobKey>[/retry-<n>] → the ledger's key. */
function ledgerKey(applicationId: string): { profileId: string; jobId: string } | null {
  const m = /^application\/([^/]+)\/([^/]+)/.exec(applicationId);
  return m ? { profileId: m[1], jobId: m[2] } : null;
}

async function attemptsRow(ledger: ApplicationsLedger | null, applicationId: string): Promise<LedgerRow | null> {
  const key = ledger && ledgerKey(applicationId);
  return key ? ledger.get(key.profileId, key.jobId) : null;
}

export function registerApplicationRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/applications',
    {
      schema: {
        tags: ['application'],
        summary: "The caller's applications, newest first: of one session (sessionId) or of all their sessions; by status",
        querystring: ApplicationsQuery,
        response: { 200: ApplicationList, ...ERRORS, 501: ErrorResponse },
      },
    },
    async (req) => {
      const { sessionId, profileId, status, page, limit } = req.query;
      const ledger = ctx.ledger ? await ctx.ledger() : null;
      const userId = userOf(req);
      // Another user's profile is the same 404 as an unknown one.
      if (profileId) await ctx.profiles.assertOwnedLocally(profileId, userId, 'profileId');
      if (sessionId) {
        const apps = await ownedRead(ctx.client, sessionId, userId, () =>
          campaignApplications(ctx.client, sessionId, { status, page, limit }),
        );
        // A campaign applies for one profile: its applications are all of that profile or none.
        if (profileId && apps.data.some((a) => ledgerKey(a.applicationId)?.profileId !== profileId)) {
          return { data: [], pagination: { page, limit, total: 0, totalPages: 0 } };
        }
        const rows = await Promise.all(apps.data.map((a) => attemptsRow(ledger, a.applicationId)));
        return { data: apps.data.map((a, i) => fromCampaign(sessionId, a, rows[i])), pagination: apps.pagination };
      }
      if (!ledger) throw new ApiError(501, 'not_implemented', 'listing applications without sessionId needs the applications ledger');
      // The caller's applications: the ledger's rows of the caller's campaigns (visibility, no workflow queried).
      const mine = await ctx.visibility.shared(`campaigns-of\n${userId}`, () => allCampaigns(ctx.client, { userId }));
      const emails = new Map(mine.map((c) => [c.sessionId, c.candidateEmail]));
      const rows = await listApplications(ledger, {
        status,
        page,
        limit,
        campaignIds: new Set(emails.keys()),
        ...(profileId ? { profileId } : {}),
      });
      return { data: rows.data.map((r) => fromLedger(r, emails.get(r.campaignId!) ?? null)), pagination: rows.pagination };
    },
  );

  app.post(
    '/api/v1/applications/:applicationId/retry',
    {
      schema: {
        tags: ['application'],
        summary: 'Retry a FAILED, CANCELLED or NEEDS_PERSON application (the id URL-encoded); never SUCCESS, PROCESSING or UNCONFIRMED',
        params: ApplicationIdParams,
        body: RetryBody.nullish(),
        response: { 202: RetryStarted, ...ERRORS, 409: ErrorResponse, 501: ErrorResponse },
      },
    },
    async (req, reply) => {
      const userId = userOf(req);
      const { applicationId } = req.params;
      const key = ledgerKey(applicationId)!;
      // Another user's application is the same 404 as an unknown one: the profile decides whose it is.
      await ctx.profiles.assertOwnedLocally(key.profileId, userId, 'applicationId').catch(() => {
        throw new ApiError(404, 'not_found', `application ${applicationId} not found`, [
          { field: 'applicationId', message: 'no such application' },
        ]);
      });
      if (!ctx.ledger) throw new ApiError(501, 'not_implemented', 'retrying needs the applications ledger');
      const row = await (await ctx.ledger()).get(key.profileId, key.jobId);
      if (!row || row.workflowId !== applicationId) {
        // Only the row's current owner can be retried (an older id of a retried application is not it).
        throw new ApiError(404, 'not_found', `application ${applicationId} not found`, [
          { field: 'applicationId', message: row ? `the application of this job is now ${row.workflowId}` : 'no such application' },
        ]);
      }
      try {
        const started = await retryApplication(ctx.client, row, { taskQueue: ctx.taskQueue, ...(req.body ?? {}) });
        return reply.code(202).send({ application_id: started.workflowId, retry_of: row.workflowId, status: 'QUEUED' as const });
      } catch (err) {
        if (err instanceof ApplicationNotRetryableError) {
          throw new ApiError(409, 'not_retryable', err.message, [{ field: 'applicationId', message: `status is ${err.status}` }]);
        }
        throw err;
      }
    },
  );
}
