/**
 * The job store: a local mirror of the Jobo feed that feed sync writes and campaigns search.
 * One interface, two backends (sqlite.ts embedded, postgres.ts for scale); both pass test/store.suite.ts.
 */
import type { JobDto } from '../jobo/schemas';

export type WorkplaceType = NonNullable<JobDto['workplace_type']>;
export type EmploymentType = NonNullable<JobDto['employment_type']>;
export type ExperienceLevel = NonNullable<JobDto['experience_level']>;

export interface UpsertOptions {
  /**
   * Set during a full pass: every job in the page is recorded as seen by this pass id (even when its write
   * is skipped), so `reconcile(passId)` can expire what the feed no longer has.
   */
  seenInRun?: string;
}

export interface UpsertResult {
  /** Rows inserted, replaced by a newer copy, or revived. */
  upserted: number;
  /** Rows not written: the copy was not newer than the stored row (includes `older`). */
  skipped: number;
  /** Of `skipped`: the stored row was newer than the copy (later updated_at, or expired after it). */
  older: number;
  /** Of `upserted`: expired rows brought back by a copy updated after their expiry. */
  revived: number;
}

/**
 * The order of a search (ours: neither reference 002 nor Jobo's client has a sort field), the same on both
 * backends: date_posted newest first, jobs without a date last, then id in byte order. With `text`, the
 * newest SEARCH_RANK_WINDOW (rows.ts, 1000) matches come first ranked by relevance (how many of the words
 * are in the title; ties in that date order), then the remaining matches in that date order. The window is
 * taken after every filter and excludeIds, and expired jobs are never in it, so offset pages are disjoint
 * and each search reads only the rows up to its page, not every match.
 */
export interface JobSearchFilters {
  /** Full-text over title and description (stemmed words, all required); see the order above. */
  text?: string;
  /** Any of these, as case-insensitive substrings of the job's locations. */
  locations?: string[];
  workplaceTypes?: WorkplaceType[];
  employmentTypes?: EmploymentType[];
  experienceLevels?: ExperienceLevel[];
  /** date_posted within the last N days of `now`. */
  postedWithinDays?: number;
  /** Yearly salary floor: the job's annualised max (or min when no max) must reach it. */
  salaryFloor?: number;
  /** Keep jobs without disclosed compensation when a salary floor is set (default false). */
  includeUndisclosedSalary?: boolean;
  /** Company names, case-insensitive exact match. */
  companiesInclude?: string[];
  companiesExclude?: string[];
  /** Job ids to leave out (e.g. already applied). */
  excludeIds?: string[];
  /** Default 50, at most 1000. */
  limit?: number;
  /** Rows to skip first (pages of a search), default 0. */
  offset?: number;
  /** The clock for postedWithinDays (default: the current time). */
  now?: Date;
}

export interface JobSummary {
  id: string;
  title: string;
  companyName: string;
  locations: string;
  workplaceType: WorkplaceType | null;
  employmentType: EmploymentType | null;
  experienceLevel: ExperienceLevel | null;
  datePosted: string | null;
  compensationMin: number | null;
  compensationMax: number | null;
  compensationCurrency: string | null;
  compensationPeriod: string | null;
  applyUrl: string;
  updatedAt: string;
}

export interface StoredJob {
  job: JobDto;
  expiredAt: string | null;
}

export interface JobStates {
  active: { id: string; updated_at: string }[];
  expired: { id: string; expired_at: string }[];
}

/**
 * Invariants every backend keeps (test/store.suite.ts checks them on both):
 *  - Monotonic rows: a stored job's version is its updated_at, or its expired_at once expired. A copy
 *    replaces the row only when its updated_at is strictly later than that version; an equal updated_at
 *    keeps the stored row (ties keep the stored row), an earlier one is skipped and counted as `older`.
 *    So a late or lagging copy never overwrites a newer row, and an expired job comes back only through a
 *    copy updated after its expiry.
 *  - Reconcile by construction: `reconcile(passId, at)` expires an active job only when that pass has no
 *    seen record for it and the row's updated_at is not after `at` (the pass's start). Seen records are
 *    keyed by pass id, so no other writer (another pass, an incremental sync) can remove or replace them;
 *    another writer can only make a reconcile expire less, never more. Reconcile is idempotent (a retried
 *    reconcile sees the same records); `forgetPasses` drops them once the pass has committed.
 */
export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Upserts one page in one transaction, monotonically (above). Duplicate ids in a page: the latest updated_at wins. */
  upsertJobs(jobs: readonly JobDto[], opts?: UpsertOptions): Promise<UpsertResult>;
  /** Marks known, still-active ids expired at `at` (default now). Unknown ids are ignored. Returns rows marked. */
  markExpired(ids: readonly string[], at?: Date): Promise<number>;
  /**
   * After a full pass that started at `at` and saw the whole feed: every active job that pass did not see
   * (and not updated after `at`) is marked expired at `at`. Returns rows marked.
   */
  reconcile(passId: string, at?: Date): Promise<number>;
  /** Drops the seen records of every pass whose id starts with `prefix`. Returns records dropped. */
  forgetPasses(prefix: string): Promise<number>;
  getJob(id: string): Promise<StoredJob | null>;
  /** Active jobs that pass every filter, in the order JobSearchFilters describes. */
  searchJobs(filters?: JobSearchFilters): Promise<JobSummary[]>;
  /** Every job's sync state, ordered by id: what tests compare against the upstream's ground truth. */
  jobStates(): Promise<JobStates>;
  counts(): Promise<{ active: number; expired: number }>;
  getCheckpoint(key: string): Promise<string | null>;
  setCheckpoint(key: string, value: string): Promise<void>;
  deleteCheckpoint(key: string): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
