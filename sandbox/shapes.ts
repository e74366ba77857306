/**
 * Which wire shapes the sandbox speaks, switchable at runtime (PUT /__admin/shapes):
 *  - jobs "upstream" (default): reference 004's fields with the sub-objects of the published 4.0.0 models
 *    (company website/industries, locations with region and no country_code, skills as { name, type },
 *    buckets without experience, period "yearly"/"hourly", optional parts absent rather than null);
 *    "applyflow": the shape this project chose before it read the published client;
 *  - errors "applyflow" ({ error, message, fields }) or "problem" (RFC 7807-style, as the client reads it);
 *  - forms "applyflow" (name/required/options {value,label}) or "v3" (the published 3.0.0 FormFieldInfo);
 *  - oddJobRate: the share of jobs (drawn per job and version) served with one unreadable field, so a sync
 *    can be checked to tolerate and count them; ground truth names the field.
 */
import type { JobDto, WireJob, WireLocation } from '../src/jobo/schemas';
import { hash32 } from './rng';

export type JobShape = 'upstream' | 'applyflow';
export type ErrorShape = 'applyflow' | 'problem';
export type FormShape = 'applyflow' | 'v3';

export interface Shapes {
  jobs: JobShape;
  errors: ErrorShape;
  forms: FormShape;
  oddJobRate: number;
}

export const DEFAULT_SHAPES: Shapes = { jobs: 'upstream', errors: 'applyflow', forms: 'applyflow', oddJobRate: 0 };

const CHECKS: { [K in keyof Shapes]: [(v: unknown) => boolean, string] } = {
  jobs: [(v) => v === 'upstream' || v === 'applyflow', '"upstream" or "applyflow"'],
  errors: [(v) => v === 'applyflow' || v === 'problem', '"applyflow" or "problem"'],
  forms: [(v) => v === 'applyflow' || v === 'v3', '"applyflow" or "v3"'],
  oddJobRate: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a probability from 0 to 1'],
};

export function shapeProblems(patch: unknown): { field: string; message: string }[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return [{ field: 'body', message: 'expected an object' }];
  return Object.entries(patch).flatMap(([k, v]) => {
    const check = CHECKS[k as keyof Shapes];
    if (!check) return [{ field: k, message: 'unknown shape setting' }];
    return check[0](v) ? [] : [{ field: k, message: `expected ${check[1]}` }];
  });
}

/** The odd values served, one per kind; the field name is what a tolerant reader should report. */
export const ODD_FIELDS = [
  'employment_type',
  'workplace_type',
  'locations.*.latitude',
  'compensation.period',
  'is_h1b_sponsor',
  'summary',
] as const;
export type OddField = (typeof ODD_FIELDS)[number];

/** The field served odd for this job version, or null: a pure function of (seed, seq, version, rate). */
export function oddFieldOf(seed: number, seq: number, version: number, rate: number): OddField | null {
  if (rate <= 0) return null;
  const h = hash32(seed, seq, version, 0x0dd);
  if (h / 0x1_0000_0000 >= rate) return null;
  return ODD_FIELDS[hash32(h, 0x0dd2) % ODD_FIELDS.length];
}

const PERIOD_4_0: Record<string, string> = { year: 'yearly', month: 'monthly', week: 'weekly', day: 'daily', hour: 'hourly' };

function upstreamLocation(l: JobDto['locations'][number]): WireLocation {
  const out: WireLocation = { location: l.location };
  // Published models make every part optional: absent here rather than null, as a lean API would send.
  if (l.city !== null) out.city = l.city;
  if (l.state !== null) out.region = l.state;
  if (l.country !== null) out.country = l.country;
  if (l.latitude !== null) out.latitude = l.latitude;
  if (l.longitude !== null) out.longitude = l.longitude;
  return out;
}

function upstreamBucket(b: JobDto['qualifications']['must_have']) {
  return {
    education: b.education,
    certifications: b.certifications,
    skills: b.skills.map((name) => ({ name, type: 'hard' })),
  };
}

/** A generated job as the upstream sends it. */
export function toUpstream(job: JobDto): WireJob {
  const c = job.company;
  const out: WireJob = {
    id: job.id,
    title: job.title,
    normalized_title: job.normalized_title,
    company: {
      id: c.id,
      name: c.name,
      ...(c.website_url !== null ? { website: c.website_url } : {}),
      ...(c.logo_url !== null ? { logo_url: c.logo_url } : {}),
      industries: c.industry !== null ? [c.industry] : [],
    },
    description: job.description,
    summary: job.summary,
    listing_url: job.listing_url,
    apply_url: job.apply_url,
    locations: job.locations.map(upstreamLocation),
    compensation: job.compensation && { ...job.compensation, period: PERIOD_4_0[job.compensation.period] },
    employment_type: job.employment_type,
    workplace_type: job.workplace_type,
    experience_level: job.experience_level,
    source: job.source,
    created_at: job.created_at,
    updated_at: job.updated_at,
    date_posted: job.date_posted,
    valid_through: job.valid_through,
    qualifications: { must_have: upstreamBucket(job.qualifications.must_have), preferred: upstreamBucket(job.qualifications.preferred) },
    responsibilities: job.responsibilities,
    benefits: job.benefits,
    is_work_auth_required: job.is_work_auth_required,
    is_h1b_sponsor: job.is_h1b_sponsor,
    is_clearance_required: job.is_clearance_required,
  };
  return out;
}

/** Breaks one field of a wire job the way a drifting upstream might (and adds a field nobody knows). */
export function makeOdd(job: WireJob, field: OddField): WireJob {
  const j: WireJob = { ...job, x_added_upstream: { since: 'a later API version' } };
  switch (field) {
    case 'employment_type':
      j.employment_type = 'gig';
      break;
    case 'workplace_type':
      (j as Record<string, unknown>).workplace_type = 42;
      break;
    case 'locations.*.latitude': {
      const locs = job.locations ?? [];
      j.locations = locs.length
        ? [{ ...locs[0], latitude: 'north' as unknown as number }, ...locs.slice(1)]
        : [{ location: 'Somewhere', latitude: 'north' as unknown as number }];
      break;
    }
    case 'compensation.period':
      j.compensation = { min: 100, max: 200, currency: 'USD', period: 'fortnightly' };
      break;
    case 'is_h1b_sponsor':
      (j as Record<string, unknown>).is_h1b_sponsor = 'yes';
      break;
    case 'summary':
      (j as Record<string, unknown>).summary = { text: 'a summary in an object' };
      break;
  }
  return j;
}
