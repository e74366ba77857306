/**
 * The `data` column since SQLite schema v4 and PostgreSQL schema v3 (jsonb there): the parts of a JobDto
 * that have no column of their own, as one JSON array in a fixed order (no key names), so a stored job is
 * about 1 KB of data instead of 1.9 KB. Read
 * back together with the row's columns it is the same JobDto (`decodeJobData(encodeJobData(job), row)`
 * deep-equals `job`). Left out of the array, because a column holds them verbatim: id, title, description,
 * company.name, apply_url, updated_at, the three enums and compensation. `listing_url` equal to `apply_url` and
 * `created_at` equal to `updated_at` are stored as null (neither can be null in a JobDto).
 *
 * A job whose shape is not exactly the JobDto this codec knows (a field added to the type and not here, an
 * extra key) is stored as a JSON object instead, without the description (the lean form rows had before
 * v4), and read back as it was: nothing is ever dropped. Rows written before v4 hold an object too (with or
 * without the description).
 */
import type { JobDto } from '../jobo/schemas';

/** What the row's own columns give back (the SQLite names). */
export interface JobColumns {
  id: string;
  title: string;
  description: string;
  company_name: string;
  apply_url: string;
  updated_at: string;
  workplace_type: string | null;
  employment_type: string | null;
  experience_level: string | null;
  compensation_min: number | null;
  compensation_max: number | null;
  compensation_currency: string | null;
  compensation_period: string | null;
}

/** The array's first element: the encoding's version. */
const COMPACT_V1 = 1;

type Bucket = JobDto['qualifications']['must_have'];
type Loc = JobDto['locations'][number];

const keyCount = (o: object) => Object.keys(o).length;
const JOB_KEYS = 24;
const COMPANY_KEYS = 6;
const LOCATION_KEYS = 7;
const BUCKET_KEYS = 4;

/** True when every object of the job has exactly the keys the compact form carries (so nothing is lost). */
function knownShape(job: JobDto): boolean {
  if (keyCount(job) !== JOB_KEYS || keyCount(job.company) !== COMPANY_KEYS || keyCount(job.qualifications) !== 2) return false;
  if (keyCount(job.qualifications.must_have) !== BUCKET_KEYS || keyCount(job.qualifications.preferred) !== BUCKET_KEYS) return false;
  const c = job.compensation;
  // A compensation always has a period (the reader stores a range without one as null), so the columns
  // give it back whole; anything else keeps the object form.
  if (c !== null && (keyCount(c) !== 4 || typeof c.period !== 'string')) return false;
  for (const l of job.locations) if (keyCount(l) !== LOCATION_KEYS) return false;
  return true;
}

const bucketOut = (b: Bucket) => [b.education, b.experience, b.skills, b.certifications];
const bucketIn = (a: string[][]): Bucket => ({ education: a[0], experience: a[1], skills: a[2], certifications: a[3] });

export function encodeJobData(job: JobDto): string {
  return JSON.stringify(jobDataValue(job));
}

/** What encodeJobData serialises: the compact array, or the object without the description. */
export function jobDataValue(job: JobDto): unknown[] | Partial<JobDto> {
  if (!knownShape(job)) return { ...job, description: undefined };
  const c = job.company;
  const q = job.qualifications;
  const locations: unknown[] = [];
  for (const l of job.locations) locations.push([l.location, l.city, l.state, l.country, l.country_code, l.latitude, l.longitude]);
  return [
    COMPACT_V1,
    job.normalized_title,
    c.id,
    c.website_url,
    c.logo_url,
    c.industry,
    c.size,
    job.summary,
    job.listing_url === job.apply_url ? null : job.listing_url,
    locations,
    job.source,
    job.created_at === job.updated_at ? null : job.created_at,
    job.date_posted,
    job.valid_through,
    bucketOut(q.must_have),
    bucketOut(q.preferred),
    job.responsibilities,
    job.benefits,
    job.is_work_auth_required,
    job.is_h1b_sponsor,
    job.is_clearance_required,
  ];
}

type Compact = [
  number,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  [string, string | null, string | null, string | null, string | null, number | null, number | null][],
  string,
  string | null,
  string | null,
  string | null,
  string[][],
  string[][],
  string[],
  string[],
  boolean | null,
  boolean | null,
  boolean | null,
];

export function decodeJobData(data: string, col: JobColumns): JobDto {
  return decodeJobValue(JSON.parse(data), col);
}

/** decodeJobData of a value already parsed (PostgreSQL's jsonb arrives parsed). */
export function decodeJobValue(parsed: unknown, col: JobColumns): JobDto {
  if (!Array.isArray(parsed)) {
    // The object form (rows before v4, or a shape the compact form does not know): the description lives
    // in its own column unless the row predates the lean data column.
    const job = parsed as JobDto;
    if (job.description === undefined) job.description = col.description;
    return job;
  }
  const a = parsed as Compact;
  if (a[0] !== COMPACT_V1) throw new Error(`job ${col.id}: unknown data encoding ${String(a[0])}`);
  const period = col.compensation_period as NonNullable<JobDto['compensation']>['period'] | null;
  // Key order as the tolerant reader builds a JobDto, so a stored job serialises as it did before.
  return {
    id: col.id,
    title: col.title,
    normalized_title: a[1],
    company: { id: a[2], name: col.company_name, website_url: a[3], logo_url: a[4], industry: a[5], size: a[6] },
    description: col.description,
    summary: a[7],
    listing_url: a[8] ?? col.apply_url,
    apply_url: col.apply_url,
    locations: a[9].map((l): Loc => ({
      location: l[0],
      city: l[1],
      state: l[2],
      country: l[3],
      country_code: l[4],
      latitude: l[5],
      longitude: l[6],
    })),
    compensation:
      period === null ? null : { min: col.compensation_min, max: col.compensation_max, currency: col.compensation_currency, period },
    employment_type: col.employment_type as JobDto['employment_type'],
    workplace_type: col.workplace_type as JobDto['workplace_type'],
    experience_level: col.experience_level as JobDto['experience_level'],
    source: a[10],
    created_at: a[11] ?? col.updated_at,
    updated_at: col.updated_at,
    date_posted: a[12],
    valid_through: a[13],
    qualifications: { must_have: bucketIn(a[14]), preferred: bucketIn(a[15]) },
    responsibilities: a[16],
    benefits: a[17],
    is_work_auth_required: a[18],
    is_h1b_sponsor: a[19],
    is_clearance_required: a[20],
  };
}
