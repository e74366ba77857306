/** JobDto → the columns both backends index, and filter checks both backends share. */
import type { JobDto } from '../jobo/schemas';
import { StoreError, type JobSearchFilters, type JobSummary } from './types';

export interface JobRow {
  id: string;
  title: string;
  description: string;
  company_name: string;
  location_text: string;
  workplace_type: string | null;
  employment_type: string | null;
  experience_level: string | null;
  date_posted: string | null;
  compensation_min: number | null;
  compensation_max: number | null;
  compensation_currency: string | null;
  compensation_period: string | null;
  salary_min_yearly: number | null;
  salary_max_yearly: number | null;
  apply_url: string;
  updated_at: string;
  data: string;
}

const PERIODS_PER_YEAR: Record<string, number> = { year: 1, month: 12, week: 52, day: 260, hour: 2080 };

export function yearly(amount: number | null | undefined, period: string): number | null {
  return amount == null ? null : amount * (PERIODS_PER_YEAR[period] ?? 1);
}

/** date_posted may be a date or a timestamp; normalise to an ISO instant so both compare as ranges. */
export function isoInstant(value: string | null): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** A job's indexed columns (every column but `data`), in the stores' column order. */
export function jobColumns(job: JobDto): Omit<JobRow, 'data'> {
  const c = job.compensation;
  let location = '';
  for (let i = 0; i < job.locations.length; i++) location += (i ? ' | ' : '') + job.locations[i].location;
  return {
    id: job.id,
    title: job.title,
    description: job.description,
    company_name: job.company.name,
    location_text: location,
    workplace_type: job.workplace_type,
    employment_type: job.employment_type,
    experience_level: job.experience_level,
    date_posted: isoInstant(job.date_posted),
    compensation_min: c?.min ?? null,
    compensation_max: c?.max ?? null,
    compensation_currency: c?.currency ?? null,
    compensation_period: c?.period ?? null,
    salary_min_yearly: c ? yearly(c.min, c.period) : null,
    salary_max_yearly: c ? yearly(c.max, c.period) : null,
    apply_url: job.apply_url,
    updated_at: job.updated_at,
  };
}

/**
 * @param lean leave the description out of `data` (it is stored in its own column; SQLite puts it back on
 *   read): a description is about a quarter of a job's JSON.
 */
export function toRow(job: JobDto, lean = false): JobRow {
  return { ...jobColumns(job), data: lean ? JSON.stringify({ ...job, description: undefined }) : JSON.stringify(job) };
}

/**
 * One job per id (PostgreSQL rejects a batch that touches a row twice); the latest updated_at wins, a later
 * duplicate winning a tie. The same array when there are no duplicates.
 */
export function uniqueJobs(jobs: readonly JobDto[]): readonly JobDto[] {
  const byId = new Map<string, JobDto>();
  for (const job of jobs) {
    const prev = byId.get(job.id);
    if (!prev || Date.parse(job.updated_at) >= Date.parse(prev.updated_at)) byId.set(job.id, job);
  }
  return byId.size === jobs.length ? jobs : [...byId.values()];
}

export function toUniqueRows(jobs: readonly JobDto[], lean = false): JobRow[] {
  return uniqueJobs(jobs).map((job) => toRow(job, lean));
}

/** What a page's copy does to the stored row (see the monotonic-rows invariant in types.ts). */
export type UpsertDecision = 'insert' | 'replace' | 'revive' | 'unchanged' | 'older';

const instant = (iso: string | null): number => {
  const t = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(t) ? -Infinity : t;
};

/** The stored row's version: its updated_at, or its expiry once expired (whichever is later). */
export function decideUpsert(stored: { updated_at: string; expired_at: string | null } | undefined, copyUpdatedAt: string): UpsertDecision {
  if (!stored) return 'insert';
  const copy = instant(copyUpdatedAt);
  const version = Math.max(instant(stored.updated_at), instant(stored.expired_at));
  if (copy > version) return stored.expired_at === null ? 'replace' : 'revive';
  return copy === instant(stored.updated_at) && stored.expired_at === null ? 'unchanged' : 'older';
}

/**
 * A text search ranks by relevance only its newest matches, this many (the order: JobSearchFilters.text).
 * Ranking every match cost seconds at a million jobs for a common word; pages of 20 up to 50 and an
 * autopilot run's up to 1000 jobs stay inside it.
 */
export const SEARCH_RANK_WINDOW = 1000;

/** date_posted (ISO instants) newest first, without a date last, then id in byte order: every search's date order. */
export function byDatePosted(a: { date_posted: string | null; id: string }, b: { date_posted: string | null; id: string }): number {
  if (a.date_posted !== b.date_posted) {
    if (a.date_posted === null) return 1;
    if (b.date_posted === null) return -1;
    return a.date_posted > b.date_posted ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 1000;

/** Rejects nonsense filters with the field named, before any query runs. */
export function checkFilters(f: JobSearchFilters): { limit: number; offset: number; postedAfter: string | null } {
  const limit = f.limit ?? DEFAULT_SEARCH_LIMIT;
  const offset = f.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 1_000_000)
    throw new StoreError('offset must be an integer in 0..1000000', 'offset');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new StoreError(`limit must be an integer in 1..${MAX_SEARCH_LIMIT}`, 'limit');
  }
  if (f.postedWithinDays !== undefined && !(f.postedWithinDays > 0)) {
    throw new StoreError('postedWithinDays must be a positive number', 'postedWithinDays');
  }
  if (f.salaryFloor !== undefined && !(f.salaryFloor >= 0)) {
    throw new StoreError('salaryFloor must be a non-negative number', 'salaryFloor');
  }
  const now = f.now ?? new Date();
  const postedAfter = f.postedWithinDays === undefined ? null : new Date(now.getTime() - f.postedWithinDays * 86_400_000).toISOString();
  return { limit, offset, postedAfter };
}

/** The words of a free-text query, without operators, so user text can never be an FTS syntax error. */
export function searchTerms(text: string | undefined): string[] {
  if (!text) return [];
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function nonEmpty<T>(xs: readonly T[] | undefined): xs is readonly T[] {
  return !!xs && xs.length > 0;
}

export interface SummaryRow {
  id: string;
  title: string;
  company_name: string;
  location_text: string;
  workplace_type: JobSummary['workplaceType'];
  employment_type: JobSummary['employmentType'];
  experience_level: JobSummary['experienceLevel'];
  date_posted: string | null;
  compensation_min: number | null;
  compensation_max: number | null;
  compensation_currency: string | null;
  compensation_period: string | null;
  apply_url: string;
  updated_at: string;
}

export function toSummary(r: SummaryRow): JobSummary {
  return {
    id: r.id,
    title: r.title,
    companyName: r.company_name,
    locations: r.location_text,
    workplaceType: r.workplace_type,
    employmentType: r.employment_type,
    experienceLevel: r.experience_level,
    datePosted: r.date_posted,
    compensationMin: r.compensation_min,
    compensationMax: r.compensation_max,
    compensationCurrency: r.compensation_currency,
    compensationPeriod: r.compensation_period,
    applyUrl: r.apply_url,
    updatedAt: r.updated_at,
  };
}
