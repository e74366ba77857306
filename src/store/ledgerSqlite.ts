/** The applications ledger on the embedded job store's SQLite handle (better-sqlite3, synchronous). */
import type Database from 'better-sqlite3';
import {
  LEDGER_COLUMNS,
  LEDGER_LIST_DEFAULT_LIMIT,
  claimDecision,
  ledgerParams,
  ledgerSchemaSql,
  ledgerUpsertSql,
  rekeyLegacyRows,
  takeOverSql,
  toLedgerRow,
  type ApplicationsLedger,
  type Claim,
  type ClaimRequest,
  type LedgerFilter,
  type LedgerRow,
  type LedgerWrite,
  type RawLedgerRow,
} from './ledger';

// Idempotent DDL on the shared handle: the ledger ships apart from the job store's versioned migrations.
const SCHEMA = ledgerSchemaSql({ text: 'TEXT', json: 'TEXT', time: 'TEXT' });
const UPSERT_SQL = ledgerUpsertSql((name) => `@${name}`);
const INSERT_NEW_SQL = UPSERT_SQL.replace(/ON CONFLICT[\s\S]*$/, 'ON CONFLICT (profile_id, job_id) DO NOTHING');
const TAKE_OVER_SQL = takeOverSql('applications', (name) => `@${name}`, 'profile_id = @profile_id AND job_id = @job_id');

/** A ledger from before job keys (no job_ref column): rows keyed again by URL, the old table kept aside. */
function migrateLegacy(db: Database.Database): void {
  const columns = db.prepare(`PRAGMA table_info(applications)`).all() as { name: string }[];
  if (columns.length === 0 || columns.some((c) => c.name === 'job_ref')) return;
  db.transaction(() => {
    db.exec(`ALTER TABLE applications RENAME TO applications_before_job_keys`);
    db.exec(`DROP INDEX IF EXISTS applications_job_url; DROP INDEX IF EXISTS applications_campaign;`);
    db.exec(SCHEMA);
    const rows = rekeyLegacyRows(db.prepare(`SELECT * FROM applications_before_job_keys`).all() as RawLedgerRow[]);
    const cols = [...LEDGER_COLUMNS, 'created_at', 'updated_at', 'completed_at'];
    const insert = db.prepare(`INSERT INTO applications (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
    for (const r of rows) insert.run(r);
  })();
}

export class SqliteLedger implements ApplicationsLedger {
  private readonly upsert: Database.Statement;
  private readonly insertNew: Database.Statement;
  private readonly takeOver: Database.Statement;
  private readonly getStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    migrateLegacy(db);
    db.exec(SCHEMA);
    this.upsert = db.prepare(UPSERT_SQL);
    this.insertNew = db.prepare(INSERT_NEW_SQL);
    this.takeOver = db.prepare(TAKE_OVER_SQL);
    this.getStmt = db.prepare(`SELECT * FROM applications WHERE profile_id = ? AND job_id = ?`);
  }

  async claim(req: ClaimRequest): Promise<Claim> {
    // One transaction on the one connection: no other writer runs between the read and the take-over.
    return this.db.transaction((): Claim => {
      const params = ledgerParams({ ...req, status: 'QUEUED' }, new Date().toISOString());
      if (this.insertNew.run(params).changes === 1) return { kind: 'claimed', row: this.getSync(req.profileId, req.jobId)! };
      const found = this.getSync(req.profileId, req.jobId)!;
      const decision = claimDecision(found, req);
      if (decision.take) this.takeOver.run(params);
      return { kind: decision.kind, row: decision.take ? this.getSync(req.profileId, req.jobId)! : found } as Claim;
    }).immediate();
  }

  async record(write: LedgerWrite): Promise<LedgerRow> {
    // One statement: the insert-or-guarded-update is atomic, so concurrent writers cannot interleave.
    this.upsert.run(ledgerParams(write, new Date().toISOString()));
    return this.getSync(write.profileId, write.jobId)!;
  }

  private getSync(profileId: string, jobId: string): LedgerRow | null {
    const r = this.getStmt.get(profileId, jobId) as RawLedgerRow | undefined;
    return r ? toLedgerRow(r) : null;
  }

  async get(profileId: string, jobId: string): Promise<LedgerRow | null> {
    return this.getSync(profileId, jobId);
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

  async jobKeys(profileId: string): Promise<string[]> {
    const rows = this.db.prepare(`SELECT job_id FROM applications WHERE profile_id = ? ORDER BY job_id`).all(profileId) as { job_id: string }[];
    return rows.map((r) => r.job_id);
  }
}
