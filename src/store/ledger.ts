/**
 * The applications ledger: one row per (profile, job), beside the job store and on the same database.
 * The `application` workflow writes it at every status change; campaigns read it to skip jobs already
 * applied to. Writes are idempotent upserts that follow the status order and never leave SUCCESS, so
 * activity retries, replays after a crash and late writes cannot corrupt it.
 */
import type { JobStore } from './types';

export const APPLICATION_STATUSES = ['QUEUED', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** One try at the upstream form (a new upstream session), as reference 002 lists them. */
export interface ApplicationAttempt {
  attempt: number;
  status: 'processing' | 'success' | 'failed' | 'cancelled';
  timestamp: string;
  finished_at?: string;
  session_id?: string;
  error?: string;
}

export interface LedgerWrite {
  profileId: string;
  /** The job id, or the URL hash key when the caller had no id (see src/applications/input.ts). */
  jobId: string;
  jobUrl: string;
  status: ApplicationStatus;
  attempts: ApplicationAttempt[];
  error: string | null;
  confirmationUrl: string | null;
  campaignId: string | null;
  provider: string | null;
  workflowId: string;
  /** The workflow run writing, and when it started: a later run may restart a row that is not SUCCESS. */
  runId: string;
  runStartedAt: string;
}

export interface LedgerRow extends LedgerWrite {
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface LedgerFilter {
  profileId?: string;
  campaignId?: string;
  status?: ApplicationStatus[];
  limit?: number;
}

export interface ApplicationsLedger {
  /**
   * Inserts the row or moves it forward; returns the row as stored afterwards. The write is ignored when
   * the row is SUCCESS, or when it comes from the run that wrote the row and would move it backwards or
   * off a final status. A run started later (a new start after the first one closed or was terminated) may
   * restart a row that is not SUCCESS; an older run's late write is ignored.
   */
  record(write: LedgerWrite): Promise<LedgerRow>;
  get(profileId: string, jobId: string): Promise<LedgerRow | null>;
  /** The SUCCESS row for this profile and job, matched by job id or by job URL (ids and URLs may be mixed). */
  findSuccess(profileId: string, jobId: string, jobUrl: string): Promise<LedgerRow | null>;
  list(filter?: LedgerFilter): Promise<LedgerRow[]>;
  /** Job ids applied to or being applied to (QUEUED, PROCESSING, SUCCESS): what campaigns exclude. */
  appliedJobIds(profileId: string): Promise<string[]>;
}

export const FINAL_STATUSES: readonly ApplicationStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];

/** SQL for the status order (QUEUED 0 < PROCESSING 1 < final 2), shared by both backends. */
export function statusRankSql(column: string): string {
  return `(CASE ${column} WHEN 'QUEUED' THEN 0 WHEN 'PROCESSING' THEN 1 ELSE 2 END)`;
}

export function statusRank(status: ApplicationStatus): number {
  return status === 'QUEUED' ? 0 : status === 'PROCESSING' ? 1 : 2;
}

/**
 * The upsert's guard, in SQL both backends accept (`excluded` is the proposed row): never off SUCCESS; a
 * later run takes over; the same run only moves forward and stops at a final status.
 */
export function ledgerUpdateGuard(table: string): string {
  const rank = statusRankSql(`${table}.status`);
  return `${table}.status <> 'SUCCESS' AND (
    (${table}.run_id <> excluded.run_id AND excluded.run_started_at > ${table}.run_started_at)
    OR (${table}.run_id = excluded.run_id AND ${rank} < 2 AND ${rank} <= ${statusRankSql('excluded.status')})
  )`;
}

export const LEDGER_LIST_DEFAULT_LIMIT = 1000;

/** The ledger on the job store's own database connection (the same SQLite handle or PostgreSQL pool). */
export async function ledgerFor(store: JobStore): Promise<ApplicationsLedger> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { PostgresLedger }] = await Promise.all([import('./postgres'), import('./ledgerPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return PostgresLedger.open(store.pool);
  }
  const [{ SqliteJobStore }, { SqliteLedger }] = await Promise.all([import('./sqlite'), import('./ledgerSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  return new SqliteLedger(store.db);
}

/** A database row (either backend) → LedgerRow. PostgreSQL returns Dates and parsed jsonb; SQLite text. */
export interface RawLedgerRow {
  profile_id: string;
  job_id: string;
  job_url: string;
  status: ApplicationStatus;
  attempts: string | ApplicationAttempt[];
  error: string | null;
  confirmation_url: string | null;
  campaign_id: string | null;
  provider: string | null;
  workflow_id: string;
  run_id: string;
  run_started_at: string | Date;
  created_at: string | Date;
  updated_at: string | Date;
  completed_at: string | Date | null;
}

const isoOf = (v: string | Date): string => (v instanceof Date ? v.toISOString() : v);

export function toLedgerRow(r: RawLedgerRow): LedgerRow {
  return {
    profileId: r.profile_id,
    jobId: r.job_id,
    jobUrl: r.job_url,
    status: r.status,
    attempts: typeof r.attempts === 'string' ? (JSON.parse(r.attempts) as ApplicationAttempt[]) : r.attempts,
    error: r.error,
    confirmationUrl: r.confirmation_url,
    campaignId: r.campaign_id,
    provider: r.provider,
    workflowId: r.workflow_id,
    runId: r.run_id,
    runStartedAt: isoOf(r.run_started_at),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    completedAt: r.completed_at === null ? null : isoOf(r.completed_at),
  };
}

/** The write as named parameters, in the column order both backends insert. */
export function ledgerParams(w: LedgerWrite, now: string) {
  return {
    profile_id: w.profileId,
    job_id: w.jobId,
    job_url: w.jobUrl,
    status: w.status,
    attempts: JSON.stringify(w.attempts),
    error: w.error,
    confirmation_url: w.confirmationUrl,
    campaign_id: w.campaignId,
    provider: w.provider,
    workflow_id: w.workflowId,
    run_id: w.runId,
    run_started_at: w.runStartedAt,
    now,
    completed_at: FINAL_STATUSES.includes(w.status) ? now : null,
  };
}

export const LEDGER_COLUMNS = [
  'profile_id',
  'job_id',
  'job_url',
  'status',
  'attempts',
  'error',
  'confirmation_url',
  'campaign_id',
  'provider',
  'workflow_id',
  'run_id',
  'run_started_at',
] as const;

/** Columns a permitted write replaces (created_at stays; the key never changes). */
export const LEDGER_UPDATED_COLUMNS = LEDGER_COLUMNS.filter((c) => c !== 'profile_id' && c !== 'job_id');

/** Column types that differ by backend: SQLite keeps text, PostgreSQL jsonb and timestamptz. */
export interface LedgerSqlTypes {
  text: string;
  json: string;
  time: string;
}

/** The table and its indexes, idempotent (IF NOT EXISTS), in the backend's column types. */
export function ledgerSchemaSql(t: LedgerSqlTypes): string {
  return `
  CREATE TABLE IF NOT EXISTS applications (
    profile_id       ${t.text} NOT NULL,
    job_id           ${t.text} NOT NULL,
    job_url          ${t.text} NOT NULL,
    status           ${t.text} NOT NULL CHECK (status IN ('QUEUED', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED')),
    attempts         ${t.json} NOT NULL,          -- JSON array of ApplicationAttempt
    error            ${t.text},
    confirmation_url ${t.text},
    campaign_id      ${t.text},
    provider         ${t.text},
    workflow_id      ${t.text} NOT NULL,
    run_id           ${t.text} NOT NULL,
    run_started_at   ${t.time} NOT NULL,
    created_at       ${t.time} NOT NULL,
    updated_at       ${t.time} NOT NULL,
    completed_at     ${t.time},
    PRIMARY KEY (profile_id, job_id)
  );
  CREATE INDEX IF NOT EXISTS applications_job_url ON applications (profile_id, job_url);
  CREATE INDEX IF NOT EXISTS applications_campaign ON applications (campaign_id) WHERE campaign_id IS NOT NULL;
`;
}

export type LedgerParam = (typeof LEDGER_COLUMNS)[number] | 'now' | 'completed_at';

/** The insert-or-guarded-update, one atomic statement; `param` spells a parameter in the backend's syntax. */
export function ledgerUpsertSql(param: (name: LedgerParam) => string): string {
  return `
  INSERT INTO applications (${LEDGER_COLUMNS.join(', ')}, created_at, updated_at, completed_at)
  VALUES (${LEDGER_COLUMNS.map(param).join(', ')}, ${param('now')}, ${param('now')}, ${param('completed_at')})
  ON CONFLICT (profile_id, job_id) DO UPDATE SET
    ${LEDGER_UPDATED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')},
    updated_at = excluded.updated_at, completed_at = excluded.completed_at
  WHERE ${ledgerUpdateGuard('applications')}`;
}
