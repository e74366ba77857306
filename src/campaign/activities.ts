/**
 * Activities of the `campaign` workflow: the autopilot search over the job store (leaving out what the
 * profile already applied to, by the ledger) and the ledger's word on an application some other workflow
 * owns. They return small summaries only: job pages stay in the store, never in history.
 */
import { jobKeyOfUrl } from '../shared/jobKey';
import type { JoboClient } from '../jobo/client';
import { findJoboFailure, JoboFailure } from '../jobo/failures';
import { WORK_TYPES, type CampaignFilters, type CandidateJob } from './input';
import { ledgerFor, type ApplicationsLedger } from '../store/ledger';
import { type ApplicationStatus } from '../shared/applicationStatus';
import { MAX_SEARCH_LIMIT } from '../store/rows';
import type { JobSearchFilters, JobStore } from '../store/types';

export interface CampaignActivityDeps {
  store: () => Promise<JobStore>;
  /** Default: the ledger on the job store's own database. */
  ledger?: () => Promise<ApplicationsLedger>;
  /** Reads the profile's contact email for the applications' candidate_email; absent: none is recorded. */
  jobo?: Pick<JoboClient, 'getProfile'>;
}

export interface SearchCampaignJobsRequest {
  campaignId: string;
  profileId: string;
  filters: CampaignFilters;
  limit: number;
  /** The run's time (workflow time): postedWithinDays counts back from it. */
  now: string;
  /** The schedule tick this run is for (recurring), for logs and tests. */
  scheduledAt: string | null;
}

export interface LedgerOutcome {
  status: ApplicationStatus;
  error: string | null;
  confirmationUrl: string | null;
  provider: string | null;
  /** While the application waits for a person: until when. */
  awaitingUntil: string | null;
}

/** The store's search filters for a campaign's (validated) filters. */
export function storeFilters(f: CampaignFilters): JobSearchFilters {
  return {
    ...(f.jobTitle ? { text: f.jobTitle } : {}),
    ...(f.location ? { locations: f.location } : {}),
    ...(f.workType ? { workplaceTypes: f.workType.map((w) => WORK_TYPES[w]) } : {}),
    ...(f.employmentType ? { employmentTypes: f.employmentType } : {}),
    ...(f.experienceLevel ? { experienceLevels: f.experienceLevel } : {}),
    ...(f.postedWithinDays !== undefined ? { postedWithinDays: f.postedWithinDays } : {}),
    ...(f.salaryMin !== undefined ? { salaryFloor: f.salaryMin } : {}),
    ...(f.companyInclude ? { companiesInclude: f.companyInclude } : {}),
    ...(f.companyExclude ? { companiesExclude: f.companyExclude } : {}),
  };
}

// Autopilot leaves out every job the profile has a ledger row for, whatever its status: FAILED and
// CANCELLED too (retrying them is an explicit act), and UNCONFIRMED above all (never applied to blindly).
const EVERY_ROW = 1_000_000;

export function createCampaignActivities(deps: CampaignActivityDeps) {
  let opening: Promise<ApplicationsLedger> | undefined;
  const ledger =
    deps.ledger ??
    (() =>
      (opening ??= deps.store().then(ledgerFor)).catch(
        (err: unknown) => ((opening = undefined), Promise.reject(err instanceof Error ? err : new Error(String(err)))),
      ));

  return {
    async searchCampaignJobs(req: SearchCampaignJobsRequest): Promise<CandidateJob[]> {
      const [store, l] = await Promise.all([deps.store(), ledger()]);
      // By job key, the only identity: the store's ids cannot say that two postings are one form. Asking for
      // as many more jobs as there are keys guarantees `limit` new ones whenever the store has them.
      const rows = await l.list({ profileId: req.profileId, limit: EVERY_ROW });
      const keys = new Set(rows.map((r) => r.jobId));
      // The rows' references (an autopilot's are store ids) leave most of them out in the store already.
      const excludeIds = rows.flatMap((r) => (r.jobRef ? [r.jobRef] : []));
      const limit = Math.min(MAX_SEARCH_LIMIT, req.limit + keys.size);
      const jobs = await store.searchJobs({ ...storeFilters(req.filters), excludeIds, limit, now: new Date(req.now) });
      const fresh: CandidateJob[] = [];
      const seen = new Set<string>();
      for (const j of jobs) {
        const key = jobKeyOfUrl(j.applyUrl);
        if (keys.has(key) || seen.has(key)) continue;
        seen.add(key);
        fresh.push({ jobId: j.id, title: j.title, companyName: j.companyName, link: j.applyUrl });
        if (fresh.length === req.limit) break;
      }
      return fresh;
    },

    /** The profile's contact email (what applications give when the campaign has no overrideEmail). */
    async campaignCandidateEmail(req: { profileId: string }): Promise<string | null> {
      if (!deps.jobo) return null;
      try {
        return (await deps.jobo.getProfile(req.profileId)).contact?.email ?? null;
      } catch (err) {
        if (findJoboFailure(err, JoboFailure.NotFound)) return null; // deleted: its applications fail on their own
        throw err;
      }
    },

    /** The ledger's row for an application whose workflow this campaign could not start (it already exists). */
    async campaignApplicationOutcome(req: { profileId: string; jobId: string; jobUrl: string }): Promise<LedgerOutcome | null> {
      const l = await ledger();
      // jobId is the job key (campaigns before job keys passed their caller's id: the URL's key is tried too).
      const row = (await l.get(req.profileId, req.jobId)) ?? (await l.get(req.profileId, jobKeyOfUrl(req.jobUrl)));
      return (
        row && {
          status: row.status,
          error: row.error,
          confirmationUrl: row.confirmationUrl,
          provider: row.provider,
          awaitingUntil: row.awaitingUntil,
        }
      );
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
