/**
 * A campaign's input, state and views (reference 002's sessions): pure checks with no zod and no Node APIs,
 * shared by the typed client, the CLI and the workflow (which re-checks raw JSON from the `temporal` CLI).
 */
import { EMAIL, JOB_ID, answersSizeProblems, type ApplicationStatus, type CallerAnswer } from '../application/input';
import { formatProblems, jobUrlProblem, type InputProblem } from '../shared/input';
import { DAYS_OF_WEEK, TIME_OF_DAY, timezoneProblem, type CampaignSchedule, type DayOfWeek } from './schedule';
import { CAMPAIGN_POLICIES, type CampaignPolicy } from './messages';
import type { PersonTaskKind } from '../application/messages';

export type { CampaignSchedule, DayOfWeek, InputProblem };
export { formatProblems };

export const CAMPAIGN_TYPES = ['run_once', 'autopilot_once', 'autopilot_recurring'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];
// `failed` is ours (002 lists the other four): a run-once or autopilot-once whose only run could not run.
export const CAMPAIGN_STATUSES = ['active', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const RUN_STATUSES = ['in_progress', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const CAMPAIGN_WORKFLOW_PREFIX = 'campaign/';
export const MAX_JOBS = 100;
export const MAX_JOBS_PER_RUN = 100;
export const DEFAULT_MAX_JOBS_PER_RUN = 25;
export const MAX_CONCURRENCY = 10;
export const DEFAULT_CONCURRENCY = 3;
/** Runs kept in state; older runs live on only in stats (and their applications, by SA.campaignId). */
export const MAX_RUNS_KEPT = 20;
/** Application results kept in state (the newest); every application stays searchable by SA.campaignId. */
export const MAX_APPLICATIONS_KEPT = 300;

/** The reference's work types, mapped to the job store's workplace types. */
export const WORK_TYPES = { Remote: 'remote', Hybrid: 'hybrid', 'On-site': 'onsite' } as const;
export type WorkType = keyof typeof WORK_TYPES;
export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contract', 'internship', 'temporary'] as const;
export const EXPERIENCE_LEVELS = ['entry', 'mid', 'senior', 'lead', 'executive'] as const;

export interface CampaignJob {
  companyName: string;
  title: string;
  /** The caller's job reference; the application is keyed by it (application/<profile>/<jobId>). */
  jobId: string;
  /** The job's application URL. */
  link: string;
}

export interface CampaignFilters {
  /** Full text over title and description. */
  jobTitle?: string;
  location?: string[];
  workType?: WorkType[];
  employmentType?: (typeof EMPLOYMENT_TYPES)[number][];
  experienceLevel?: (typeof EXPERIENCE_LEVELS)[number][];
  postedWithinDays?: number;
  /** Yearly salary floor. */
  salaryMin?: number;
  companyInclude?: string[];
  companyExclude?: string[];
}

export interface CampaignLimits {
  maxJobsPerRun?: number;
  /** Applications of this campaign running at once. */
  concurrency?: number;
}

export interface SearchContext {
  titles: string[];
  locations: string[];
}

export interface CampaignInput {
  campaignId: string;
  type: CampaignType;
  candidateProfileId: string;
  /** run_once: 1..100 jobs. */
  jobs?: CampaignJob[];
  /** autopilot_*: what to search the job store for. */
  filters?: CampaignFilters;
  /** autopilot_recurring only. */
  schedule?: CampaignSchedule;
  limits?: CampaignLimits;
  /** Answers the profile's email fields with this address instead (demo profiles). */
  overrideEmail?: string;
  /** A search record the caller made; kept with the campaign and its applications. */
  searchId?: string;
  /** The search record's titles and locations (the API resolves searchId to them): the campaign's searchContext. */
  searchContext?: SearchContext;
  /** Caller answers for questions no profile answers (by field name or label), passed to every application. */
  answers?: Record<string, CallerAnswer>;
  /** The API user who owns the campaign (only they see it through the API); absent when started by an operator. */
  userId?: string;
  /** What an application that needs a person does (default skip: it fails naming the fields); setPolicy changes it. */
  policy?: CampaignPolicy;
  /** ask/review: how long an application waits for a person before it fails naming the fields (default 72). */
  personDeadlineHours?: number;
  /** Set by continue-as-new only: the state so far. */
  carried?: CampaignState;
}

export interface CampaignStats {
  totalRuns: number;
  /** Applications started (or found already done) by this campaign. */
  totalApplications: number;
  successfulApplications: number;
  failedApplications: number;
  /** Jobs not started because the user's total or monthly limit was used up (not counted as applications); absent until one is. */
  limitReachedApplications?: number;
  /** Applications waiting for a person now (they hold no concurrency slot); present once the policy is ask or review. */
  waitingForPerson?: number;
  /** Applications parked for a person (captcha or login wall upstream, NEEDS_PERSON); present once the policy is ask or review, or one is. */
  needsPersonApplications?: number;
  /** Ours: applications waiting QUEUED for the user's next daily window now (they keep their slot); present once one waited. */
  pacedApplications?: number;
  /** Jobs found and waiting to start now. */
  jobsQueued: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
}

export interface CampaignRun {
  sessionRunId: string;
  startedAt: string;
  completedAt: string | null;
  /** For recurring campaigns: the tick this run is for. */
  scheduledAt: string | null;
  status: RunStatus;
  stats: {
    jobsFound: number;
    applicationsAttempted: number;
    applicationsSuccessful: number;
    applicationsFailed: number;
    applicationsLimitReached?: number;
  };
  error: string | null;
}

export interface CampaignApplication {
  /** The application workflow's id: application/<profileId>/<jobKey>. */
  applicationId: string;
  sessionRunId: string;
  jobId: string;
  job_url: string;
  job_title: string;
  company_name: string;
  ats_type: string | null;
  status: ApplicationStatus;
  search_id: string | null;
  result: { confirmationUrl: string } | null;
  error: string | null;
  /** True when the profile had already applied (the ledger or an earlier application workflow answered). */
  already_applied: boolean;
  /** While the application waits for a person's answers (it is PROCESSING meanwhile): until when. */
  awaiting_until?: string | null;
  /** What the application waits for a person for now (applicationWaiting), or null. */
  waiting_for?: PersonTaskKind | null;
  /** Ours: while QUEUED for the user's daily cap (applicationPaced), when it claims again. */
  next_attempt_at?: string | null;
  /** Set when another list entry (or another workflow) is the same job: its application id. */
  same_job_as?: string | null;
  /** The address the application gives for the candidate: the campaign's overrideEmail, else the profile's email. */
  candidate_email?: string | null;
  created_at: string;
  updated_at: string;
}

/** What continue-as-new carries; also most of the `campaign` query. */
export interface CampaignState {
  status: CampaignStatus;
  /** Why the campaign failed (status `failed`). */
  error?: string | null;
  createdAt: string;
  stats: CampaignStats;
  runs: CampaignRun[];
  applications: CampaignApplication[];
  /** Runs started so far (numbers sessionRunIds across continue-as-new). */
  runSeq: number;
  /** Continue-as-new count, for operators (history stays bounded). */
  generations: number;
  /** When the schedule next counts from (a tick is never replayed). */
  scheduleFrom: string | null;
  /** The policy now (input, then setPolicy); absent in campaigns started before policies. */
  policy?: CampaignPolicy;
  personDeadlineHours?: number;
  /** Webhook events sent so far (numbers their delivery ids across continue-as-new). */
  eventSeq?: number;
  /** Active webhooks, as last told (the webhooks signal); events are sent only while there are some. */
  webhooks?: number;
}

/** The `campaign` query: reference 002's session. */
export interface CampaignView {
  sessionId: string;
  workflowId: string;
  type: CampaignType;
  candidateProfileId: string;
  /** The owning API user, or null for a campaign started outside the API. */
  userId: string | null;
  status: CampaignStatus;
  /** Why the campaign failed (status `failed`), else null. */
  error: string | null;
  stats: CampaignStats;
  searchContext: SearchContext;
  searchId: string | null;
  schedule: CampaignSchedule | null;
  filters: CampaignFilters | null;
  limits: Required<CampaignLimits>;
  createdAt: string;
  generations: number;
  /** The policy applications start with now, and their wait for a person (absent: started before policies, skip). */
  policy?: CampaignPolicy;
  personDeadlineHours?: number;
}

/** One small summary per job found by a search (never a job page in history). */
export interface CandidateJob {
  jobId: string;
  title: string;
  companyName: string;
  link: string;
}

/**
 * The memo every campaign starts with (carried across continue-as-new): what a list shows without
 * querying the workflow. candidateEmail is what the creator knew (overrideEmail, or the profile's email).
 */
export interface CampaignMemo {
  userId: string | null;
  createdAt: string;
  searchContext: SearchContext;
  candidateEmail: string | null;
}
export const CAMPAIGN_MEMO_KEY = 'campaign';

/** The longest a campaign's application waits for a person (the application's own limit: 7 days). */
export const MAX_PERSON_DEADLINE_HOURS = 168;

export function personDeadlineHoursProblem(v: unknown): string | null {
  if (v === undefined) return null;
  // Fractions are allowed (a minute is 1/60) so tests and demos can use short deadlines; whole minutes are used.
  return typeof v === 'number' && Number.isFinite(v) && v * 60 >= 1 && v <= MAX_PERSON_DEADLINE_HOURS
    ? null
    : `expected hours from 1/60 (a minute) to ${MAX_PERSON_DEADLINE_HOURS}`;
}

export function policyProblem(v: unknown): string | null {
  return v === undefined || CAMPAIGN_POLICIES.includes(v as CampaignPolicy) ? null : `expected one of ${CAMPAIGN_POLICIES.join(', ')}`;
}

/** The API's user ids (config APPLYFLOW_API_KEYS): safe to quote in a visibility query. */
export const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CAMPAIGN_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function campaignWorkflowId(campaignId: string): string {
  return `${CAMPAIGN_WORKFLOW_PREFIX}${campaignId}`;
}

export function campaignIdProblem(id: unknown): string | null {
  return typeof id === 'string' && CAMPAIGN_ID.test(id) ? null : 'expected 1-64 characters of [A-Za-z0-9_.-]';
}

export function limitsOf(input: Pick<CampaignInput, 'limits'>): Required<CampaignLimits> {
  return {
    maxJobsPerRun: input.limits?.maxJobsPerRun ?? DEFAULT_MAX_JOBS_PER_RUN,
    concurrency: input.limits?.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

/** Titles and locations the campaign is about: its filters, or the given jobs' titles. */
export function searchContextOf(input: Pick<CampaignInput, 'filters' | 'jobs' | 'searchContext'>): SearchContext {
  const unique = (xs: string[]) => [...new Set(xs)];
  if (input.searchContext) return { titles: [...input.searchContext.titles], locations: [...input.searchContext.locations] };
  if (input.filters)
    return { titles: input.filters.jobTitle ? [input.filters.jobTitle] : [], locations: unique(input.filters.location ?? []) };
  return { titles: unique((input.jobs ?? []).map((j) => j.title)).slice(0, 20), locations: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const text = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

function stringList(problems: InputProblem[], field: string, v: unknown, allowed?: readonly string[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0 || v.length > 50) {
    problems.push({ field, message: `expected a non-empty array of at most 50 ${allowed ? `of ${allowed.join(', ')}` : 'strings'}` });
    return;
  }
  v.forEach((x, i) => {
    if (!text(x, 200)) problems.push({ field: `${field}[${i}]`, message: 'expected a non-empty string of at most 200 characters' });
    else if (allowed && !allowed.includes(x as string))
      problems.push({ field: `${field}[${i}]`, message: `expected one of ${allowed.join(', ')}` });
  });
}

function checkJobs(problems: InputProblem[], jobs: unknown): void {
  if (!Array.isArray(jobs) || jobs.length === 0 || jobs.length > MAX_JOBS) {
    problems.push({ field: 'jobs', message: `required for run_once: an array of 1..${MAX_JOBS} jobs` });
    return;
  }
  jobs.forEach((job, i) => {
    const at = `jobs[${i}]`;
    if (!isObject(job)) return problems.push({ field: at, message: 'expected { companyName, title, jobId, link }' });
    const { companyName, title, jobId, link, ...rest } = job;
    if (!text(companyName, 200)) problems.push({ field: `${at}.companyName`, message: 'required: 1-200 characters' });
    if (!text(title, 300)) problems.push({ field: `${at}.title`, message: 'required: 1-300 characters' });
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId))
      problems.push({ field: `${at}.jobId`, message: 'required: 1-100 characters of [A-Za-z0-9_.:-]' });
    const urlProblem = jobUrlProblem(link);
    if (urlProblem) problems.push({ field: `${at}.link`, message: urlProblem });
    for (const key of Object.keys(rest)) problems.push({ field: `${at}.${key}`, message: 'unknown field' });
  });
}

function checkSchedule(problems: InputProblem[], schedule: unknown): void {
  if (!isObject(schedule)) {
    problems.push({
      field: 'schedule',
      message: 'required for autopilot_recurring: { pattern, daysOfWeek?, dayOfMonth?, time, timezone }',
    });
    return;
  }
  const { pattern, daysOfWeek, dayOfMonth, time, timezone, ...rest } = schedule;
  if (pattern !== 'daily' && pattern !== 'weekly' && pattern !== 'monthly') {
    problems.push({ field: 'schedule.pattern', message: 'expected daily, weekly or monthly' });
  }
  if (pattern === 'weekly') {
    if (daysOfWeek === undefined)
      problems.push({ field: 'schedule.daysOfWeek', message: `required for weekly: some of ${DAYS_OF_WEEK.join(', ')}` });
    else stringList(problems, 'schedule.daysOfWeek', daysOfWeek, DAYS_OF_WEEK);
  } else if (daysOfWeek !== undefined) {
    problems.push({ field: 'schedule.daysOfWeek', message: 'only for the weekly pattern' });
  }
  if (pattern === 'monthly') {
    if (!isInt(dayOfMonth, 1, 31))
      problems.push({ field: 'schedule.dayOfMonth', message: 'required for monthly: 1..31 (short months run on their last day)' });
  } else if (dayOfMonth !== undefined) {
    problems.push({ field: 'schedule.dayOfMonth', message: 'only for the monthly pattern' });
  }
  if (typeof time !== 'string' || !TIME_OF_DAY.test(time))
    problems.push({ field: 'schedule.time', message: 'required: HH:MM, 24-hour local time' });
  const tz = timezoneProblem(timezone);
  if (tz) problems.push({ field: 'schedule.timezone', message: tz });
  for (const key of Object.keys(rest)) problems.push({ field: `schedule.${key}`, message: 'unknown field' });
}

function checkFilters(problems: InputProblem[], filters: unknown): void {
  if (!isObject(filters)) {
    problems.push({ field: 'filters', message: 'required for autopilot: { jobTitle?, location?, workType?, ... }' });
    return;
  }
  const {
    jobTitle,
    location,
    workType,
    employmentType,
    experienceLevel,
    postedWithinDays,
    salaryMin,
    companyInclude,
    companyExclude,
    ...rest
  } = filters;
  if (jobTitle !== undefined && !text(jobTitle, 200)) problems.push({ field: 'filters.jobTitle', message: 'expected 1-200 characters' });
  stringList(problems, 'filters.location', location);
  stringList(problems, 'filters.workType', workType, Object.keys(WORK_TYPES));
  stringList(problems, 'filters.employmentType', employmentType, EMPLOYMENT_TYPES);
  stringList(problems, 'filters.experienceLevel', experienceLevel, EXPERIENCE_LEVELS);
  if (postedWithinDays !== undefined && !isInt(postedWithinDays, 1, 365))
    problems.push({ field: 'filters.postedWithinDays', message: 'expected 1..365' });
  if (salaryMin !== undefined && !(typeof salaryMin === 'number' && Number.isFinite(salaryMin) && salaryMin >= 0)) {
    problems.push({ field: 'filters.salaryMin', message: 'expected a yearly amount >= 0' });
  }
  stringList(problems, 'filters.companyInclude', companyInclude);
  stringList(problems, 'filters.companyExclude', companyExclude);
  for (const key of Object.keys(rest)) problems.push({ field: `filters.${key}`, message: 'unknown filter' });
}

/** Every problem with a campaign's input, each naming its field (empty when it is valid). */
export function validateCampaignInput(input: unknown): InputProblem[] {
  if (!isObject(input)) return [{ field: 'input', message: 'expected an object { campaignId, type, candidateProfileId, ... }' }];
  const {
    campaignId,
    type,
    candidateProfileId,
    jobs,
    filters,
    schedule,
    limits,
    overrideEmail,
    searchId,
    searchContext,
    answers,
    userId,
    policy,
    personDeadlineHours,
    carried,
    ...rest
  } = input;
  const problems: InputProblem[] = [];
  const idProblem = campaignIdProblem(campaignId);
  if (idProblem) problems.push({ field: 'campaignId', message: idProblem });
  if (!CAMPAIGN_TYPES.includes(type as CampaignType))
    problems.push({ field: 'type', message: `expected one of ${CAMPAIGN_TYPES.join(', ')}` });
  if (typeof candidateProfileId !== 'string' || !GUID.test(candidateProfileId)) {
    problems.push({ field: 'candidateProfileId', message: 'required: a profile UUID' });
  }
  if (type === 'run_once') checkJobs(problems, jobs);
  else if (jobs !== undefined) problems.push({ field: 'jobs', message: 'only for run_once (autopilot campaigns search with filters)' });
  if (type === 'autopilot_once' || type === 'autopilot_recurring') checkFilters(problems, filters);
  else if (filters !== undefined) problems.push({ field: 'filters', message: 'only for autopilot campaigns' });
  if (type === 'autopilot_recurring') checkSchedule(problems, schedule);
  else if (schedule !== undefined) problems.push({ field: 'schedule', message: 'only for autopilot_recurring' });
  if (limits !== undefined) {
    if (!isObject(limits)) problems.push({ field: 'limits', message: 'expected { maxJobsPerRun?, concurrency? }' });
    else {
      const { maxJobsPerRun, concurrency, ...extra } = limits;
      if (maxJobsPerRun !== undefined && !isInt(maxJobsPerRun, 1, MAX_JOBS_PER_RUN)) {
        problems.push({ field: 'limits.maxJobsPerRun', message: `expected an integer 1..${MAX_JOBS_PER_RUN}` });
      }
      if (concurrency !== undefined && !isInt(concurrency, 1, MAX_CONCURRENCY)) {
        problems.push({ field: 'limits.concurrency', message: `expected an integer 1..${MAX_CONCURRENCY}` });
      }
      for (const key of Object.keys(extra)) problems.push({ field: `limits.${key}`, message: 'unknown limit' });
    }
  }
  if (overrideEmail !== undefined && !(typeof overrideEmail === 'string' && overrideEmail.length <= 254 && EMAIL.test(overrideEmail))) {
    problems.push({ field: 'overrideEmail', message: 'expected an email address' });
  }
  if (searchId !== undefined && !text(searchId, 200)) problems.push({ field: 'searchId', message: 'expected 1-200 characters' });
  if (searchContext !== undefined) {
    const ok = (v: unknown) => Array.isArray(v) && v.length <= 50 && v.every((x) => text(x, 500));
    if (!isObject(searchContext) || !ok(searchContext.titles) || !ok(searchContext.locations)) {
      problems.push({ field: 'searchContext', message: 'expected { titles: string[], locations: string[] }' });
    }
  }
  if (answers !== undefined && !isObject(answers))
    problems.push({ field: 'answers', message: 'expected an object of { "<field name or label>": value }' });
  problems.push(...answersSizeProblems(answers, { inlineUploads: false }));
  if (userId !== undefined && !(typeof userId === 'string' && USER_ID.test(userId)))
    problems.push({ field: 'userId', message: 'expected 1-64 characters of [A-Za-z0-9_.-]' });
  const policyBad = policyProblem(policy);
  if (policyBad) problems.push({ field: 'policy', message: policyBad });
  const hoursBad = personDeadlineHoursProblem(personDeadlineHours);
  if (hoursBad) problems.push({ field: 'personDeadlineHours', message: hoursBad });
  if (carried !== undefined && !isObject(carried)) problems.push({ field: 'carried', message: 'set by continue-as-new only' });
  for (const key of Object.keys(rest)) problems.push({ field: key, message: 'unknown input field' });
  return problems;
}
