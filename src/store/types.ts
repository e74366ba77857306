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
   * Set during a full re-sync: every job in the page is recorded as seen by this run (even when its write
   * is skipped), so `reconcile(runId)` can expire what the feed no longer has.
   */
  seenInRun?: string;
}

export interface UpsertResult {
  /** Rows inserted, changed (updated_at moved) or re-activated. */
  upserted: number;
  /** Rows whose updated_at was unchanged (and still active): nothing written. */
  skipped: number;
}

export interface JobSearchFilters {
  /** Full-text over title (weighted) and description. */
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
  lastSeenRun: string | null;
}

export interface JobStates {
  active: { id: string; updated_at: string }[];
  expired: { id: string; expired_at: string }[];
}

export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Upserts one page in one transaction. Duplicate ids in a page: the latest updated_at wins. */
  upsertJobs(jobs: readonly JobDto[], opts?: UpsertOptions): Promise<UpsertResult>;
  /** Marks known, still-active ids expired at `at` (default now). Unknown ids are ignored. Returns rows marked. */
  markExpired(ids: readonly string[], at?: Date): Promise<number>;
  /** After a full re-sync: every active job not seen by `runId` is marked expired. Returns rows marked. */
  reconcile(runId: string, at?: Date): Promise<number>;
  getJob(id: string): Promise<StoredJob | null>;
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
