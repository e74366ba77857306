/**
 * GET /api/v1/applications (reference 002): by session from the campaign's own state (titles, companies,
 * runs), with attempts from the applications ledger; without a session, every application from the ledger.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { listApplications } from '../applications/list';
import { campaignApplications } from '../campaigns/client';
import type { CampaignApplication } from '../campaigns/input';
import type { ApplicationsLedger, LedgerRow } from '../store/ledger';
import { ERRORS, type ApiContext, type ZodApp } from './context';
import { ApiError, notFound } from './errors';
import { ApplicationList, ApplicationsQuery, ErrorResponse, type ApplicationT } from './schemas';

function fromLedger(r: LedgerRow): ApplicationT {
  return {
    application_id: r.workflowId,
    session_id: r.campaignId,
    session_run_id: null,
    job_id: r.jobId,
    job_url: r.jobUrl,
    job_title: null,
    company_name: null,
    ats_type: r.provider,
    status: r.status,
    candidate_email: null,
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
    job_url: a.job_url,
    job_title: a.job_title,
    company_name: a.company_name,
    ats_type: a.ats_type,
    status: a.status,
    candidate_email: null,
    search_id: a.search_id,
    result: a.result,
    error: a.error,
    attempts: row?.attempts ?? [],
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

/** application/<profileId>/<jobKey> → the ledger's key. */
function ledgerKey(applicationId: string): { profileId: string; jobId: string } | null {
  const m = /^application\/([^/]+)\/(.+)$/.exec(applicationId);
  return m ? { profileId: m[1], jobId: m[2] } : null;
}

async function attemptsRow(ledger: ApplicationsLedger | null, applicationId: string): Promise<LedgerRow | null> {
  const key = ledger && ledgerKey(applicationId);
  return key ? ledger!.get(key.profileId, key.jobId) : null;
}

export function registerApplicationRoutes(app: ZodApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/applications',
    {
      schema: {
        tags: ['applications'],
        summary: 'Applications, newest first: of one session (sessionId) or all; by status',
        querystring: ApplicationsQuery,
        response: { 200: ApplicationList, ...ERRORS, 501: ErrorResponse },
      },
    },
    async (req) => {
      const { sessionId, status, page, limit } = req.query;
      const ledger = ctx.ledger ? await ctx.ledger() : null;
      if (sessionId) {
        let apps;
        try {
          apps = await campaignApplications(ctx.client, sessionId, { status, page, limit });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw notFound(`session ${sessionId}`);
          throw err;
        }
        const rows = await Promise.all(apps.data.map((a) => attemptsRow(ledger, a.applicationId)));
        return { data: apps.data.map((a, i) => fromCampaign(sessionId, a, rows[i])), pagination: apps.pagination };
      }
      if (!ledger) throw new ApiError(501, 'not_implemented', 'listing applications without sessionId needs the applications ledger');
      const rows = await listApplications(ledger, { status, page, limit });
      return { data: rows.data.map(fromLedger), pagination: rows.pagination };
    },
  );
}
