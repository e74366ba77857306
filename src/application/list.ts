/**
 * Applications from the ledger, newest first and paged: one implementation for the API
 * (GET /api/v1/applications) and the CLI (`applyflow application list`).
 */
import type { ApplicationsLedger, LedgerRow } from '../store/ledger';
import type { ApplicationStatus } from '../shared/applicationStatus';

export interface ApplicationListRequest {
  profileId?: string;
  campaignId?: string;
  /** Only rows of these campaigns (one API user's). */
  campaignIds?: ReadonlySet<string>;
  status?: ApplicationStatus;
  page: number;
  limit: number;
}

export interface PagedRows {
  data: LedgerRow[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

// The ledger has no offset; it holds one row per (profile, job) of one deployment, so rows are paged here.
const EVERY_ROW = 1_000_000;

export async function listApplications(ledger: ApplicationsLedger, req: ApplicationListRequest): Promise<PagedRows> {
  const { page, limit } = req;
  const rows = await ledger.list({
    ...(req.profileId ? { profileId: req.profileId } : {}),
    ...(req.campaignId ? { campaignId: req.campaignId } : {}),
    ...(req.status ? { status: [req.status] } : {}),
    limit: EVERY_ROW,
  });
  const ids = req.campaignIds;
  const newestFirst = (ids ? rows.filter((r) => r.campaignId !== null && ids.has(r.campaignId)) : rows).reverse();
  return {
    data: newestFirst.slice((page - 1) * limit, page * limit),
    pagination: { page, limit, total: newestFirst.length, totalPages: Math.ceil(newestFirst.length / limit) },
  };
}
