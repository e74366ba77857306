/**
 * The Jobo API contract, in one place. Sources, in order of authority:
 *   R  = the reference documents in ../shared/reference (000 session metadata, 001 live session state,
 *        003 profiles, 004 jobs feed);
 *   P4 = Jobo's published Python client jobo-enterprise 4.0.0 (models.py, feed.py, exceptions.py, enums.py);
 *   P3 = jobo-enterprise 3.0.0 (the older auto-apply models: FormFieldInfo, FieldAnswer);
 *   O  = a choice of ours, only where R and P are both silent (a guess until the real service says).
 * The client (src/jobo) reads upstream responses tolerantly (./jobReader: unknown fields ignored, optional
 * parts optional, open enums, odd values counted and fallen back on) and validates what it sends strictly.
 * The sandbox (sandbox/) serves the wire shapes below and enforces the same request schemas.
 *
 * Jobs feed (004)                               source   notes
 *   POST /api/jobs/feed, GET /api/jobs/expired   R        cursor paging, batch limits, 503 + Retry-After 5,
 *                                                         400 invalid cursor, X-Credits-Balance, 7-day lookback
 *   JobDto top-level fields and their types      R        the 24 fields of the JobDto table
 *   which of them may be absent                  P4       Job: optional/defaulted = may be absent on the wire
 *   employment_type/workplace_type/experience    R        stored values are R's; P4 adds "freelance" (→
 *     _level values                                       contract) and "intern" (→ entry) [mapping: O]
 *   compensation {min,max,currency,period}       P4       all optional; period spelled "yearly" (P4 enums)
 *                                                         or "year" (P3): both → "year"; unknown → range
 *                                                         stored as undisclosed [O]
 *   company {id,name,website,logo_url,           P4       stored as website_url/industry (first of
 *     industries[],summary,...}                            industries)/size [names: O, from before P4]
 *   locations[] {location,city,region,country,   P4       region stored as `state`; country_code only if sent;
 *     latitude,longitude}                                 display text built when absent [O]
 *   qualifications {must_have,preferred}         P4       buckets {education,certifications,skills[{name,type}]};
 *                                                         `experience` only if sent; skills stored as names
 *   date_posted, valid_through                   R + P4   a date or a datetime (P4 parses both)
 *   naive timestamps                             P4       accepted (pydantic does), read as UTC [O]
 *   request: updated_after, stable_scan,         P4       JobFeedRequest; updated_after is the sync
 *     locations[{country,region,city}], sources,          watermark; stable_scan defaults true upstream
 *     work_models, employment_types,
 *     experience_levels
 *   filter value spelling "full-time"            P4       enums.py: hyphenated, matched exactly, unknown
 *                                                         value matches nothing
 *   posted_after                                 R + P4   R: incremental filter; P4: "posting or first-
 *                                                         indexed time" (sandbox: created_at)
 *   continuation = the cursor alone              P4       the cursor carries filters and batch size
 *   estimated_total on the first page            P4
 *   409 on a continuation = restart the scan     P4       JoboCursorRestartRequiredError; code
 *                                                         `cursor_restart_required` [O]
 *   location filter matching (every given part,  O        P4 only says "job matches ANY provided location"
 *     case-insensitive, country name or code)
 *   what a legacy scan's deep-pagination         O        the sandbox only has it as a fault (cursorRestartNext)
 *     boundary is
 *
 * Errors
 *   { error, message, fields? }                  O        chosen before P4 was read; still what we send
 *   RFC 7807 problem {detail, code, api_version} P4       exceptions.py reads detail (or error), code,
 *                                                         api_version; the field list name (`fields` or
 *                                                         `errors`) is O. Mapped by status first, then code
 *
 * Auto-apply sessions (000, 001)
 *   session metadata, live state, flow statuses  R        flow status enum open (R says so)
 *   create body { job_url, profile_id? }         O        P3's older API used { apply_url } on another path
 *   form field shape { name, label, type,        O        P3: { field_id, type, label, is_required,
 *     required, options[{value,label}], ... }             options[{value,text}], handler_type }; both read
 *   answers body { answers: { name: value } }    O        P3: [{ field_id, type, value }]
 *   `Idempotency-Key` on create and answers      O        (see below)
 *   page semantics form_ready / next_available   O
 *     / submit_ready
 *
 * Profiles (003)                                 R        every section and limit
 *
 * Choices of ours, written down once (O above, in detail):
 *  - the session create body ({ job_url, profile_id? }), the form field shape and the answers body;
 *  - page semantics: form_ready = first page, next_available = a middle page, submit_ready = the last
 *    page (answering it submits the application);
 *  - `Idempotency-Key` (request header):
 *    - on `POST /sessions/{id}/answers` a retried submission with the same key returns the first
 *      response instead of acting twice;
 *    - on `POST /sessions` (1 to 255 characters) the same key returns the same session (same id, and its
 *      current live state) instead of opening another: 201 when created, 200 with `Idempotent-Replayed: true`
 *      on a replay. The same key with a different body (job_url, profile_id) is a 422 naming
 *      `Idempotency-Key`. A key lives as long as its session's record, so a create whose response was lost
 *      can be retried with it;
 *  - a session the upstream expired for idleness reads as state `closed` (000) and answers to it get 409
 *    `session_terminal`: callers look the session up to tell "expired" from other endings.
 */
import { z } from 'zod';

// Upstream ids are UUIDs; accept any 8-4-4-4-12 hex form so a v7 id from the real service still parses.
export const Id = z.guid();
export const DateTime = z.iso.datetime({ offset: true });
/** A calendar date or a timestamp: the feed's date_posted/valid_through are documented only as strings. */
export const DateOrDateTime = z.union([z.iso.date(), DateTime]);
export const HttpUrl = z.url({ protocol: /^https?$/ });

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

export const FieldProblem = z.object({ field: z.string(), message: z.string() });
export type FieldProblem = z.infer<typeof FieldProblem>;

/** A non-2xx body as chosen here: `error` is a stable machine code, `message` the human text ("Invalid cursor"). */
export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.array(FieldProblem).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * An RFC 7807-style problem body, as the published client reads it (exceptions.py: `detail`, `code`,
 * `api_version`); the field list is ours to guess (`fields` or `errors`, each `{ field, message }`).
 */
export const ProblemBody = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string(),
  code: z.string().optional(),
  api_version: z.string().optional(),
  fields: z.array(FieldProblem).optional(),
  errors: z.array(FieldProblem).optional(),
});
export type ProblemBody = z.infer<typeof ProblemBody>;

/** Either error shape, read into one: code (may be null), message and per-field problems. */
export function readErrorBody(
  json: unknown,
): { code: string | null; message: string; fields: FieldProblem[]; apiVersion: string | null } | null {
  const ours = ErrorBody.safeParse(json);
  if (ours.success) return { code: ours.data.error, message: ours.data.message, fields: ours.data.fields ?? [], apiVersion: null };
  const problem = ProblemBody.safeParse(json);
  if (problem.success) {
    const p = problem.data;
    return { code: p.code ?? null, message: p.detail, fields: p.fields ?? p.errors ?? [], apiVersion: p.api_version ?? null };
  }
  return null;
}

export const ErrorCodes = {
  invalidCursor: 'invalid_cursor',
  invalidRequest: 'invalid_request',
  unauthorized: 'unauthorized',
  notFound: 'not_found',
  conflict: 'conflict',
  rateLimited: 'rate_limited',
  unavailable: 'service_unavailable',
  sessionTerminal: 'session_terminal',
  /** 409 on a feed continuation: a legacy (non-stable) scan hit its deep-pagination limit (published). */
  cursorRestartRequired: 'cursor_restart_required',
} as const;

// ---------------------------------------------------------------------------------------------------
// Jobs feed (004)
// ---------------------------------------------------------------------------------------------------

/**
 * The stored (internal) job: what the tolerant reader (./jobReader) makes of any upstream variant. Values
 * are normalized here (employment_type "full-time" → "full_time", period "yearly" → "year", skill objects →
 * names, location region → state), so the store and search see one form whatever the wire sent.
 */
export const EmploymentType = z.enum(['full_time', 'part_time', 'contract', 'internship', 'temporary']);
export const WorkplaceType = z.enum(['remote', 'hybrid', 'onsite']);
export const ExperienceLevel = z.enum(['entry', 'mid', 'senior', 'lead', 'executive']);
export const CompensationPeriod = z.enum(['year', 'month', 'week', 'day', 'hour']);

export const Company = z.object({
  id: Id,
  name: z.string(),
  /** Wire `website` (published) or `website_url` (ours before). */
  website_url: z.string().nullable(),
  logo_url: z.string().nullable(),
  /** Wire `industry`, else the first of the published `industries[]`. */
  industry: z.string().nullable(),
  size: z.string().nullable(),
});

export const Location = z.object({
  /** The display text; when the wire omits it, built from city, region and country. */
  location: z.string(),
  city: z.string().nullable(),
  /** The published `region` (or our earlier `state`). */
  state: z.string().nullable(),
  country: z.string().nullable(),
  /** Not in the published model: null unless the wire sends it. */
  country_code: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});

export const Compensation = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  currency: z.string().nullable(),
  /** A range whose period is missing or unknown is not comparable: the reader stores compensation null. */
  period: CompensationPeriod,
});

export const QualificationBucket = z.object({
  education: z.array(z.string()),
  /** Not in the published model: [] unless the wire sends it. */
  experience: z.array(z.string()),
  /** Skill names; the wire sends `{ name, type }` objects (published) or plain strings. */
  skills: z.array(z.string()),
  certifications: z.array(z.string()),
});

export const Qualifications = z.object({
  must_have: QualificationBucket,
  preferred: QualificationBucket,
});

export const JobDto = z.object({
  id: Id,
  title: z.string(),
  normalized_title: z.string().nullable(),
  company: Company,
  description: z.string(),
  summary: z.string().nullable(),
  listing_url: z.string(),
  apply_url: z.string(),
  locations: z.array(Location),
  compensation: Compensation.nullable(),
  employment_type: EmploymentType.nullable(),
  workplace_type: WorkplaceType.nullable(),
  experience_level: ExperienceLevel.nullable(),
  source: z.string(),
  created_at: DateTime,
  updated_at: DateTime,
  date_posted: DateOrDateTime.nullable(),
  valid_through: DateOrDateTime.nullable(),
  qualifications: Qualifications,
  responsibilities: z.array(z.string()),
  benefits: z.array(z.string()),
  is_work_auth_required: z.boolean().nullable(),
  is_h1b_sponsor: z.boolean().nullable(),
  is_clearance_required: z.boolean().nullable(),
});
export type JobDto = z.infer<typeof JobDto>;

/**
 * The upstream's wire shape of a job, as the sandbox serves it: reference 004's fields, with the sub-objects
 * of the published 4.0.0 models (jobo_enterprise.models.Job). Optional parts may be absent.
 */
export interface WireSkill {
  name: string;
  type?: string;
}
export interface WireBucket {
  education?: string[];
  certifications?: string[];
  skills?: (WireSkill | string)[];
  experience?: string[];
}
export interface WireLocation {
  location?: string | null;
  city?: string | null;
  region?: string | null;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  state?: string | null;
  country_code?: string | null;
}
export interface WireJob {
  id: string;
  title: string;
  normalized_title?: string | null;
  company: {
    id: string;
    name: string;
    website?: string | null;
    logo_url?: string | null;
    summary?: string | null;
    industries?: string[];
    categories?: string[];
    linkedin_url?: string | null;
    crunchbase_url?: string | null;
    details_url?: string | null;
    website_url?: string | null;
    industry?: string | null;
    size?: string | null;
  };
  description: string;
  summary?: string | null;
  listing_url: string;
  apply_url: string;
  locations?: WireLocation[];
  compensation?: { min?: number | null; max?: number | null; currency?: string | null; period?: string | null } | null;
  employment_type?: string | null;
  workplace_type?: string | null;
  experience_level?: string | null;
  source: string;
  created_at: string;
  updated_at: string;
  date_posted?: string | null;
  valid_through?: string | null;
  qualifications?: { must_have?: WireBucket; preferred?: WireBucket };
  responsibilities?: string[];
  benefits?: string[];
  is_work_auth_required?: boolean | null;
  is_h1b_sponsor?: boolean | null;
  is_clearance_required?: boolean | null;
  [extra: string]: unknown;
}

/**
 * Filter values on the wire are lowercase and hyphenated (published enums.py: "full-time", not
 * "full_time"; an unrecognised value matches nothing). The stored form is the reference's underscore form.
 */
export const wireFilterValue = (stored: string) => stored.replace(/_/g, '-');

export const FEED_MAX_BATCH = 1000;
export const EXPIRED_MAX_BATCH = 10000;
export const EXPIRED_MAX_LOOKBACK_DAYS = 7;
export const EXPIRED_DEFAULT_LOOKBACK_HOURS = 24;

const FilterList = z.array(z.string().min(1)).min(1).max(100);
/** Filter values the published 4.0.0 enums list (enums.py), in their wire spelling. */
export const WIRE_WORK_MODELS = ['remote', 'hybrid', 'onsite'] as const;
export const WIRE_EMPLOYMENT_TYPES = ['full-time', 'part-time', 'contract', 'internship', 'freelance', 'temporary'] as const;
export const WIRE_EXPERIENCE_LEVELS = ['intern', 'entry', 'mid', 'senior', 'lead', 'executive'] as const;
const listOf = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1).max(100);

/** Structured location filter (published LocationFilter): a job matches when every given part matches. */
export const LocationFilter = z.strictObject({
  country: z.string().min(1).nullable().optional(),
  region: z.string().min(1).nullable().optional(),
  city: z.string().min(1).nullable().optional(),
});
export type LocationFilter = z.infer<typeof LocationFilter>;

/**
 * POST /api/jobs/feed body (004 + published JobFeedRequest). A continuation sends `cursor` alone: the cursor
 * carries the first request's filters and batch size, and the upstream ignores anything sent beside it.
 */
export const FeedRequest = z.strictObject({
  cursor: z.string().min(1).nullable().optional(),
  batch_size: z.number().int().min(1).max(FEED_MAX_BATCH).optional(),
  /** Jobs posted (first indexed) at or after this (004, published). */
  posted_after: DateTime.nullable().optional(),
  /** Jobs created or updated at or after this: the incremental-sync watermark (published). */
  updated_after: DateTime.nullable().optional(),
  /** Page by immutable creation time (upstream default true); false = legacy update-recency order. */
  stable_scan: z.boolean().nullable().optional(),
  locations: z.array(LocationFilter).min(1).max(100).nullable().optional(),
  sources: FilterList.nullable().optional(),
  // Strict on the way out: a value outside the published enums would silently match nothing upstream.
  work_models: listOf(WIRE_WORK_MODELS).nullable().optional(),
  employment_types: listOf(WIRE_EMPLOYMENT_TYPES).nullable().optional(),
  experience_levels: listOf(WIRE_EXPERIENCE_LEVELS).nullable().optional(),
});
export type FeedRequest = z.infer<typeof FeedRequest>;

/** The same body as the upstream accepts it: unknown filter values are allowed and match nothing. */
export const FeedRequestAsServed = FeedRequest.extend({
  work_models: FilterList.nullable().optional(),
  employment_types: FilterList.nullable().optional(),
  experience_levels: FilterList.nullable().optional(),
});
export type FeedRequestAsServed = z.infer<typeof FeedRequestAsServed>;

/** The feed page envelope; `jobs` are read one by one by the tolerant reader, not by this schema. */
export const FeedEnvelope = z.object({
  jobs: z.array(z.unknown()).default([]),
  next_cursor: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  has_more: z.boolean().default(false),
  /** Size of the whole scan, on the first page only (published). */
  estimated_total: z
    .number()
    .int()
    .nonnegative()
    .nullish()
    .catch(null)
    .transform((v) => v ?? null),
});

export interface FeedResponse {
  jobs: JobDto[];
  next_cursor: string | null;
  has_more: boolean;
  estimated_total: number | null;
}

/** Wire form of a feed page (what the sandbox sends). */
export interface WireFeedResponse {
  jobs: WireJob[];
  next_cursor: string | null;
  has_more: boolean;
  estimated_total?: number;
}

export const ExpiredQuery = z.strictObject({
  expired_since: DateTime.optional(),
  batch_size: z.number().int().min(1).max(EXPIRED_MAX_BATCH).optional(),
  cursor: z.string().min(1).optional(),
});
export type ExpiredQuery = z.infer<typeof ExpiredQuery>;

export const ExpiredResponse = z.object({
  job_ids: z.array(Id).default([]),
  next_cursor: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  has_more: z.boolean().default(false),
});
export type ExpiredResponse = z.infer<typeof ExpiredResponse>;

export const CREDITS_HEADER = 'x-credits-balance';

// ---------------------------------------------------------------------------------------------------
// Auto-apply sessions (000, 001)
// ---------------------------------------------------------------------------------------------------

export const JOB_URL_MAX = 2000;
export const JobUrl = HttpUrl.max(JOB_URL_MAX);

export const SessionState = z.enum(['pending', 'running', 'completed', 'failed', 'closed']);
export const SessionMode = z.enum(['interactive', 'automated']);

/** GET /api/auto-apply/sessions/{id} (000). */
export const SessionMetadata = z.object({
  id: Id,
  state: SessionState,
  mode: SessionMode,
  job_url: z.string(),
  provider_id: z.string().nullable(),
  provider_name: z.string().nullable(),
  current_url: z.string().nullable(),
  profile_id: Id.nullable(),
  started_at: DateTime,
  completed_at: DateTime.nullable(),
});
export type SessionMetadata = z.infer<typeof SessionMetadata>;

export const KNOWN_FLOW_STATUSES = [
  'form_ready',
  'next_available',
  'submit_ready',
  'submitted',
  'login_required',
  'captcha_required',
  'expired',
  'redirected',
  'redirect_required',
  'error',
] as const;
export const ActiveFlowStatuses = ['form_ready', 'next_available', 'submit_ready'] as const;
/** "Treat the enum as open" (001): unknown statuses parse, and is_terminal decides what to do with them. */
export const FlowStatus = z.union([z.enum(KNOWN_FLOW_STATUSES), z.string().min(1)]);
export type FlowStatus = z.infer<typeof FlowStatus>;

export const FieldType = z.enum(['text', 'email', 'phone', 'date', 'number', 'select', 'multi_select', 'boolean', 'textarea', 'file']);
export type FieldType = z.infer<typeof FieldType>;

export const FieldOption = z.object({ value: z.string(), label: z.string() });

export const FormField = z.object({
  name: z.string().min(1),
  label: z.string(),
  type: FieldType,
  required: z.boolean(),
  options: z.array(FieldOption).nullable(),
  description: z.string().nullable(),
  max_length: z.number().int().positive().nullable(),
  /** For file fields: accepted MIME types. */
  accept: z.array(z.string()).nullable(),
});
export type FormField = z.infer<typeof FormField>;

/** POST /api/auto-apply/sessions/{id}/answers responses and the create response (001). */
export const LiveSessionState = z.object({
  session_id: Id,
  provider_id: z.string().nullable(),
  provider_name: z.string().nullable(),
  status: FlowStatus,
  is_terminal: z.boolean(),
  error: z.string().nullable(),
  current_url: z.string().nullable(),
  validation_errors: z.array(FieldProblem),
  fields: z.array(FormField),
  redirect_url: z.string().nullable(),
  redirect_provider_id: z.string().nullable(),
});
export type LiveSessionState = z.infer<typeof LiveSessionState>;

/**
 * Field type spellings → the stored FieldType: ours, the published 3.0.0 snake_case names ("text_area")
 * and common synonyms [O]. An unknown type falls back to "text": a free-text answer is the one any form
 * field can at least be shown with.
 */
const FIELD_TYPE_SPELLINGS: Record<string, FieldType> = {
  text: 'text',
  short_text: 'text',
  email: 'email',
  phone: 'phone',
  tel: 'phone',
  telephone: 'phone',
  date: 'date',
  number: 'number',
  numeric: 'number',
  select: 'select',
  dropdown: 'select',
  radio: 'select',
  radio_group: 'select',
  multi_select: 'multi_select',
  multiselect: 'multi_select',
  checkbox_group: 'multi_select',
  boolean: 'boolean',
  checkbox: 'boolean',
  yes_no: 'boolean',
  textarea: 'textarea',
  text_area: 'textarea',
  long_text: 'textarea',
  file: 'file',
  file_upload: 'file',
  upload: 'file',
};
export const FIELD_TYPE_FALLBACK: FieldType = 'text';

export function readFieldType(raw: unknown): FieldType {
  if (typeof raw !== 'string') return FIELD_TYPE_FALLBACK;
  return (
    FIELD_TYPE_SPELLINGS[raw] ??
    FIELD_TYPE_SPELLINGS[
      raw
        .trim()
        .toLowerCase()
        .replace(/[-\s]+/g, '_')
    ] ??
    FIELD_TYPE_FALLBACK
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const orNull = (v: unknown) => (v === undefined ? null : v);
/** A scalar as text; anything else is left for the strict schema to refuse (not turned into '[object Object]'). */
const asText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

/** One form field in either shape (ours, or P3's FormFieldInfo: field_id, is_required, options {value, text}). */
function normalizeField(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const v3 = 'field_id' in raw && !('name' in raw);
  const options = Array.isArray(raw.options)
    ? (raw.options as unknown[]).map((o) =>
        isRecord(o) ? { value: asText(o.value ?? ''), label: asText(o.label ?? o.text ?? o.value ?? '') } : o,
      )
    : null;
  const type = readFieldType(raw.type);
  return {
    name: v3 ? raw.field_id : raw.name,
    label: raw.label ?? '',
    type,
    required: (v3 ? raw.is_required : raw.required) ?? false,
    // P3 sends options: [] on every field; only choice fields carry options here.
    options: options && (options.length > 0 || type === 'select' || type === 'multi_select') ? options : null,
    description: orNull(raw.description),
    max_length: orNull(raw.max_length),
    accept: orNull(raw.accept),
  };
}

/** A live session state in either field shape, optional parts defaulted, before the strict schema. */
function normalizeLiveState(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  return {
    ...raw,
    provider_id: orNull(raw.provider_id),
    provider_name: orNull(raw.provider_name ?? raw.provider_display_name),
    error: orNull(raw.error),
    current_url: orNull(raw.current_url),
    redirect_url: orNull(raw.redirect_url),
    redirect_provider_id: orNull(raw.redirect_provider_id),
    is_terminal: raw.is_terminal ?? false,
    validation_errors: Array.isArray(raw.validation_errors)
      ? (raw.validation_errors as unknown[]).map((e) =>
          isRecord(e) ? { field: asText(e.field ?? e.field_id ?? ''), message: e.message } : e,
        )
      : [],
    fields: Array.isArray(raw.fields) ? raw.fields.map(normalizeField) : [],
  };
}

/** What the client parses live states with: both field shapes and open types in, LiveSessionState out. */
export const LiveSessionStateRead = z.preprocess(normalizeLiveState, LiveSessionState);

export const CreateSessionRequest = z.strictObject({
  job_url: JobUrl,
  /** Present for an automated application run: the sandbox counts submissions per (profile, job). */
  profile_id: Id.optional(),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

export const RESUME_MAX_BYTES = 10 * 1024 * 1024;

/** A file answer: the profile's stored resume by reference, or inline bytes. */
export const FileAnswer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('profile_resume'), profile_id: Id }),
  z.strictObject({
    kind: z.literal('upload'),
    file_name: z.string().min(1).max(255),
    content_type: z.string().min(1),
    content_base64: z.string().max(Math.ceil((RESUME_MAX_BYTES * 4) / 3) + 4),
  }),
]);
export type FileAnswer = z.infer<typeof FileAnswer>;

export const AnswerValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), FileAnswer]);
export type AnswerValue = z.infer<typeof AnswerValue>;

/**
 * POST /api/auto-apply/sessions/{id}/answers body: the answers for the current page, keyed by field name.
 * An `Idempotency-Key` header makes a retried submission return the first response instead of acting twice.
 */
export const AnswersRequest = z.strictObject({
  answers: z.record(z.string().min(1), AnswerValue),
});
export type AnswersRequest = z.infer<typeof AnswersRequest>;

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_MAX = 255;
/** Response header of a create answered from an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

// ---------------------------------------------------------------------------------------------------
// Profiles (003)
// ---------------------------------------------------------------------------------------------------

export const PROFILE_LIMITS = {
  name: 100,
  link: 500,
  workExperience: 50,
  education: 20,
  memories: 100,
  memory: 1000,
  coverLetterTemplate: 10000,
} as const;

const optText = z.string().nullable().optional();
const YearOrMonth = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'expected YYYY or YYYY-MM');

export const Contact = z.object({
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  preferred_name: optText,
  email: z.email(),
  phone: optText,
  date_of_birth: z.iso.date().nullable().optional(),
});

export const ProfileLocation = z.object({
  address_line1: optText,
  address_line2: optText,
  city: optText,
  state: optText,
  postal_code: optText,
  country: optText,
});

const Link = HttpUrl.max(PROFILE_LIMITS.link).nullable().optional();
export const Links = z.object({ linkedin: Link, github: Link, portfolio: Link, website: Link });

export const WorkExperience = z.object({
  company: z.string().min(1),
  title: z.string().min(1),
  location: optText,
  start_date: YearOrMonth.nullable().optional(),
  end_date: YearOrMonth.nullable().optional(),
  is_current: z.boolean().optional(),
  description: optText,
});

export const Education = z.object({
  school: z.string().min(1),
  degree: optText,
  field_of_study: optText,
  start_date: YearOrMonth.nullable().optional(),
  end_date: YearOrMonth.nullable().optional(),
  gpa: optText,
});

export const Eligibility = z.object({
  work_authorized_countries: z.array(z.string().min(1)).optional(),
  requires_sponsorship: z.boolean().nullable().optional(),
});

export const SalaryExpectation = z.object({
  amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD'),
  period: CompensationPeriod,
});

export const RemotePreference = z.enum(['remote', 'hybrid', 'onsite', 'no_preference']);

export const Preferences = z.object({
  salary_expectation: SalaryExpectation.nullable().optional(),
  earliest_start_date: z.iso.date().nullable().optional(),
  willing_to_relocate: z.boolean().nullable().optional(),
  remote_preference: RemotePreference.nullable().optional(),
  preferred_locations: z.array(z.string().min(1)).optional(),
});

const PNTS = 'prefer_not_to_say';
export const SelfIdentification = z.object({
  gender: z.enum(['male', 'female', 'non_binary', 'other', PNTS]).nullable().optional(),
  ethnicity: z
    .enum([
      'american_indian_or_alaska_native',
      'asian',
      'black_or_african_american',
      'hispanic_or_latino',
      'native_hawaiian_or_pacific_islander',
      'white',
      'two_or_more_races',
      PNTS,
    ])
    .nullable()
    .optional(),
  veteran_status: z.enum(['protected_veteran', 'not_a_veteran', PNTS]).nullable().optional(),
  disability_status: z.enum(['has_disability', 'no_disability', PNTS]).nullable().optional(),
  lgbtq_status: z.enum(['yes', 'no', PNTS]).nullable().optional(),
});

/** Shared body of POST (create) and PATCH (section replacement) /api/auto-apply/profiles. */
export const ProfileInput = z.strictObject({
  name: z.string().min(1).max(PROFILE_LIMITS.name).optional(),
  contact: Contact.optional(),
  location: ProfileLocation.optional(),
  links: Links.optional(),
  work_experience: z.array(WorkExperience).max(PROFILE_LIMITS.workExperience).optional(),
  education: z.array(Education).max(PROFILE_LIMITS.education).optional(),
  eligibility: Eligibility.optional(),
  preferences: Preferences.optional(),
  self_identification: SelfIdentification.optional(),
  memories: z.array(z.string().min(1).max(PROFILE_LIMITS.memory)).max(PROFILE_LIMITS.memories).optional(),
  cover_letter_template: z.string().max(PROFILE_LIMITS.coverLetterTemplate).nullable().optional(),
});
export type ProfileInput = z.infer<typeof ProfileInput>;
/** On create, contact (first_name, last_name, email) is required. */
export const CreateProfileRequest = ProfileInput.extend({ contact: Contact });
export type CreateProfileRequest = z.infer<typeof CreateProfileRequest>;
export const PatchProfileRequest = ProfileInput;
export type PatchProfileRequest = z.infer<typeof PatchProfileRequest>;

export const ProfileStatus = z.enum(['ready', 'importing', 'import_failed']);

export const ResumeMetadata = z.object({
  file_name: z.string(),
  content_type: z.string(),
  size_bytes: z.number().int().nonnegative(),
  uploaded_at: DateTime,
  download_url: z.string(),
});

export const Profile = z.object({
  id: Id,
  name: z.string(),
  status: ProfileStatus,
  import_error: z.string().nullable(),
  contact: Contact.nullable(),
  location: ProfileLocation,
  links: Links,
  work_experience: z.array(WorkExperience),
  education: z.array(Education),
  eligibility: Eligibility,
  preferences: Preferences,
  self_identification: SelfIdentification,
  memories: z.array(z.string()),
  cover_letter_template: z.string().nullable(),
  resume: ResumeMetadata.nullable(),
  created_at: DateTime,
  updated_at: DateTime,
});
export type Profile = z.infer<typeof Profile>;

/**
 * Resume upload: PUT /api/auto-apply/profiles/{id}/resume with the raw file as the body, its MIME type as
 * Content-Type and the file name in `X-File-Name`. `?import=true` starts the asynchronous import
 * (status importing → ready | import_failed) that fills contact, links, work_experience, education and
 * memories from the file. Responds 202 with the profile.
 */
export const RESUME_FILE_NAME_HEADER = 'x-file-name';
export const RESUME_CONTENT_TYPES = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/plain',
] as const;
