/** The applications ledger on the embedded job store's SQLite handle (better-sqlite3, synchronous). */
import type Database from 'better-sqlite3';
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
  type LedgerRow,
  type LedgerWrite,
  type PersonTaskOwners,
  type PersonTaskPage,
  type RawLedgerRow,
} from './ledger';
import { PROFILE_OWNERS_SCHEMA } from './profileOwners';
import { RESERVATION_SQL, reservationDecision, reservationParams, toUser, type Reservation, type ReservationCounts } from './users';
import { createSqliteUsersSchema } from './usersSqlite';

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

/**
 * A ledger from before NEEDS_PERSON and awaiting_kind: SQLite cannot change a CHECK in place, so the table
 * is rebuilt in one transaction (rows copied, every index on it, the analytics' too, made again).
 */
function migrateNeedsPerson(db: Database.Database): void {
  const current = () =>
    db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applications'`).get() as { sql: string } | undefined;
  const t = current();
  if (!t || t.sql.includes(STATUS_CHECK_SQL)) return;
  db.transaction(() => {
    const again = current(); // another process may have migrated meanwhile
    if (!again || again.sql.includes(STATUS_CHECK_SQL)) return;
    const indexes = db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'applications' AND sql IS NOT NULL`)
      .all() as {
      name: string;
      sql: string;
    }[];
    const had = new Set((db.prepare(`PRAGMA table_info(applications)`).all() as { name: string }[]).map((c) => c.name));
    db.exec(`ALTER TABLE applications RENAME TO applications_before_needs_person`);
    for (const i of indexes) db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
    db.exec(SCHEMA);
    const cols = [...LEDGER_COLUMNS, 'created_at', 'updated_at', 'completed_at'].filter((c) => had.has(c));
    db.exec(`INSERT INTO applications (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM applications_before_needs_person`);
    db.exec(`DROP TABLE applications_before_needs_person`);
    for (const i of indexes)
      db.exec(i.sql.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?/i, 'CREATE $1INDEX IF NOT EXISTS '));
  }).immediate();
}

export class SqliteLedger implements ApplicationsLedger {
  private readonly upsert: Database.Statement;
  private readonly insertNew: Database.Statement;
  private readonly takeOver: Database.Statement;
  private readonly getStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    migrateLegacy(db);
    migrateNeedsPerson(db);
    db.exec(SCHEMA);
    // The claim reserves against users' limits; their tables may not have been opened yet.
    db.exec(PROFILE_OWNERS_SCHEMA('TEXT'));
    createSqliteUsersSchema(db);
    this.upsert = db.prepare(UPSERT_SQL);
    this.insertNew = db.prepare(INSERT_NEW_SQL);
    this.takeOver = db.prepare(TAKE_OVER_SQL);
    this.getStmt = db.prepare(`SELECT * FROM applications WHERE profile_id = ? AND job_id = ?`);
  }

  async claim(req: ClaimRequest): Promise<Claim> {
    // One transaction on the one connection: no other writer runs between the read and the take-over,
    // nor between counting a user's reservations and adding one.
    return this.db
      .transaction((): Claim => {
        const now = new Date();
        const params = ledgerParams({ ...req, status: 'QUEUED' }, now.toISOString());
        const found = this.getSync(req.profileId, req.jobId);
        const decision = found ? claimDecision(found, req) : { kind: 'claimed' as const, take: true };
        // A paced run claims its own row again after the wait: it reserves then (reserving twice is a no-op).
        if (decision.kind === 'claimed' && (decision.take || req.pacing) && req.enforceLimits) {
          const answer = this.reserve(req, req.at ? new Date(req.at) : now);
          if (answer.kind === 'refused') {
            if (!found) this.insertNew.run(ledgerParams({ ...req, status: 'FAILED', error: answer.error }, now.toISOString()));
            // Its own row, waiting for a window that came too late for the month: refused now.
            else if (!decision.take) this.upsert.run(ledgerParams({ ...req, status: 'FAILED', error: answer.error }, now.toISOString()));
            else return { kind: 'limit_reached', row: found };
            return { kind: 'limit_reached', row: this.getSync(req.profileId, req.jobId)! };
          }
          if (answer.kind === 'paced') {
            // The row is this run's meanwhile (QUEUED), so other starters attach to it instead of racing.
            if (!found) this.insertNew.run(params);
            else if (decision.take) this.takeOver.run(params);
            return { kind: 'paced', row: this.getSync(req.profileId, req.jobId)!, until: answer.until };
          }
        }
        if (!found) {
          this.insertNew.run(params);
          return { kind: 'claimed', row: this.getSync(req.profileId, req.jobId)! };
        }
        if (decision.take) this.takeOver.run(params);
        return { kind: decision.kind, row: decision.take ? this.getSync(req.profileId, req.jobId)! : found };
      })
      .immediate();
  }

  /** One unit of the profile owner's limits for this job, its refusal or its wait; `reserved` also for profiles without a user. */
  private reserve(req: ClaimRequest, at: Date): Reservation {
    const owner = this.db.prepare(RESERVATION_SQL.owner).get(req.profileId) as { user_id: string } | undefined;
    if (!owner) return { kind: 'reserved' };
    const raw = this.db.prepare(`SELECT * FROM api_users WHERE id = ?`).get(owner.user_id) as Parameters<typeof toUser>[0] | undefined;
    if (!raw || this.db.prepare(RESERVATION_SQL.held).get(req.profileId, req.jobId)) return { kind: 'reserved' };
    const user = toUser(raw);
    const p = reservationParams(user, req, at);
    const counts = this.db.prepare(RESERVATION_SQL.counts).get(...p.counts) as ReservationCounts;
    const answer = reservationDecision(user, counts, at, req.pacing === true, p.provider);
    if (answer.kind === 'reserved') this.db.prepare(RESERVATION_SQL.insert).run(...p.insert);
    return answer;
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
    if (f.profileId !== undefined) {
      where.push('profile_id = ?');
      params.push(f.profileId);
    }
    if (f.campaignId !== undefined) {
      where.push('campaign_id = ?');
      params.push(f.campaignId);
    }
    if (f.status?.length) {
      where.push(`status IN (${f.status.map(() => '?').join(', ')})`);
      params.push(...f.status);
    }
    const sql = `SELECT * FROM applications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at, profile_id, job_id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, f.limit ?? LEDGER_LIST_DEFAULT_LIMIT) as RawLedgerRow[]).map(toLedgerRow);
  }

  async personTasks(owners: PersonTaskOwners, page: PersonTaskPage): Promise<{ rows: LedgerRow[]; nextCursor: string | null }> {
    const { sql, params } = personTasksSql(owners, page);
    return personTasksPage((this.db.prepare(sql).all(...params) as RawLedgerRow[]).map(toLedgerRow), page);
  }

  async putFile(f: AnswerFile): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO answer_files (sha256, file_name, content_type, content_base64, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
      )
      .run(f.sha256, f.fileName, f.contentType, f.contentBase64, new Date().toISOString());
  }

  async getFile(sha256: string): Promise<AnswerFile | null> {
    const r = this.db.prepare(`SELECT * FROM answer_files WHERE sha256 = ?`).get(sha256) as
      { sha256: string; file_name: string; content_type: string; content_base64: string } | undefined;
    return r ? { sha256: r.sha256, fileName: r.file_name, contentType: r.content_type, contentBase64: r.content_base64 } : null;
  }

  async jobKeys(profileId: string): Promise<string[]> {
    const rows = this.db
      .prepare(`SELECT job_id FROM applications WHERE profile_id = ? AND ${NOT_LIMIT_REFUSAL} ORDER BY job_id`)
      .all(profileId) as { job_id: string }[];
    return rows.map((r) => r.job_id);
  }
}
