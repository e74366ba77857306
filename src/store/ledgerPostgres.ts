/** The applications ledger on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import {
  LEDGER_COLUMNS,
  LEDGER_LIST_DEFAULT_LIMIT,
  ledgerParams,
  ledgerSchemaSql,
  ledgerUpsertSql,
  toLedgerRow,
  type ApplicationsLedger,
  type LedgerFilter,
  type LedgerParam,
  type LedgerRow,
  type LedgerWrite,
  type RawLedgerRow,
} from './ledger';

// Idempotent DDL (IF NOT EXISTS): safe for several workers opening the ledger at once, with the lock below.
const SCHEMA = ledgerSchemaSql({ text: 'text', json: 'jsonb', time: 'timestamptz' });
const SCHEMA_LOCK = 0x6c656467; // concurrent CREATE ... IF NOT EXISTS can still race on the catalog

const PARAM_ORDER = [...LEDGER_COLUMNS, 'now', 'completed_at'] as const satisfies readonly LedgerParam[];
const CASTS: Partial<Record<LedgerParam, string>> = { attempts: 'jsonb', run_started_at: 'timestamptz', now: 'timestamptz', completed_at: 'timestamptz' };
const UPSERT_SQL = ledgerUpsertSql((name) => `$${PARAM_ORDER.indexOf(name) + 1}::${CASTS[name] ?? 'text'}`);

export class PostgresLedger implements ApplicationsLedger {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresLedger> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query(SCHEMA);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
    return new PostgresLedger(pool);
  }

  async record(write: LedgerWrite): Promise<LedgerRow> {
    const params = ledgerParams(write, new Date().toISOString());
    await this.pool.query(UPSERT_SQL, PARAM_ORDER.map((k) => params[k]));
    return (await this.get(write.profileId, write.jobId))!;
  }

  async get(profileId: string, jobId: string): Promise<LedgerRow | null> {
    const { rows } = await this.pool.query<RawLedgerRow>(`SELECT * FROM applications WHERE profile_id = $1 AND job_id = $2`, [
      profileId,
      jobId,
    ]);
    return rows[0] ? toLedgerRow(rows[0]) : null;
  }

  async findSuccess(profileId: string, jobId: string, jobUrl: string): Promise<LedgerRow | null> {
    const { rows } = await this.pool.query<RawLedgerRow>(
      `SELECT * FROM applications WHERE profile_id = $1 AND (job_id = $2 OR job_url = $3) AND status = 'SUCCESS' LIMIT 1`,
      [profileId, jobId, jobUrl],
    );
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

  async appliedJobIds(profileId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ job_id: string }>(
      `SELECT job_id FROM applications WHERE profile_id = $1 AND status IN ('QUEUED', 'PROCESSING', 'SUCCESS') ORDER BY job_id`,
      [profileId],
    );
    return rows.map((r) => r.job_id);
  }
}
