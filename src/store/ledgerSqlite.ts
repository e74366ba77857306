/** The applications ledger on the embedded job store's SQLite handle (better-sqlite3, synchronous). */
import type Database from 'better-sqlite3';
import {
  LEDGER_LIST_DEFAULT_LIMIT,
  ledgerParams,
  ledgerSchemaSql,
  ledgerUpsertSql,
  toLedgerRow,
  type ApplicationsLedger,
  type LedgerFilter,
  type LedgerRow,
  type LedgerWrite,
  type RawLedgerRow,
} from './ledger';

// Idempotent DDL on the shared handle: the ledger ships apart from the job store's versioned migrations.
const SCHEMA = ledgerSchemaSql({ text: 'TEXT', json: 'TEXT', time: 'TEXT' });
const UPSERT_SQL = ledgerUpsertSql((name) => `@${name}`);

export class SqliteLedger implements ApplicationsLedger {
  private readonly upsert: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly successStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.upsert = db.prepare(UPSERT_SQL);
    this.getStmt = db.prepare(`SELECT * FROM applications WHERE profile_id = ? AND job_id = ?`);
    this.successStmt = db.prepare(
      `SELECT * FROM applications WHERE profile_id = ? AND (job_id = ? OR job_url = ?) AND status = 'SUCCESS' LIMIT 1`,
    );
  }

  async record(write: LedgerWrite): Promise<LedgerRow> {
    // One statement: the insert-or-guarded-update is atomic, so concurrent writers cannot interleave.
    this.upsert.run(ledgerParams(write, new Date().toISOString()));
    return (await this.get(write.profileId, write.jobId))!;
  }

  async get(profileId: string, jobId: string): Promise<LedgerRow | null> {
    const r = this.getStmt.get(profileId, jobId) as RawLedgerRow | undefined;
    return r ? toLedgerRow(r) : null;
  }

  async findSuccess(profileId: string, jobId: string, jobUrl: string): Promise<LedgerRow | null> {
    const r = this.successStmt.get(profileId, jobId, jobUrl) as RawLedgerRow | undefined;
    return r ? toLedgerRow(r) : null;
  }

  async list(f: LedgerFilter = {}): Promise<LedgerRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.profileId !== undefined) (where.push('profile_id = ?'), params.push(f.profileId));
    if (f.campaignId !== undefined) (where.push('campaign_id = ?'), params.push(f.campaignId));
    if (f.status?.length) (where.push(`status IN (${f.status.map(() => '?').join(', ')})`), params.push(...f.status));
    const sql = `SELECT * FROM applications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, profile_id, job_id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, f.limit ?? LEDGER_LIST_DEFAULT_LIMIT) as RawLedgerRow[]).map(toLedgerRow);
  }

  async appliedJobIds(profileId: string): Promise<string[]> {
    const rows = this.db
      .prepare(`SELECT job_id FROM applications WHERE profile_id = ? AND status IN ('QUEUED', 'PROCESSING', 'SUCCESS') ORDER BY job_id`)
      .all(profileId) as { job_id: string }[];
    return rows.map((r) => r.job_id);
  }
}
