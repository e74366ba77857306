/**
 * The HTTP contract of the applyflow API: request and response schemas for every route. Fastify validates
 * requests and serializes responses with them, and the OpenAPI document is generated from them, so the
 * docs cannot drift from what is served.
 *
 * Field names follow the documents: reference 002 for campaigns ("sessions" there: camelCase, applications
 * in snake_case as 002 shows them) and 000/001 for interactive sessions (snake_case). Limits and rules come
 * from the product's pure modules (campaigns/input, campaigns/schedule, interactiveSession/input), whose
 * validators also run before anything starts, so cross-field rules (a weekly schedule needs daysOfWeek)
 * live there once.
 */
import { z } from 'zod';
import { APPLICATION_STATUSES } from '../shared/applicationStatus';
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_TYPES,
  EMPLOYMENT_TYPES,
  EXPERIENCE_LEVELS,
  MAX_CONCURRENCY,
  MAX_JOBS,
  MAX_JOBS_PER_RUN,
  MAX_PERSON_DEADLINE_HOURS,
  RUN_STATUSES,
  WORK_TYPES,
} from '../campaign/input';
import { DAYS_OF_WEEK, TIME_OF_DAY, timezoneProblem } from '../campaign/schedule';
import { CAMPAIGN_POLICIES } from '../campaign/messages';
import { JOB_ID } from '../application/input';
import { MAX_IDLE_TIMEOUT_MINUTES } from '../interactiveSession/input';
import { jobUrlProblem, JOB_URL_MAX_LENGTH } from '../shared/input';
import { AnswerValue, FieldProblem, LiveSessionState } from '../jobo/schemas';

// ------------------------------------------------------------------------------------------------
// Shared pieces
// ------------------------------------------------------------------------------------------------

/** A check from a pure module as a zod refinement (one rule, one implementation). */
const checkedBy = (problem: (v: unknown) => string | null) => (v: unknown, ctx: z.RefinementCtx) => {
  const p = problem(v);
  if (p) ctx.addIssue({ code: 'custom', message: p });
};

export const JobLink = z
  .string()
  .max(JOB_URL_MAX_LENGTH)
  .superRefine(checkedBy(jobUrlProblem))
  .meta({ format: 'uri', description: 'Absolute http(s) URL, at most 2000 characters' });

export const ProfileId = z.guid().meta({ description: 'A Jobo candidate profile id (UUID); checked upstream before anything starts' });
const Timestamp = z.string().meta({ format: 'date-time' });
const NullableTimestamp = Timestamp.nullable();
const Text = (max: number) => z.string().trim().min(1).max(max);
const TextList = z.array(Text(200)).min(1).max(50);

export const ErrorResponse = z
  .object({
    error: z
      .string()
      .meta({ description: 'Stable machine code: invalid_request, unauthorized, forbidden, not_found, conflict, rate_limited, ...' }),
    message: z.string(),
    fields: z.array(FieldProblem).optional().meta({ description: 'One entry per bad field (400 invalid_request)' }),
    retryAfter: z.number().int().optional().meta({ description: '429 only: seconds to wait, as the Retry-After header says' }),
  })
  .meta({ id: 'Error' });

export const Pagination = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

const pageQuery = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).meta({ description: 'Page number (default 1)' }),
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page, max 100 (default 20)' }),
};

// ------------------------------------------------------------------------------------------------
// Campaigns: reference 002 "sessions"
// ------------------------------------------------------------------------------------------------

export const CampaignIdParams = z.strictObject({
  sessionId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of [A-Za-z0-9_.-]'),
});

const jobShape = {
  companyName: Text(200),
  title: Text(300),
  jobId: z.string().regex(JOB_ID, 'expected 1-100 characters of [A-Za-z0-9_.:-]').meta({ description: 'Your job reference' }),
  link: JobLink,
};

export const filtersShape = {
  jobTitle: Text(200).optional(),
  location: TextList.optional(),
  workType: z
    .array(z.enum(Object.keys(WORK_TYPES) as [keyof typeof WORK_TYPES, ...(keyof typeof WORK_TYPES)[]]))
    .min(1)
    .max(3)
    .optional(),
  employmentType: z.array(z.enum(EMPLOYMENT_TYPES)).min(1).max(EMPLOYMENT_TYPES.length).optional(),
  experienceLevel: z.array(z.enum(EXPERIENCE_LEVELS)).min(1).max(EXPERIENCE_LEVELS.length).optional(),
  postedWithinDays: z.number().int().min(1).max(365).optional(),
  salaryMin: z.number().min(0).optional().meta({ description: 'Yearly salary floor' }),
  companyInclude: TextList.optional(),
  companyExclude: TextList.optional(),
};

const scheduleShape = {
  pattern: z.enum(['daily', 'weekly', 'monthly']),
  daysOfWeek: z.array(z.enum(DAYS_OF_WEEK)).min(1).max(7).optional().meta({ description: 'weekly only' }),
  dayOfMonth: z.number().int().min(1).max(31).optional().meta({ description: 'monthly only; short months run on their last day' }),
  time: z.string().regex(TIME_OF_DAY, 'expected HH:MM, 24-hour local time'),
  timezone: z.string().superRefine(checkedBy(timezoneProblem)).meta({ description: 'IANA time zone, e.g. America/New_York' }),
};

const limitsShape = {
  maxJobsPerRun: z.number().int().min(1).max(MAX_JOBS_PER_RUN).optional(),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(MAX_CONCURRENCY)
    .optional()
    .meta({ description: 'Applications of this session running at once' }),
};

const Answers = z
  .record(z.string().min(1).max(300), AnswerValue)
  .meta({ description: 'Answers by form field name or label for questions no profile answers (applied to every application)' });

const PersonDeadlineHours = z
  .number()
  .min(1 / 60)
  .max(MAX_PERSON_DEADLINE_HOURS)
  .meta({
    description:
      'ask/review: how long an application waits for a person before it fails naming the fields (default 72; fractions allowed, whole minutes used)',
  });

/** The setPolicy body (POST /api/v1/sessions/{id}/policy). */
export const SetPolicyBody = z
  .strictObject({ policy: z.enum(CAMPAIGN_POLICIES), personDeadlineHours: PersonDeadlineHours.optional() })
  .meta({ id: 'SetSessionPolicy' });

const commonCreate = {
  candidateProfileId: ProfileId,
  searchId: Text(200).optional(),
  overrideEmail: z.email().max(254).optional(),
  limits: z.strictObject(limitsShape).optional(),
  answers: Answers.optional(),
  // Issue 16: what an application that needs a person does (src/campaign/messages.ts CampaignPolicy).
  policy: z.enum(CAMPAIGN_POLICIES).optional().meta({
    description:
      "skip (default): fail naming the fields; ask: wait for a person's answers; review: wait for approval before the final submit",
  }),
  personDeadlineHours: PersonDeadlineHours.optional(),
};

export const RunOnceBody = z
  .strictObject({ ...commonCreate, jobs: z.array(z.strictObject(jobShape)).min(1).max(MAX_JOBS) })
  .meta({ id: 'CreateRunOnceSession' });
export const AutopilotOnceBody = z
  .strictObject({ ...commonCreate, filters: z.strictObject(filtersShape) })
  .meta({ id: 'CreateAutopilotOnceSession' });
export const AutopilotRecurringBody = z
  .strictObject({ ...commonCreate, filters: z.strictObject(filtersShape), schedule: z.strictObject(scheduleShape) })
  .meta({ id: 'CreateAutopilotRecurringSession' });

const CampaignStats = z.object({
  totalRuns: z.number().int(),
  totalApplications: z.number().int(),
  successfulApplications: z.number().int(),
  failedApplications: z.number().int(),
  limitReachedApplications: z
    .number()
    .int()
    .optional()
    .meta({ description: "Jobs not started: the user's total or monthly limit was used up" }),
  waitingForPerson: z.number().int().optional().meta({
    description: 'Applications waiting for a person now (they hold no concurrency slot); present once the policy is ask or review',
  }),
  needsPersonApplications: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Applications parked for a person (captcha or login wall, NEEDS_PERSON)' }),
  pacedApplications: z.number().int().optional().meta({
    description:
      "Ours: applications QUEUED now for the user's daily cap, waiting for the next day window (nextRunAt shows the earliest while nothing else runs)",
  }),
  jobsQueued: z.number().int(),
  lastRunAt: NullableTimestamp,
  nextRunAt: NullableTimestamp,
});

export const Session = z
  .object({
    sessionId: z.string(),
    type: z.enum(CAMPAIGN_TYPES),
    userId: z.string().meta({ description: 'The API user (key) who created the session: only they see it' }),
    candidateProfileId: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    stats: CampaignStats,
    searchContext: z.object({ titles: z.array(z.string()), locations: z.array(z.string()) }),
    searchId: z.string().nullable(),
    schedule: z.object(scheduleShape).nullable(),
    filters: z.object(filtersShape).nullable(),
    limits: z.object({ maxJobsPerRun: z.number().int(), concurrency: z.number().int() }),
    workflowId: z.string().meta({ description: 'The Temporal workflow id (campaign/<sessionId>)' }),
    createdAt: Timestamp,
    policy: z
      .enum(CAMPAIGN_POLICIES)
      .optional()
      .meta({ description: 'The policy applications start with now (absent: a session from before policies, skip)' }),
    personDeadlineHours: z.number().optional(),
  })
  .meta({ id: 'Session' });

export const SessionSummary = z
  .object({
    sessionId: z.string(),
    type: z.enum(CAMPAIGN_TYPES),
    userId: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    candidateProfileId: z.string(),
    searchContext: z.object({ titles: z.array(z.string()), locations: z.array(z.string()) }).nullable(),
    workflowId: z.string(),
    createdAt: Timestamp,
    closedAt: NullableTimestamp,
  })
  .meta({ id: 'SessionSummary' });

export const ListSessionsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(CAMPAIGN_STATUSES).optional(),
  type: z.enum(CAMPAIGN_TYPES).optional(),
});
export const SessionList = z.object({ data: z.array(SessionSummary), pagination: Pagination });

export const RunsQuery = z.strictObject({ ...pageQuery, status: z.enum(RUN_STATUSES).optional() });
export const SessionRun = z
  .object({
    sessionRunId: z.string(),
    sessionId: z.string(),
    startedAt: Timestamp,
    completedAt: NullableTimestamp,
    scheduledAt: NullableTimestamp,
    status: z.enum(RUN_STATUSES),
    stats: z.object({
      jobsFound: z.number().int(),
      applicationsAttempted: z.number().int(),
      applicationsSuccessful: z.number().int(),
      applicationsFailed: z.number().int(),
      applicationsLimitReached: z.number().int().optional(),
    }),
    error: z.string().nullable(),
  })
  .meta({ id: 'SessionRun' });
export const RunList = z.object({ data: z.array(SessionRun), pagination: Pagination });

// ------------------------------------------------------------------------------------------------
// Applications (002)
// ------------------------------------------------------------------------------------------------

export const ApplicationsQuery = z.strictObject({
  ...pageQuery,
  sessionId: CampaignIdParams.shape.sessionId.optional(),
  profileId: ProfileId.optional().meta({ description: "Only this profile's applications (one of the caller's profiles)" }),
  status: z.enum(APPLICATION_STATUSES).optional(),
});

export const Application = z
  .object({
    application_id: z.string().meta({ description: 'The application workflow id: application/<profileId>/<job key>[/retry-<n>]' }),
    session_id: z.string().nullable(),
    session_run_id: z.string().nullable(),
    job_id: z.string().meta({ description: "The caller's job reference (jobId as given), else the job key" }),
    job_key: z.string().meta({ description: 'The job key: from the canonical apply URL; one application per (profile, job key)' }),
    job_url: z.string(),
    job_title: z.string().nullable(),
    company_name: z.string().nullable(),
    ats_type: z.string().nullable(),
    status: z.enum(APPLICATION_STATUSES).meta({
      description:
        'QUEUED, PROCESSING, SUCCESS, FAILED, CANCELLED as in 002; UNCONFIRMED (ours): a submit whose outcome is not known yet, ' +
        'settled from the upstream session state and never submitted again blindly',
    }),
    candidate_email: z.string().nullable(),
    search_id: z.string().nullable(),
    result: z.object({ confirmationUrl: z.string() }).nullable(),
    error: z.string().nullable(),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        status: z.enum(['processing', 'success', 'failed', 'cancelled']),
        timestamp: Timestamp,
        finished_at: Timestamp.optional(),
        error: z.string().optional(),
      }),
    ),
    next_attempt_at: Timestamp.optional().meta({
      description: "Ours: while QUEUED for the user's daily cap, when the next day window opens and the application goes on",
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Application' });
export const ApplicationList = z.object({ data: z.array(Application), pagination: Pagination });

export const ApplicationIdParams = z.strictObject({
  applicationId: z
    .string()
    .regex(/^application\/[^/]+\/[^/]+(\/retry-\d+)?$/, 'expected an application id (application/<profileId>/<job key>, URL-encoded)'),
});
export const RetryBody = z
  .strictObject({
    answers: Answers.optional(),
    overrideEmail: z.email().max(254).optional(),
  })
  .meta({ id: 'RetryApplication' });
export const RetryStarted = z
  .object({ application_id: z.string(), retry_of: z.string(), status: z.literal('QUEUED') })
  .meta({ id: 'RetryStarted' });

// ------------------------------------------------------------------------------------------------
// Interactive sessions: the Jobo documents' shapes (000 metadata, 001 live state)
// ------------------------------------------------------------------------------------------------

export const INTERACTIVE_ID = /^[0-9a-f]{8}-[A-Za-z0-9_.-]{1,64}$/;
export const InteractiveIdParams = z.strictObject({ id: z.string().regex(INTERACTIVE_ID, 'expected an interactive session id') });

export const CreateInteractiveBody = z
  .strictObject({
    job_url: JobLink,
    profile_id: ProfileId.optional(),
    idle_timeout_minutes: z
      .number()
      .positive()
      .max(MAX_IDLE_TIMEOUT_MINUTES)
      .optional()
      .meta({ description: 'Minutes without answers before the session expires' }),
  })
  .meta({ id: 'CreateInteractiveSession' });

export const AnswersBody = z
  .strictObject({
    answers: z.record(z.string().min(1), AnswerValue),
    page: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Guard: the page these answers are for; refused when the session moved on' }),
  })
  .meta({ id: 'InteractiveAnswers' });

// The Jobo live state (001), with this API's session id and the workflow's progress fields.
const liveShape = {
  ...LiveSessionState.shape,
  session_id: z.string().meta({ description: 'This API’s session id: use it in the answers, get and end endpoints' }),
  status: z.string().meta({
    description:
      'Flow status (001): form_ready, next_available, submit_ready, submitted, error, expired, ...; `starting` before the first page',
  }),
  page: z.number().int(),
  pages_answered: z.number().int(),
  hops: z.number().int().meta({ description: 'Redirects followed (the session follows redirect_required itself)' }),
  upstream_session_id: z.string().nullable(),
};
export const LiveSession = z.object(liveShape).meta({ id: 'InteractiveSessionState' });

export const InteractiveSession = z
  .object({
    ...liveShape,
    id: z.string(),
    state: z.enum(['pending', 'running', 'completed', 'failed', 'closed']),
    mode: z.literal('interactive'),
    job_url: z.string(),
    profile_id: z.string().nullable(),
    started_at: Timestamp,
    completed_at: NullableTimestamp,
  })
  .meta({ id: 'InteractiveSession' });

export type SessionT = z.output<typeof Session>;
export type ApplicationT = z.output<typeof Application>;
export type LiveSessionT = z.output<typeof LiveSession>;
export type InteractiveSessionT = z.output<typeof InteractiveSession>;
