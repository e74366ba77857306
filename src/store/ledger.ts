/**
 * The applications ledger: one row per (profile, job key), beside the job store and on the same database.
 * The job key is the canonical apply URL's (src/shared/jobKey.ts), never a caller's label.
 *
 * A row is claimed by one workflow run before anything goes upstream (`claim`), and only its owner writes
 * it afterwards. Writes are idempotent upserts that follow the status order and never leave SUCCESS, so
 * activity retries, replays after a crash and late writes cannot corrupt it. UNCONFIRMED means a final
 * submit whose outcome is not known: it is never submitted again blindly, only reconciled with the
 * upstream's word on the session.
 */
import {
  APPLICATION_STATUSES,
  AWAITING_KINDS,
  FINAL_STATUSES,
  statusRank,
  type ApplicationStatus,
  type AwaitingKind,
} from '../shared/applicationStatus';
import { jobKeyOfUrl } from '../shared/jobKey';
import type { JobStore } from './types';
import { LIMIT_REACHED } from './users';

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
  /** The job key: the canonical apply URL's (src/shared/jobKey.ts). */
  jobId: string;
  jobUrl: string;
  /** The caller's own reference for the job (002's jobId, or the Jobo id for autopilot): shown, never a key. */
  jobRef: string | null;
  /** While a person is asked for answers: until when (the application is PROCESSING meanwhile). */
  awaitingUntil: string | null;
  /**
   * What the person is asked for (a question, a review before the final submit, or a captcha/login wall
   * only a person can pass); unset or null when nobody is asked. Rows with it are the inbox (personTasks).
   */
  awaitingKind?: AwaitingKind | null;
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
  awaitingKind: AwaitingKind | null;
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

/** A workflow run asking to own the row of its (profile, job key) before anything goes upstream. */
export interface ClaimRequest extends LedgerWrite {
  /** An explicit retry: the workflow id whose FAILED or CANCELLED row this run may take over. */
  retryOf?: string | null;
  /**
   * Reserve one application of the profile owner's limits (src/store/users.ts) in the claim's transaction;
   * a user past a limit gets `limit_reached`. Set by workflows that know that answer (patched).
   */
  enforceLimits?: boolean;
  /**
   * With enforceLimits: ask the user's daily caps too, and answer `paced` past one (the caller waits for the
   * next day window and claims again). Set by workflows that wait (patched, ours).
   */
  pacing?: boolean;
  /** The instant the limits count at (the workflow's clock, so a waiting workflow's next window is its own); default now. */
  at?: string;
}

/**
 * What the claim found. `claimed`: the caller owns the row (new, its own, or taken over). `succeeded`: the
 * job was applied to already (the row, untouched). `unconfirmed`: the caller owns a row whose last final
 * submit has no known outcome, and must reconcile it before anything else. `owned`: another workflow owns
 * the row; the caller attaches to it and reports its outcome.
 */
export type Claim =
  | { kind: 'claimed'; row: LedgerRow }
  | { kind: 'succeeded'; row: LedgerRow }
  | { kind: 'unconfirmed'; row: LedgerRow }
  | { kind: 'owned'; row: LedgerRow }
  /** The profile owner's total or monthly limit is used up: the row is FAILED (`limit_reached: …`), nothing goes upstream. */
  | { kind: 'limit_reached'; row: LedgerRow }
  /**
   * A daily cap of the profile owner is used up today (ours): nothing was reserved, the caller owns the row
   * (QUEUED) and claims again at `until`, the start of the next day in the user's timezone.
   */
  | { kind: 'paced'; row: LedgerRow; until: string };

export interface ApplicationsLedger {
  /**
   * One owner per (profile, job key), decided atomically, so racing starters (two campaigns, a CLI start
   * and a campaign, a start under a hand-made workflow id) see each other. A row is taken over only by a
   * later run of the same workflow (a reset) unless it is SUCCESS, or by an explicit retry of a FAILED or
   * CANCELLED row.
   */
  claim(request: ClaimRequest): Promise<Claim>;
  /**
   * Moves the owner's row forward; returns the row as stored afterwards. The write is ignored unless it
   * comes from the run that owns the row, and then when it would move the row backwards, off a final status
   * or off SUCCESS. (UNCONFIRMED may still become SUCCESS or FAILED.) A row that does not exist is inserted.
   */
  record(write: LedgerWrite): Promise<LedgerRow>;
  get(profileId: string, jobId: string): Promise<LedgerRow | null>;
  list(filter?: LedgerFilter): Promise<LedgerRow[]>;
  /**
   * Job keys with a row of any status: what autopilot leaves out (FAILED ones are retried explicitly),
   * except jobs a limit refused: nothing was tried, so a later run may pick them up.
   */
  jobKeys(profileId: string): Promise<string[]>;
  /**
   * The inbox: rows waiting for a person (awaiting_kind set) that are not SUCCESS, FAILED or CANCELLED
   * (NEEDS_PERSON ones included), of profiles the given users own, most recently updated first. `cursor` is
   * the `nextCursor` of the page before (opaque).
   */
  personTasks(owners: PersonTaskOwners, page: PersonTaskPage): Promise<{ rows: LedgerRow[]; nextCursor: string | null }>;
  /** Stores a file answer once, by its content's SHA-256 (storing it again is a no-op). */
  putFile(file: AnswerFile): Promise<void>;
  getFile(sha256: string): Promise<AnswerFile | null>;
}

/** Whose tasks: rows of profiles these API users own (profile_owners); no user ids, no rows. */
export interface PersonTaskOwners {
  userIds: string[];
}

export interface PersonTaskPage {
  campaignId?: string;
  cursor?: string | null;
  limit: number;
}

/** The keyset of the last row of a page (updated_at, profile_id, job_id), base64url JSON: opaque to callers. */
export function personTaskCursor(row: Pick<LedgerRow, 'updatedAt' | 'profileId' | 'jobId'>): string {
  return Buffer.from(JSON.stringify([row.updatedAt, row.profileId, row.jobId])).toString('base64url');
}

export class InvalidCursorError extends Error {
  readonly field = 'cursor';
  constructor() {
    super('cursor: not a cursor this list returned');
  }
}

export function parsePersonTaskCursor(cursor: string): [updatedAt: string, profileId: string, jobId: string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string') && !Number.isNaN(Date.parse(v[0]))) {
      return v as [string, string, string];
    }
  } catch {
    // fall through: the same error for every malformed cursor
  }
  throw new InvalidCursorError();
}

/** The statuses an inbox row may have: waiting ones and NEEDS_PERSON (final for automation, not for a person). */
export const PERSON_TASK_STATUSES: readonly ApplicationStatus[] = APPLICATION_STATUSES.filter(
  (s) => !['SUCCESS', 'FAILED', 'CANCELLED'].includes(s),
);

export const PERSON_TASKS_MAX_LIMIT = 200;

/** A caller's file answer as stored: what src/application/answerFiles.ts turns into a StoredFileAnswer. */
export interface AnswerFile {
  sha256: string;
  fileName: string;
  contentType: string;
  contentBase64: string;
}

/**
 * SQL for the status order (QUEUED 0 < PROCESSING 1 < UNCONFIRMED 2 < final 3: SUCCESS, FAILED, CANCELLED,
 * NEEDS_PERSON), shared by both backends.
 */
export function statusRankSql(column: string): string {
  return `(CASE ${column} WHEN 'QUEUED' THEN 0 WHEN 'PROCESSING' THEN 1 WHEN 'UNCONFIRMED' THEN 2 ELSE 3 END)`;
}

/**
 * The upsert's guard, in SQL both backends accept (`excluded` is the proposed row): only the owning run
 * writes, only forward, never off a final status.
 */
export function ledgerUpdateGuard(table: string): string {
  const rank = statusRankSql(`${table}.status`);
  return `${table}.workflow_id = excluded.workflow_id AND ${table}.run_id = excluded.run_id
    AND ${rank} < 3 AND ${rank} <= ${statusRankSql('excluded.status')}
    AND NOT (${table}.status = 'UNCONFIRMED' AND excluded.status = 'CANCELLED')`;
}

/** Statuses an explicit retry may start again: nothing was submitted. */
export const RETRYABLE_STATUSES: readonly ApplicationStatus[] = ['FAILED', 'CANCELLED', 'NEEDS_PERSON'];

/**
 * The claim's decision on the row as found (after an insert that did nothing if a row was there). Pure, so
 * both backends decide alike: `take` means the caller becomes the owner (the backend updates the owner
 * columns and, unless the row is UNCONFIRMED, restarts it as QUEUED).
 */
export function claimDecision(row: LedgerRow, req: ClaimRequest): { kind: Exclude<Claim['kind'], 'paced'>; take: boolean } {
  const mine = row.workflowId === req.workflowId;
  if (mine && row.runId === req.runId) {
    // This run's own refusal (an activity retry after the commit): still refused.
    if (isLimitRefusal(row)) return { kind: 'limit_reached', take: false };
    return { kind: row.status === 'SUCCESS' ? 'succeeded' : row.status === 'UNCONFIRMED' ? 'unconfirmed' : 'claimed', take: false };
  }
  if (row.status === 'SUCCESS') return { kind: 'succeeded', take: false };
  if (mine) return { kind: row.status === 'UNCONFIRMED' ? 'unconfirmed' : 'claimed', take: true };
  if (req.retryOf && req.retryOf === row.workflowId && RETRYABLE_STATUSES.includes(row.status)) return { kind: 'claimed', take: true };
  // Refused by a limit, nothing was submitted: any later start may try again (the limit is asked again).
  if (isLimitRefusal(row)) return { kind: 'claimed', take: true };
  return { kind: 'owned', take: false };
}

/** SQL (both backends): the row is not a limit's refusal. */
export const NOT_LIMIT_REFUSAL = `NOT (status = 'FAILED' AND COALESCE(error, '') LIKE '${LIMIT_REACHED}:%')`;

export const isLimitRefusal = (row: Pick<LedgerRow, 'status' | 'error'>) =>
  row.status === 'FAILED' && (row.error?.startsWith(`${LIMIT_REACHED}:`) ?? false);

/** Columns a take-over replaces (the owner's), with the status and error reset unless UNCONFIRMED. */
export function takeOverSql(table: string, param: (name: LedgerParam) => string, where: string): string {
  return `UPDATE ${table} SET workflow_id = ${param('workflow_id')}, run_id = ${param('run_id')},
    run_started_at = ${param('run_started_at')}, campaign_id = COALESCE(${param('campaign_id')}, campaign_id),
    job_ref = COALESCE(${param('job_ref')}, job_ref), updated_at = ${param('now')},
    status = CASE WHEN status = 'UNCONFIRMED' THEN status ELSE 'QUEUED' END,
    error = CASE WHEN status = 'UNCONFIRMED' THEN error ELSE NULL END,
    completed_at = NULL, awaiting_until = NULL, awaiting_kind = NULL
    WHERE ${where}`;
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
  job_ref: string | null;
  awaiting_until: string | Date | null;
  /** Absent in rows read from a table before the column (the legacy re-key). */
  awaiting_kind?: AwaitingKind | null;
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
    jobRef: r.job_ref,
    awaitingUntil: r.awaiting_until === null ? null : isoOf(r.awaiting_until),
    awaitingKind: r.awaiting_kind ?? null,
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
    job_ref: w.jobRef,
    awaiting_until: w.awaitingUntil,
    awaiting_kind: w.awaitingKind ?? null,
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
  'job_ref',
  'awaiting_until',
  'awaiting_kind',
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

/** Columns a permitted write replaces (created_at stays; the key and the owner never change by a write). */
export const LEDGER_UPDATED_COLUMNS = LEDGER_COLUMNS.filter(
  (c) => !['profile_id', 'job_id', 'workflow_id', 'run_id', 'run_started_at'].includes(c),
);

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
    job_ref          ${t.text},
    awaiting_until   ${t.time},
    awaiting_kind    ${t.text} CHECK (awaiting_kind IN (${AWAITING_KINDS.map((x) => `'${x}'`).join(', ')})),
    status           ${t.text} NOT NULL CHECK (${STATUS_CHECK_SQL}),
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
  CREATE TABLE IF NOT EXISTS answer_files (
    sha256         ${t.text} PRIMARY KEY,
    file_name      ${t.text} NOT NULL,
    content_type   ${t.text} NOT NULL,
    content_base64 ${t.text} NOT NULL,
    created_at     ${t.time} NOT NULL
  );
  CREATE INDEX IF NOT EXISTS applications_campaign ON applications (campaign_id) WHERE campaign_id IS NOT NULL;
${PERSON_TASKS_INDEX}`;
}

/**
 * The inbox's index: only rows waiting for a person (few), by profile, since personTasks reads a user's
 * profiles' rows (tenancy) and sorts those few.
 */
const PERSON_TASKS_INDEX = `
  CREATE INDEX IF NOT EXISTS applications_waiting ON applications (profile_id, updated_at DESC, job_id) WHERE awaiting_kind IS NOT NULL;`;

/** The status CHECK as this version writes it: a table whose CHECK lacks a status is migrated (NEEDS_PERSON). */
export const STATUS_CHECK_SQL = `status IN (${APPLICATION_STATUSES.map((x) => `'${x}'`).join(', ')})`;

/**
 * personTasks' statement, both backends (`?` placeholders; PostgreSQL numbers them): owner rows through
 * profile_owners, newest first, keyset after the cursor, one row more than the page to know if one follows.
 */
export function personTasksSql(owners: PersonTaskOwners, page: PersonTaskPage): { sql: string; params: unknown[] } {
  const params: unknown[] = [...owners.userIds];
  let sql = `SELECT * FROM applications WHERE awaiting_kind IS NOT NULL
    AND status IN (${PERSON_TASK_STATUSES.map((s) => `'${s}'`).join(', ')})
    AND profile_id IN (SELECT profile_id FROM profile_owners WHERE user_id IN (${owners.userIds.map(() => '?').join(', ') || 'NULL'}))`;
  if (page.campaignId !== undefined) {
    sql += ` AND campaign_id = ?`;
    params.push(page.campaignId);
  }
  if (page.cursor) {
    const [updatedAt, profileId, jobId] = parsePersonTaskCursor(page.cursor);
    sql += ` AND (updated_at < ? OR (updated_at = ? AND (profile_id > ? OR (profile_id = ? AND job_id > ?))))`;
    params.push(updatedAt, updatedAt, profileId, profileId, jobId);
  }
  sql += ` ORDER BY updated_at DESC, profile_id, job_id LIMIT ?`;
  params.push(Math.min(Math.max(1, page.limit), PERSON_TASKS_MAX_LIMIT) + 1);
  return { sql, params };
}

/** A page of personTasks from the rows the statement returned (one more than the page when another follows). */
export function personTasksPage(rows: LedgerRow[], page: PersonTaskPage): { rows: LedgerRow[]; nextCursor: string | null } {
  const limit = Math.min(Math.max(1, page.limit), PERSON_TASKS_MAX_LIMIT);
  const shown = rows.slice(0, limit);
  return { rows: shown, nextCursor: rows.length > limit ? personTaskCursor(shown[shown.length - 1]) : null };
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

/** The rows of a ledger written before job keys (keyed by the caller's jobId), keyed again by their URL. */
export function rekeyLegacyRows(rows: (Omit<RawLedgerRow, 'job_ref' | 'awaiting_until'> & Partial<RawLedgerRow>)[]): RawLedgerRow[] {
  const best = new Map<string, RawLedgerRow>();
  for (const r of rows) {
    const key = jobKeyOfUrl(r.job_url);
    const row: RawLedgerRow = {
      ...r,
      job_id: key,
      job_ref: r.job_ref ?? (r.job_id.startsWith('u-') ? null : r.job_id),
      awaiting_until: null,
      awaiting_kind: null,
    };
    const held = best.get(`${r.profile_id}/${key}`);
    // Two old rows for one job (the double application this key prevents): SUCCESS wins, then the furthest along.
    const score = (x: RawLedgerRow) => (x.status === 'SUCCESS' ? 10 : statusRank(x.status));
    if (!held || score(row) > score(held)) best.set(`${r.profile_id}/${key}`, row);
  }
  return [...best.values()];
}
