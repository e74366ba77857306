/** The applications ledger on the PostgreSQL job store's pool. */
import type { Pool, PoolClient } from 'pg';
import {
  LEDGER_COLUMNS,
  LEDGER_LIST_DEFAULT_LIMIT,
  NOT_LIMIT_REFUSAL,
  STATUS_CHECK_SQL,
  claimDecision,
  ledgerParams,
  ledgerSchemaSql,
  ledgerUpsertSql,
  personTasksPage,
  personTasksSql,
  rekeyLegacyRows,
  takeOverSql,
  toLedgerRow,
  type AnswerFile,
  type ApplicationsLedger,
  type Claim,
  type ClaimRequest,
  type LedgerFilter,
  type LedgerParam,
  type LedgerRow,
  type LedgerWrite,
  type PersonTaskOwners,
  type PersonTaskPage,
  type RawLedgerRow,
} from './ledger';
import { AWAITING_KINDS } from '../shared/applicationStatus';
import { PROFILE_OWNERS_SCHEMA } from './profileOwners';
import {
  RESERVATION_SQL,
  reservationDecision,
  reservationParams,
  toUser,
  type Reservation,
  type ReservationCounts,
  type UserRow,
} from './users';
import { inTransaction } from './pgTransaction';
import { createUsersSchema, numbered } from './usersPostgres';

const OWNERS_SCHEMA_LOCK = 0x6f776e72; // the profile owners' own lock (profileOwnersPostgres.ts)

// Idempotent DDL (IF NOT EXISTS): safe for several workers opening the ledger at once, with the lock below.
const SCHEMA = ledgerSchemaSql({ text: 'text', json: 'jsonb', time: 'timestamptz' });
const SCHEMA_LOCK = 0x6c656467; // concurrent CREATE ... IF NOT EXISTS can still race on the catalog

const PARAM_ORDER = [...LEDGER_COLUMNS, 'now', 'completed_at'] as const satisfies readonly LedgerParam[];
const CASTS: Partial<Record<LedgerParam, string>> = {
  attempts: 'jsonb',
  run_started_at: 'timestamptz',
  awaiting_until: 'timestamptz',
  now: 'timestamptz',
  completed_at: 'timestamptz',
};
const param = (name: LedgerParam) => `$${PARAM_ORDER.indexOf(name) + 1}::${CASTS[name] ?? 'text'}`;
const UPSERT_SQL = ledgerUpsertSql(param);
const INSERT_NEW_SQL = UPSERT_SQL.replace(/ON CONFLICT[\s\S]*$/, 'ON CONFLICT (profile_id, job_id) DO NOTHING');
// PostgreSQL wants every numbered parameter used, so the take-over numbers its own.
const TAKE_OVER_ORDER = [
  'workflow_id',
  'run_id',
  'run_started_at',
  'campaign_id',
  'job_ref',
  'now',
  'profile_id',
  'job_id',
] as const satisfies readonly LedgerParam[];
const takeOverParam = (name: LedgerParam) => `$${(TAKE_OVER_ORDER as readonly LedgerParam[]).indexOf(name) + 1}::${CASTS[name] ?? 'text'}`;
const TAKE_OVER_SQL = takeOverSql(
  'applications',
  takeOverParam,
  `profile_id = ${takeOverParam('profile_id')} AND job_id = ${takeOverParam('job_id')}`,
);
/** Columns that hold times or JSON: the copy of a legacy row keeps their types. */
const LEGACY_COPY_COLUMNS = [...LEDGER_COLUMNS, 'created_at', 'updated_at', 'completed_at'];

/** A ledger from before job keys (no job_ref column): rows keyed again by URL, the old table kept aside. */
async function migrateLegacy(c: PoolClient): Promise<void> {
  const { rows: cols } = await c.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'applications'`,
  );
  if (cols.length === 0 || cols.some((r) => r.column_name === 'job_ref')) return;
  await c.query(`ALTER TABLE applications RENAME TO applications_before_job_keys`);
  await c.query(`ALTER INDEX IF EXISTS applications_job_url RENAME TO applications_before_job_keys_job_url`);
  await c.query(`ALTER INDEX IF EXISTS applications_campaign RENAME TO applications_before_job_keys_campaign`);
  await c.query(`ALTER TABLE applications_before_job_keys RENAME CONSTRAINT applications_pkey TO applications_before_job_keys_pkey`);
  await c.query(SCHEMA);
  const { rows } = await c.query<RawLedgerRow>(`SELECT * FROM applications_before_job_keys`);
  for (const r of rekeyLegacyRows(rows)) {
    const values = LEGACY_COPY_COLUMNS.map((k) => {
      const v = r[k as keyof RawLedgerRow];
      return k === 'attempts' ? JSON.stringify(v) : v;
    });
    await c.query(
      `INSERT INTO applications (${LEGACY_COPY_COLUMNS.join(', ')}) VALUES (${LEGACY_COPY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
  }
}

/** A ledger from before NEEDS_PERSON and awaiting_kind: the column added, the status CHECK replaced. */
async function migrateNeedsPerson(c: PoolClient): Promise<void> {
  const { rows: exists } = await c.query<{ t: string | null }>(`SELECT to_regclass('applications')::text AS t`);
  if (!exists[0]?.t) return;
  await c.query(
    `ALTER TABLE applications ADD COLUMN IF NOT EXISTS awaiting_kind text CHECK (awaiting_kind IN (${AWAITING_KINDS.map((k) => `'${k}'`).join(', ')}))`,
  );
  const { rows: checks } = await c.query<{ conname: string; def: string }>(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'applications'::regclass AND contype = 'c'`,
  );
  const old = checks.filter((k) => /\bstatus\b/.test(k.def) && !k.def.includes('NEEDS_PERSON'));
  for (const k of old) await c.query(`ALTER TABLE applications DROP CONSTRAINT "${k.conname.replace(/"/g, '""')}"`);
  if (old.length) await c.query(`ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (${STATUS_CHECK_SQL})`);
}

/**
 * One unit of the profile owner's limits for this job, or the refusal (null also for a profile without a
 * limited user). The user's row lock makes concurrent claims of one user count one after another.
 */
async function reserve(c: PoolClient, req: ClaimRequest): Promise<Reservation> {
  const at = req.at ? new Date(req.at) : new Date();
  const owner = (await c.query<{ user_id: string }>(numbered(RESERVATION_SQL.owner), [req.profileId])).rows[0];
  if (!owner) return { kind: 'reserved' };
  const raw = (await c.query<UserRow>(`SELECT * FROM api_users WHERE id = $1 FOR UPDATE`, [owner.user_id])).rows[0];
  if (!raw) return { kind: 'reserved' };
  if ((await c.query(numbered(RESERVATION_SQL.held), [req.profileId, req.jobId])).rows.length) return { kind: 'reserved' };
  const user = toUser(raw);
  const p = reservationParams(user, req, at);
  const counts = (await c.query<ReservationCounts>(numbered(RESERVATION_SQL.counts), p.counts)).rows[0];
  const answer = reservationDecision(user, counts, at, req.pacing === true, p.provider);
  if (answer.kind === 'reserved') await c.query(numbered(RESERVATION_SQL.insert), p.insert);
  return answer;
}

export class PostgresLedger implements ApplicationsLedger {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresLedger> {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await migrateLegacy(c);
      await migrateNeedsPerson(c);
      await c.query(SCHEMA);
      // The claim reserves against users' limits; their tables may not have been opened yet (locks in this order only).
      await c.query('SELECT pg_advisory_xact_lock($1)', [OWNERS_SCHEMA_LOCK]);
      await c.query(PROFILE_OWNERS_SCHEMA('timestamptz'));
      await createUsersSchema(c);
    });
    return new PostgresLedger(pool);
  }

  async claim(req: ClaimRequest): Promise<Claim> {
    const params = ledgerParams({ ...req, status: 'QUEUED' }, new Date().toISOString());
    const values = PARAM_ORDER.map((k) => params[k]);
    return inTransaction(this.pool, async (c) => {
      const inserted = await c.query(INSERT_NEW_SQL, values);
      // The row lock holds every other claim of this (profile, job) until this decision is committed.
      const { rows } = await c.query<RawLedgerRow>(`SELECT * FROM applications WHERE profile_id = $1 AND job_id = $2 FOR UPDATE`, [
        req.profileId,
        req.jobId,
      ]);
      let row = toLedgerRow(rows[0]);
      let kind: Exclude<Claim['kind'], 'paced'> = 'claimed';
      const fresh = inserted.rowCount === 1;
      const decision = fresh ? { kind: 'claimed' as const, take: true } : claimDecision(row, req);
      // Nobody sees the fresh row before the commit, so a refused one is made FAILED before anyone does. A paced
      // run claims its own row again after the wait: it reserves then (reserving twice is a no-op).
      const answer = decision.kind === 'claimed' && (decision.take || req.pacing) && req.enforceLimits ? await reserve(c, req) : null;
      if (answer?.kind === 'refused') {
        kind = 'limit_reached';
        // Fresh, or its own row waiting for a window that came too late for the month: refused now.
        if (fresh || !decision.take) {
          const { rows: refused } = await c.query<RawLedgerRow>(
            `UPDATE applications SET status = 'FAILED', error = $3, completed_at = now(), updated_at = now()
           WHERE profile_id = $1 AND job_id = $2 RETURNING *`,
            [req.profileId, req.jobId, answer.error],
          );
          row = toLedgerRow(refused[0]);
        }
      } else if (!fresh) {
        kind = decision.kind;
        if (decision.take) {
          await c.query(
            TAKE_OVER_SQL,
            TAKE_OVER_ORDER.map((k) => params[k]),
          );
          const again = await c.query<RawLedgerRow>(`SELECT * FROM applications WHERE profile_id = $1 AND job_id = $2`, [
            req.profileId,
            req.jobId,
          ]);
          row = toLedgerRow(again.rows[0]);
        }
      }
      // Paced: the row is this run's meanwhile (QUEUED, taken over above if need be), so other starters attach.
      if (answer?.kind === 'paced') return { kind: 'paced', row, until: answer.until };
      return { kind, row };
    });
  }

  async record(write: LedgerWrite): Promise<LedgerRow> {
    const params = ledgerParams(write, new Date().toISOString());
    await this.pool.query(
      UPSERT_SQL,
      PARAM_ORDER.map((k) => params[k]),
    );
    return (await this.get(write.profileId, write.jobId))!;
  }

  async get(profileId: string, jobId: string): Promise<LedgerRow | null> {
    const { rows } = await this.pool.query<RawLedgerRow>(`SELECT * FROM applications WHERE profile_id = $1 AND job_id = $2`, [
      profileId,
      jobId,
    ]);
    return rows[0] ? toLedgerRow(rows[0]) : null;
  }

  async list(f: LedgerFilter = {}): Promise<LedgerRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown) => (params.push(value), where.push(sql(params.length)));
    if (f.profileId !== undefined) add((n) => `profile_id = $${n}`, f.profileId);
    if (f.campaignId !== undefined) add((n) => `campaign_id = $${n}`, f.campaignId);
    if (f.status?.length) add((n) => `status = ANY($${n}::text[])`, f.status);
    params.push(f.limit ?? LEDGER_LIST_DEFAULT_LIMIT);
    const sql = `SELECT * FROM applications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, profile_id, job_id LIMIT $${params.length}`;
    const { rows } = await this.pool.query<RawLedgerRow>(sql, params);
    return rows.map(toLedgerRow);
  }

  async personTasks(owners: PersonTaskOwners, page: PersonTaskPage): Promise<{ rows: LedgerRow[]; nextCursor: string | null }> {
    const { sql, params } = personTasksSql(owners, page);
    const { rows } = await this.pool.query<RawLedgerRow>(numbered(sql), params);
    return personTasksPage(rows.map(toLedgerRow), page);
  }

  async putFile(f: AnswerFile): Promise<void> {
    await this.pool.query(
      `INSERT INTO answer_files (sha256, file_name, content_type, content_base64, created_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (sha256) DO NOTHING`,
      [f.sha256, f.fileName, f.contentType, f.contentBase64],
    );
  }

  async getFile(sha256: string): Promise<AnswerFile | null> {
    const { rows } = await this.pool.query<{ sha256: string; file_name: string; content_type: string; content_base64: string }>(
      `SELECT * FROM answer_files WHERE sha256 = $1`,
      [sha256],
    );
    const r = rows[0];
    return r ? { sha256: r.sha256, fileName: r.file_name, contentType: r.content_type, contentBase64: r.content_base64 } : null;
  }

  async jobKeys(profileId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ job_id: string }>(
      `SELECT job_id FROM applications WHERE profile_id = $1 AND ${NOT_LIMIT_REFUSAL} ORDER BY job_id`,
      [profileId],
    );
    return rows.map((r) => r.job_id);
  }
}
