/**
 * The tolerant reader of upstream jobs: any variant the published models accept (fields missing, null,
 * extra, skills as objects or strings, region or state, hyphenated or underscored enums) becomes one stored
 * JobDto. A value that is there but cannot be read is an "oddity": the field falls back (documented below),
 * the job is still stored, and the field name (array positions as `*`) is counted once per job.
 * Only a job without a readable `id` or `updated_at` is dropped (it cannot be upserted), and counted too.
 *
 * Fallbacks: unreadable optional text/number/boolean → null; unreadable list → [] (bad items skipped);
 * unknown enum value → null; compensation without a known period → null; title/description/listing_url/source → ""; apply_url → listing_url;
 * created_at → updated_at; company id → the nil UUID, name → "".
 *
 * Hand-written rather than zod: it runs on every job of every 1,000-job page, and a field-by-field reader
 * with fallbacks is both faster and clearer than a schema of catch() clauses.
 */
import type { JobDto } from './schemas';

type Json = Record<string, unknown>;
type Note = (field: string) => void;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Open enums: wire spellings (reference, published 3.0.0 and 4.0.0) → the stored value. */
const EMPLOYMENT: Record<string, JobDto['employment_type']> = {
  full_time: 'full_time',
  fulltime: 'full_time',
  part_time: 'part_time',
  parttime: 'part_time',
  contract: 'contract',
  contractor: 'contract',
  // Published 4.0.0 lists "freelance"; the reference's five values have no closer match.
  freelance: 'contract',
  internship: 'internship',
  intern: 'internship',
  temporary: 'temporary',
  temp: 'temporary',
};
const WORKPLACE: Record<string, JobDto['workplace_type']> = {
  remote: 'remote',
  hybrid: 'hybrid',
  onsite: 'onsite',
  on_site: 'onsite',
  in_office: 'onsite',
  office: 'onsite',
};
const EXPERIENCE: Record<string, JobDto['experience_level']> = {
  // Published 4.0.0 adds "intern" below "entry"; stored as entry (the reference's lowest level).
  intern: 'entry',
  internship: 'entry',
  entry: 'entry',
  entry_level: 'entry',
  junior: 'entry',
  mid: 'mid',
  mid_level: 'mid',
  senior: 'senior',
  lead: 'lead',
  executive: 'executive',
};
type Period = NonNullable<JobDto['compensation']>['period'];
const PERIOD: Record<string, Period> = {
  year: 'year',
  yearly: 'year',
  annual: 'year',
  annually: 'year',
  month: 'month',
  monthly: 'month',
  week: 'week',
  weekly: 'week',
  day: 'day',
  daily: 'day',
  per_diem: 'day',
  hour: 'hour',
  hourly: 'hour',
};

/** "Full-Time", "full time", "full_time" → "full_time". */
const enumKey = (v: string) =>
  v
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '_');

function openEnum<T>(table: Record<string, T>, v: unknown, field: string, note: Note): T | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    const hit = table[v] ?? table[enumKey(v)];
    if (hit !== undefined) return hit;
  }
  note(field);
  return null;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, field: string, note: Note): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  note(field);
  return null;
}

function requiredText(v: unknown, field: string, note: Note, fallback = ''): string {
  if (typeof v === 'string') return v;
  note(field);
  return fallback;
}

function num(v: unknown, field: string, note: Note): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  note(field);
  // "52.5" is odd but readable: keep what parsed.
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function bool(v: unknown, field: string, note: Note): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v;
  note(field);
  return null;
}

/** An ISO timestamp in a form the store compares; naive timestamps (pydantic accepts them) are UTC. */
function dateTime(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  if (ISO_WITH_OFFSET.test(v)) return Number.isNaN(Date.parse(v)) ? null : v;
  if (ISO_NAIVE.test(v)) {
    const t = Date.parse(`${v}Z`);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

function dateOrDateTime(v: unknown, field: string, note: Note): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v))) return v;
  const t = dateTime(v);
  if (t === null) note(field);
  return t;
}

function strings(v: unknown, field: string, note: Note): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    note(field);
    return [];
  }
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') {
      note(`${field}.*`);
      return v.filter((x): x is string => typeof x === 'string');
    }
  }
  return v as string[];
}

function skills(v: unknown, field: string, note: Note): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    note(field);
    return [];
  }
  const out: string[] = [];
  for (const s of v) {
    if (typeof s === 'string') out.push(s);
    else if (isObject(s) && typeof s.name === 'string') out.push(s.name);
    else note(`${field}.*`);
  }
  return out;
}

function bucket(v: unknown, field: string, note: Note): JobDto['qualifications']['must_have'] {
  if (v !== undefined && v !== null && !isObject(v)) note(field);
  const b = isObject(v) ? v : {};
  return {
    education: strings(b.education, `${field}.education`, note),
    experience: strings(b.experience, `${field}.experience`, note),
    skills: skills(b.skills, `${field}.skills`, note),
    certifications: strings(b.certifications, `${field}.certifications`, note),
  };
}

function locations(v: unknown, note: Note): JobDto['locations'] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    note('locations');
    return [];
  }
  const out: JobDto['locations'] = [];
  for (const l of v) {
    if (!isObject(l)) {
      note('locations.*');
      continue;
    }
    const city = text(l.city, 'locations.*.city', note);
    // Published 4.0.0 says region; the shape chosen here before said state: either fills the stored state.
    const state = text(l.region ?? l.state, l.region !== undefined ? 'locations.*.region' : 'locations.*.state', note);
    const country = text(l.country, 'locations.*.country', note);
    const display = text(l.location, 'locations.*.location', note);
    out.push({
      location: display ?? [city, state, country].filter((p) => p).join(', '),
      city,
      state,
      country,
      country_code: text(l.country_code, 'locations.*.country_code', note),
      latitude: num(l.latitude, 'locations.*.latitude', note),
      longitude: num(l.longitude, 'locations.*.longitude', note),
    });
  }
  return out;
}

function compensation(v: unknown, note: Note): JobDto['compensation'] {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) {
    note('compensation');
    return null;
  }
  // Without a known period "50" could be per hour or per year: store the range as undisclosed.
  const period = openEnum(PERIOD, v.period, 'compensation.period', note);
  if (period === null) return null;
  return {
    min: num(v.min, 'compensation.min', note),
    max: num(v.max, 'compensation.max', note),
    currency: text(v.currency, 'compensation.currency', note),
    period,
  };
}

function company(v: unknown, note: Note): JobDto['company'] {
  if (!isObject(v)) {
    note('company');
    return { id: NIL_UUID, name: '', website_url: null, logo_url: null, industry: null, size: null };
  }
  let id = NIL_UUID;
  if (typeof v.id === 'string' && GUID.test(v.id)) id = v.id;
  else note('company.id');
  const industries = strings(v.industries, 'company.industries', note);
  return {
    id,
    name: requiredText(v.name, 'company.name', note),
    website_url: text(v.website ?? v.website_url, v.website !== undefined ? 'company.website' : 'company.website_url', note),
    logo_url: text(v.logo_url, 'company.logo_url', note),
    industry: text(v.industry, 'company.industry', note) ?? industries[0] ?? null,
    size: text(v.size, 'company.size', note),
  };
}

/** Reads one wire job; null (after noting the field) when it has no usable id or updated_at. */
export function readJob(raw: unknown, note: Note): JobDto | null {
  if (!isObject(raw)) {
    note('(job)');
    return null;
  }
  if (typeof raw.id !== 'string' || !GUID.test(raw.id)) {
    note('id');
    return null;
  }
  const updatedAt = dateTime(raw.updated_at);
  if (updatedAt === null) {
    note('updated_at');
    return null;
  }
  let createdAt = dateTime(raw.created_at);
  if (createdAt === null) {
    note('created_at');
    createdAt = updatedAt;
  }
  const listingUrl = requiredText(raw.listing_url, 'listing_url', note);
  const q = raw.qualifications;
  if (q !== undefined && q !== null && !isObject(q)) note('qualifications');
  const quals = isObject(q) ? q : {};
  return {
    id: raw.id,
    title: requiredText(raw.title, 'title', note),
    normalized_title: text(raw.normalized_title, 'normalized_title', note),
    company: company(raw.company, note),
    description: requiredText(raw.description, 'description', note),
    summary: text(raw.summary, 'summary', note),
    listing_url: listingUrl,
    apply_url: requiredText(raw.apply_url, 'apply_url', note, listingUrl),
    locations: locations(raw.locations, note),
    compensation: compensation(raw.compensation, note),
    employment_type: openEnum(EMPLOYMENT, raw.employment_type, 'employment_type', note),
    workplace_type: openEnum(WORKPLACE, raw.workplace_type, 'workplace_type', note),
    experience_level: openEnum(EXPERIENCE, raw.experience_level, 'experience_level', note),
    source: requiredText(raw.source, 'source', note),
    created_at: createdAt,
    updated_at: updatedAt,
    date_posted: dateOrDateTime(raw.date_posted, 'date_posted', note),
    valid_through: dateOrDateTime(raw.valid_through, 'valid_through', note),
    qualifications: {
      must_have: bucket(quals.must_have, 'qualifications.must_have', note),
      preferred: bucket(quals.preferred, 'qualifications.preferred', note),
    },
    responsibilities: strings(raw.responsibilities, 'responsibilities', note),
    benefits: strings(raw.benefits, 'benefits', note),
    is_work_auth_required: bool(raw.is_work_auth_required, 'is_work_auth_required', note),
    is_h1b_sponsor: bool(raw.is_h1b_sponsor, 'is_h1b_sponsor', note),
    is_clearance_required: bool(raw.is_clearance_required, 'is_clearance_required', note),
  };
}

export interface ReadJobs {
  jobs: JobDto[];
  /** Jobs with an unreadable field, by field name (a job counts once per field). */
  oddities: Record<string, number>;
  /** Jobs that could not be stored at all (no readable id or updated_at); also in `oddities`. */
  dropped: number;
}

export function readJobs(raw: readonly unknown[]): ReadJobs {
  const jobs: JobDto[] = [];
  const oddities: Record<string, number> = {};
  let dropped = 0;
  let seen: string[] = [];
  const note: Note = (field) => {
    if (!seen.includes(field)) seen.push(field);
  };
  for (const r of raw) {
    const job = readJob(r, note);
    if (job) jobs.push(job);
    else dropped++;
    if (seen.length > 0) {
      for (const f of seen) oddities[f] = (oddities[f] ?? 0) + 1;
      seen = [];
    }
  }
  return { jobs, oddities, dropped };
}
