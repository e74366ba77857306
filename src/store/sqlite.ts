/**
 * The embedded job store: better-sqlite3 in WAL mode, prepared statements, one transaction per page (the
 * page's write path is ./sqliteJobWriter). Full-text search is a contentless FTS5 table over
 * jobs(title, description) without term positions (detail=column, migration v3), written by the upsert
 * itself and only when a row's text or date is new or changed (migration v4), so expiry marks and skipped
 * upserts cost no FTS work; its rows are keyed newest first (migration v5, see searchJobs).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JobDto } from '../jobo/schemas';
import { decodeJobData, type JobColumns } from './jobData';
import { byDatePosted, checkFilters, nonEmpty, SEARCH_RANK_WINDOW, searchTerms, toSummary, type SummaryRow } from './rows';
import { ftsKeySql, pageEntries, sqlitePageWriter, sqliteVersions, type PageWriter, type StoredVersion } from './sqliteJobWriter';
import { SqliteWriterThread, writerPragmas } from './sqliteWriterThread';
import type { JobSearchFilters, JobStates, JobStore, JobSummary, StoredJob, UpsertOptions, UpsertResult } from './types';

/**
 * Schema versions, applied in order and recorded in schema_migrations. Later capabilities (the applications
 * ledger) append their own versions here rather than creating tables ad hoc.
 */
export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE jobs (
    seq                   INTEGER PRIMARY KEY,  -- stable rowid: the FTS external content key
    id                    TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    description           TEXT NOT NULL,
    company_name          TEXT NOT NULL,
    location_text         TEXT NOT NULL,
    workplace_type        TEXT,
    employment_type       TEXT,
    experience_level      TEXT,
    date_posted           TEXT,                 -- ISO instant
    compensation_min      REAL,
    compensation_max      REAL,
    compensation_currency TEXT,
    compensation_period   TEXT,
    salary_min_yearly     REAL,
    salary_max_yearly     REAL,
    apply_url             TEXT NOT NULL,
    updated_at            TEXT NOT NULL,        -- upstream value, verbatim: the change detector
    data                  TEXT NOT NULL,        -- the full JobDto as JSON
    first_seen_at         TEXT NOT NULL,
    synced_at             TEXT NOT NULL,
    expired_at            TEXT,
    last_seen_run         TEXT                  -- the last full re-sync that saw this job
  );
  CREATE INDEX jobs_date_posted ON jobs(date_posted);
  CREATE INDEX jobs_company ON jobs(company_name COLLATE NOCASE);
  CREATE INDEX jobs_workplace ON jobs(workplace_type);
  CREATE INDEX jobs_employment ON jobs(employment_type);
  CREATE INDEX jobs_experience ON jobs(experience_level);
  CREATE INDEX jobs_salary ON jobs(salary_max_yearly, salary_min_yearly);
  CREATE INDEX jobs_expired ON jobs(expired_at);

  CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, description, content='jobs', content_rowid='seq', tokenize='porter unicode61'
  );
  CREATE TRIGGER jobs_fts_ai AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, title, description) VALUES (new.seq, new.title, new.description);
  END;
  CREATE TRIGGER jobs_fts_ad AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description) VALUES ('delete', old.seq, old.title, old.description);
  END;
  CREATE TRIGGER jobs_fts_au AFTER UPDATE OF title, description ON jobs
  WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description) VALUES ('delete', old.seq, old.title, old.description);
    INSERT INTO jobs_fts(rowid, title, description) VALUES (new.seq, new.title, new.description);
  END;

  CREATE TABLE sync_checkpoints (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // v2: what each full pass saw, keyed by pass id (reconcile reads only its own pass's records).
  `
  CREATE TABLE feed_pass_seen (
    pass_id TEXT NOT NULL,
    job_id  TEXT NOT NULL,
    PRIMARY KEY (pass_id, job_id)
  ) WITHOUT ROWID;
  `,
  // v3: the full-text index keeps which column a term is in but not its positions (detail=column): queries
  // are single quoted words, ranked per column by bm25, so positions bought nothing but size and write time.
  `
  DROP TRIGGER jobs_fts_ai;
  DROP TRIGGER jobs_fts_ad;
  DROP TRIGGER jobs_fts_au;
  DROP TABLE jobs_fts;
  CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, description, content='jobs', content_rowid='seq', tokenize='porter unicode61', detail=column
  );
  CREATE TRIGGER jobs_fts_ai AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, title, description) VALUES (new.seq, new.title, new.description);
  END;
  CREATE TRIGGER jobs_fts_ad AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description) VALUES ('delete', old.seq, old.title, old.description);
  END;
  CREATE TRIGGER jobs_fts_au AFTER UPDATE OF title, description ON jobs
  WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description) VALUES ('delete', old.seq, old.title, old.description);
    INSERT INTO jobs_fts(rowid, title, description) VALUES (new.seq, new.title, new.description);
  END;
  INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
  `,
  // v4, the cheaper page write (./sqliteJobWriter):
  //  - the upsert writes the full-text index itself: FTS5 flushes its pending terms at every statement
  //    savepoint, so the insert and update triggers made an index segment per row. The delete trigger stays
  //    (nothing on the sync path deletes a job);
  //  - a pass's seen records are (pass number, job seq) instead of (pass id, job id): 8 bytes instead of
  //    about 100, appended in seq order instead of scattered by UUID. The records of a pass in progress
  //    are carried over, so it reconciles the same after the upgrade;
  //  - new rows' data is the compact form (./jobData); rows written before keep theirs and read as they were.
  `
  DROP TRIGGER IF EXISTS jobs_fts_ai;
  DROP TRIGGER IF EXISTS jobs_fts_au;
  CREATE TABLE feed_passes (
    n       INTEGER PRIMARY KEY AUTOINCREMENT,
    pass_id TEXT NOT NULL UNIQUE
  );
  CREATE TABLE feed_pass_seen_jobs (
    pass INTEGER NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (pass, seq)
  ) WITHOUT ROWID;
  INSERT INTO feed_passes (pass_id) SELECT DISTINCT pass_id FROM feed_pass_seen ORDER BY pass_id;
  INSERT OR IGNORE INTO feed_pass_seen_jobs (pass, seq)
    SELECT p.n, j.seq FROM feed_pass_seen s JOIN feed_passes p ON p.pass_id = s.pass_id JOIN jobs j ON j.id = s.job_id;
  DROP TABLE feed_pass_seen;
  `,
  // v5, bounded text search (searchJobs): the full-text index is contentless and keyed by date_posted above
  // seq (ftsKeySql), so a search reads its matches newest first and stops, instead of ranking all of them;
  // rebuilt here from the jobs (about 20 s per million). date_posted DESC, id is one index, the order every
  // search lists in; the workplace, employment and experience indexes go: each value holds a third of the
  // jobs or more, so the planner took them and sorted a third of the store instead of walking the date order.
  `
  DROP TRIGGER IF EXISTS jobs_fts_ad;
  DROP TABLE jobs_fts;
  CREATE VIRTUAL TABLE jobs_fts USING fts5(
    title, description, content='', tokenize='porter unicode61', detail=column
  );
  INSERT INTO jobs_fts(rowid, title, description) SELECT ${ftsKeySql('date_posted', 'seq')}, title, description FROM jobs;
  CREATE TRIGGER jobs_fts_ad AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description)
      VALUES ('delete', ${ftsKeySql('old.date_posted', 'old.seq')}, old.title, old.description);
  END;
  DROP INDEX jobs_date_posted;
  CREATE INDEX jobs_date_posted ON jobs(date_posted DESC, id);
  DROP INDEX jobs_workplace;
  DROP INDEX jobs_employment;
  DROP INDEX jobs_experience;
  `,
];

// last_seen_run: stamps written by passes that started before feed_pass_seen existed still count as seen.
const RECONCILE_SQL = `
  UPDATE jobs SET expired_at = @at
  WHERE expired_at IS NULL
    AND julianday(updated_at) <= julianday(@at)
    AND last_seen_run IS NOT @pass
    AND NOT EXISTS (
      SELECT 1 FROM feed_pass_seen_jobs s
      WHERE s.pass = (SELECT n FROM feed_passes WHERE pass_id = @pass) AND s.seq = jobs.seq)`;

/** A text match as searchJobs reads it, with its seq and its full-text key's date part. */
type RankedRow = SummaryRow & { seq: number; posted_key: number };

const SUMMARY_COLUMNS = `j.id, j.title, j.company_name, j.location_text, j.workplace_type, j.employment_type,
  j.experience_level, j.date_posted, j.compensation_min, j.compensation_max, j.compensation_currency,
  j.compensation_period, j.apply_url, j.updated_at`;

export function migrateSqlite(db: Database.Database, migrations: string[] = SQLITE_MIGRATIONS): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const applied = new Set((db.prepare(`SELECT version FROM schema_migrations`).all() as { version: number }[]).map((r) => r.version));
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (applied.has(version)) return;
    db.transaction(() => {
      // Another connection (process) may have applied it since the read above: ask again under the lock.
      if (db.prepare(`SELECT 1 FROM schema_migrations WHERE version = ?`).get(version)) return;
      db.exec(sql);
      db.prepare(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`).run(version, new Date().toISOString());
    }).immediate();
  });
}

export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly upsertPage: PageWriter;
  private readonly versions: (ids: readonly string[]) => Map<string, StoredVersion>;
  /** Pages are written on a thread of their own (a file store; an in-memory one writes inline). */
  private readonly writer: SqliteWriterThread | null;
  private readonly expirePage: (ids: readonly string[], at: string) => number;
  private readonly reconcilePass: (pass: string, at: string) => number;
  private readonly forgetPassesTx: (prefix: string) => number;

  /**
   * @param opts.writerThread write pages on a worker thread with its own connection (default: yes, unless
   *   the store is in memory, which another connection cannot see).
   */
  constructor(path: string, opts: { writerThread?: boolean } = {}) {
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // 8 KiB pages for a new file (no effect on an existing one): a row of about 2 KB wastes less of a page.
    this.db.pragma('page_size = 8192');
    // WAL; NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits,
    // and a feed sync simply re-fetches those pages); checkpoints every ~40 MB.
    writerPragmas(this.db);
    this.writer = (opts.writerThread ?? !memory) ? new SqliteWriterThread(path) : null;
    // With a writer thread, that thread checkpoints after its page transactions; this connection's small
    // writes (expiry marks, checkpoints, others' rows) checkpoint only if the WAL outgrew that.
    if (this.writer) this.db.pragma('wal_autocheckpoint = 10000');
    migrateSqlite(this.db);
    this.versions = sqliteVersions(this.db);

    const expireStmt = this.db.prepare(`UPDATE jobs SET expired_at = ? WHERE id = ? AND expired_at IS NULL`);
    const reconcileStmt = this.db.prepare(RECONCILE_SQL);
    this.upsertPage = sqlitePageWriter(this.db);
    this.expirePage = this.db.transaction((ids: readonly string[], at: string) => {
      let n = 0;
      for (const id of ids) n += expireStmt.run(at, id).changes;
      return n;
    });
    this.reconcilePass = (pass, at) => reconcileStmt.run({ pass, at }).changes;
    const passesLike = `SELECT n FROM feed_passes WHERE substr(pass_id, 1, length(@prefix)) = @prefix`;
    const forgetSeen = this.db.prepare(`DELETE FROM feed_pass_seen_jobs WHERE pass IN (${passesLike})`);
    const forgetPass = this.db.prepare(`DELETE FROM feed_passes WHERE n IN (${passesLike})`);
    this.forgetPassesTx = this.db.transaction((prefix: string) => {
      const n = forgetSeen.run({ prefix }).changes;
      forgetPass.run({ prefix });
      return n;
    });
  }

  async upsertJobs(jobs: readonly JobDto[], opts: UpsertOptions = {}): Promise<UpsertResult> {
    if (!this.writer) return this.upsertPage(jobs, opts);
    const entries = pageEntries(jobs, this.versions);
    if (entries.length === 0) return { upserted: 0, skipped: 0, older: 0, revived: 0 };
    return this.writer.write(entries, opts.seenInRun);
  }

  async markExpired(ids: readonly string[], at: Date = new Date()): Promise<number> {
    return this.expirePage(ids, at.toISOString());
  }

  async reconcile(passId: string, at: Date = new Date()): Promise<number> {
    return this.reconcilePass(passId, at.toISOString());
  }

  async forgetPasses(prefix: string): Promise<number> {
    return this.forgetPassesTx(prefix);
  }

  async getJob(id: string): Promise<StoredJob | null> {
    const r = this.db
      .prepare(
        `SELECT id, title, description, company_name, apply_url, updated_at, workplace_type, employment_type, experience_level,
           compensation_min, compensation_max, compensation_currency, compensation_period, data, expired_at
         FROM jobs WHERE id = ?`,
      )
      .get(id) as (JobColumns & { data: string; expired_at: string | null }) | undefined;
    if (!r) return null;
    return { job: decodeJobData(r.data, r), expiredAt: r.expired_at };
  }

  async searchJobs(f: JobSearchFilters = {}): Promise<JobSummary[]> {
    const { limit, offset, postedAfter } = checkFilters(f);
    const where: string[] = ['j.expired_at IS NULL'];
    const params: unknown[] = [];
    const anyOf = (column: string, values: readonly string[] | undefined) => {
      if (!nonEmpty(values)) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    anyOf('j.workplace_type', f.workplaceTypes);
    anyOf('j.employment_type', f.employmentTypes);
    anyOf('j.experience_level', f.experienceLevels);
    if (nonEmpty(f.locations)) {
      where.push(`(${f.locations.map(() => `j.location_text LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      params.push(...f.locations.map((l) => `%${l.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
    }
    if (postedAfter) {
      where.push('j.date_posted >= ?');
      params.push(postedAfter);
    }
    if (f.salaryFloor !== undefined) {
      const reaches = 'coalesce(j.salary_max_yearly, j.salary_min_yearly) >= ?';
      where.push(f.includeUndisclosedSalary ? `(${reaches} OR coalesce(j.salary_max_yearly, j.salary_min_yearly) IS NULL)` : reaches);
      params.push(f.salaryFloor);
    }
    if (nonEmpty(f.companiesInclude)) {
      where.push(`j.company_name COLLATE NOCASE IN (${f.companiesInclude.map(() => '?').join(', ')})`);
      params.push(...f.companiesInclude);
    }
    if (nonEmpty(f.companiesExclude)) {
      where.push(`j.company_name COLLATE NOCASE NOT IN (${f.companiesExclude.map(() => '?').join(', ')})`);
      params.push(...f.companiesExclude);
    }
    if (nonEmpty(f.excludeIds)) {
      where.push(`j.id NOT IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(f.excludeIds));
    }
    const terms = searchTerms(f.text);
    if (!terms.length) {
      // The jobs_date_posted index is this order: the walk stops after the page.
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM jobs j WHERE ${where.join(' AND ')} ORDER BY j.date_posted DESC, j.id LIMIT ? OFFSET ?`;
      return (this.db.prepare(sql).all(...params, limit, offset) as SummaryRow[]).map(toSummary);
    }
    // Quoted terms are plain words to FTS5 (no operators), implicitly ANDed.
    const match = terms.map((t) => `"${t}"`).join(' ');
    // The index is walked in key order (date_posted, then seq: ftsKeySql) and stops after `need` matches;
    // CROSS JOIN keeps it the outer loop.
    const need = Math.max(SEARCH_RANK_WINDOW, offset + limit);
    const base = `SELECT ${SUMMARY_COLUMNS}, j.seq, jobs_fts.rowid >> 32 AS posted_key
      FROM jobs_fts CROSS JOIN jobs j ON j.seq = (jobs_fts.rowid & 4294967295)
      WHERE jobs_fts MATCH ? AND ${where.join(' AND ')}`;
    let rows = this.db.prepare(`${base} ORDER BY jobs_fts.rowid DESC LIMIT ?`).all(match, ...params, need) as RankedRow[];
    if (rows.length === need) {
      // The key orders by date_posted to the second, not by id: read the last row's whole second, so the
      // first `need` in (date_posted, id) order are all here.
      const last = rows[need - 1].posted_key;
      const tie = this.db
        .prepare(`${base} AND jobs_fts.rowid >= (? << 32) AND jobs_fts.rowid < ((? + 1) << 32)`)
        .all(match, ...params, last, last) as RankedRow[];
      rows = rows.filter((r) => r.posted_key > last).concat(tie);
    }
    rows.sort(byDatePosted);
    const window = rows.slice(0, SEARCH_RANK_WINDOW);
    if (window.length > 0) {
      // Relevance: how many of the words are in the title. Per word, the title matches among the window's
      // key range only (the index's column lists; bm25 would re-read each row's text on this detail=column
      // index, which is what made ranking every match cost seconds).
      const keys = window.map((r) => r.posted_key);
      const inTitle = this.db.prepare(
        `SELECT rowid & 4294967295 FROM jobs_fts WHERE jobs_fts MATCH ? AND rowid >= (? << 32) AND rowid < ((? + 1) << 32)`,
      );
      const score = new Map<number, number>();
      for (const t of new Set(terms)) {
        for (const seq of inTitle.pluck().all(`{title} : "${t}" AND (${match})`, Math.min(...keys), Math.max(...keys)) as number[]) {
          score.set(seq, (score.get(seq) ?? 0) + 1);
        }
      }
      window.sort((a, b) => (score.get(b.seq) ?? 0) - (score.get(a.seq) ?? 0) || byDatePosted(a, b));
    }
    return window
      .concat(rows.slice(SEARCH_RANK_WINDOW, need))
      .slice(offset, offset + limit)
      .map(toSummary);
  }

  async jobStates(): Promise<JobStates> {
    const rows = this.db.prepare(`SELECT id, updated_at, expired_at FROM jobs ORDER BY id`).all() as {
      id: string;
      updated_at: string;
      expired_at: string | null;
    }[];
    const states: JobStates = { active: [], expired: [] };
    for (const r of rows) {
      if (r.expired_at) states.expired.push({ id: r.id, expired_at: r.expired_at });
      else states.active.push({ id: r.id, updated_at: r.updated_at });
    }
    return states;
  }

  async counts(): Promise<{ active: number; expired: number }> {
    return this.db
      .prepare(
        `SELECT count(*) FILTER (WHERE expired_at IS NULL) AS active,
                count(*) FILTER (WHERE expired_at IS NOT NULL) AS expired FROM jobs`,
      )
      .get() as { active: number; expired: number };
  }

  async getCheckpoint(key: string): Promise<string | null> {
    const r = this.db.prepare(`SELECT value FROM sync_checkpoints WHERE key = ?`).get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sync_checkpoints (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, value, new Date().toISOString());
  }

  async deleteCheckpoint(key: string): Promise<void> {
    this.db.prepare(`DELETE FROM sync_checkpoints WHERE key = ?`).run(key);
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.db.open) this.db.close();
  }
}
