/**
 * The job store for scale: PostgreSQL through a pg Pool. A page is one `INSERT ... SELECT FROM unnest(...)
 * ON CONFLICT DO UPDATE ... WHERE the copy is newer` statement (a few round trips per page, whatever its size).
 * Full-text search is a generated tsvector column (title weighted over description) with a GIN index.
 */
import { Pool } from 'pg';
import type { JobDto } from '../jobo/schemas';
import { decodeJobValue, type JobColumns } from './jobData';
import { inTransaction } from './pgTransaction';
import { writePage } from './postgresJobWriter';
import { checkFilters, nonEmpty, SEARCH_RANK_WINDOW, searchTerms, toSummary } from './rows';
import type { JobSearchFilters, JobStates, JobStore, JobSummary, StoredJob, UpsertOptions, UpsertResult } from './types';

/** Schema versions, applied in order; later capabilities (the applications ledger) append theirs. */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE jobs (
    id                    text PRIMARY KEY,
    title                 text NOT NULL,
    description           text NOT NULL,
    company_name          text NOT NULL,
    location_text         text NOT NULL,
    workplace_type        text,
    employment_type       text,
    experience_level      text,
    date_posted           timestamptz,
    compensation_min      double precision,
    compensation_max      double precision,
    compensation_currency text,
    compensation_period   text,
    salary_min_yearly     double precision,
    salary_max_yearly     double precision,
    apply_url             text NOT NULL,
    updated_at            text NOT NULL,        -- upstream value, verbatim: the change detector
    data                  jsonb NOT NULL,       -- the full JobDto
    first_seen_at         timestamptz NOT NULL DEFAULT now(),
    synced_at             timestamptz NOT NULL DEFAULT now(),
    expired_at            timestamptz,
    last_seen_run         text,                 -- the last full re-sync that saw this job
    search_tsv            tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')
    ) STORED
  );
  CREATE INDEX jobs_search_tsv ON jobs USING gin (search_tsv);
  CREATE INDEX jobs_date_posted ON jobs (date_posted);
  CREATE INDEX jobs_company ON jobs (lower(company_name));
  CREATE INDEX jobs_workplace ON jobs (workplace_type);
  CREATE INDEX jobs_employment ON jobs (employment_type);
  CREATE INDEX jobs_experience ON jobs (experience_level);
  CREATE INDEX jobs_salary ON jobs (salary_max_yearly, salary_min_yearly);
  CREATE INDEX jobs_active ON jobs (id) WHERE expired_at IS NULL;

  CREATE TABLE sync_checkpoints (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  `,
  // v2: what each full pass saw, keyed by pass id (reconcile reads only its own pass's records).
  `
  CREATE TABLE feed_pass_seen (
    pass_id text NOT NULL,
    job_id  text NOT NULL,
    PRIMARY KEY (pass_id, job_id)
  );
  `,
  // v3, the cheaper page write (./postgresJobWriter, measured in bench/pg-write-profile.ts):
  //  - jobs get a seq, and a pass's seen records are (pass number, job seq) instead of (pass id, job id):
  //    12 bytes instead of about 80, in seq order. The records of a pass in progress are carried over, so
  //    it reconciles the same after the upgrade;
  //  - new rows' data is the compact form (./jobData, without the description); rows written before keep
  //    theirs and read as they were;
  //  - lz4 for values PostgreSQL compresses (a row is over its 2 KB TOAST threshold): pglz cost about a
  //    fifth of a page's write. Where the server has no lz4, pglz stays.
  `
  ALTER TABLE jobs ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
  CREATE TABLE feed_passes (
    n       int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pass_id text NOT NULL UNIQUE
  );
  CREATE TABLE feed_pass_seen_jobs (
    pass int NOT NULL,
    seq  bigint NOT NULL,
    PRIMARY KEY (pass, seq)
  );
  INSERT INTO feed_passes (pass_id) SELECT DISTINCT pass_id FROM feed_pass_seen ORDER BY pass_id;
  INSERT INTO feed_pass_seen_jobs (pass, seq)
    SELECT p.n, j.seq FROM feed_pass_seen s JOIN feed_passes p ON p.pass_id = s.pass_id JOIN jobs j ON j.id = s.job_id
    ORDER BY 1, 2 ON CONFLICT DO NOTHING;
  DROP TABLE feed_pass_seen;
  DO $$ BEGIN
    ALTER TABLE jobs ALTER COLUMN description SET COMPRESSION lz4, ALTER COLUMN data SET COMPRESSION lz4,
      ALTER COLUMN search_tsv SET COMPRESSION lz4;
  EXCEPTION WHEN feature_not_supported THEN NULL;
  END $$;
  `,
  // v4, bounded text search (searchJobs): every search lists in date_posted DESC NULLS LAST, id (byte order); one
  // partial index in that order (only active jobs are searched) replaces the plain date index, so a search
  // walks it and stops after the rows it needs instead of sorting every match.
  `
  DROP INDEX IF EXISTS jobs_date_posted;
  CREATE INDEX jobs_date_posted ON jobs (date_posted DESC NULLS LAST, id COLLATE "C") WHERE expired_at IS NULL;
  `,
];

// last_seen_run: stamps written by passes that started before feed_pass_seen existed still count as seen.
const RECONCILE_SQL = `
  UPDATE jobs SET expired_at = $1
  WHERE expired_at IS NULL
    AND updated_at::timestamptz <= $1
    AND last_seen_run IS DISTINCT FROM $2
    AND NOT EXISTS (
      SELECT 1 FROM feed_pass_seen_jobs s
      WHERE s.pass = (SELECT n FROM feed_passes WHERE pass_id = $2) AND s.seq = jobs.seq)`;

const SUMMARY_COLUMNS = `id, title, company_name, location_text, workplace_type, employment_type, experience_level,
  to_char(date_posted AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS date_posted,
  compensation_min, compensation_max, compensation_currency, compensation_period, apply_url, updated_at`;

// What the ranked search reads of a row (SUMMARY_COLUMNS' sources and the text vector), not the whole row.
const SEARCH_COLUMNS = `id, title, company_name, location_text, workplace_type, employment_type, experience_level, date_posted,
  compensation_min, compensation_max, compensation_currency, compensation_period, apply_url, updated_at, search_tsv`;

const MIGRATION_LOCK = 0x6170706c; // one migrator at a time across workers

export async function migratePostgres(pool: Pool, migrations: string[] = POSTGRES_MIGRATIONS): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const [i, sql] of migrations.entries()) {
      if (applied.has(i + 1)) continue;
      await c.query(sql);
      await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
    }
  });
  // Substring location search gets a trigram index where the extension is available; without it the
  // same query still works (sequential scan), so a database without pg_trgm is not an error.
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await pool.query('CREATE INDEX IF NOT EXISTS jobs_location_trgm ON jobs USING gin (location_text gin_trgm_ops)');
  } catch {
    /* optional index */
  }
}

export class PostgresJobStore implements JobStore {
  readonly kind = 'postgres' as const;

  private constructor(readonly pool: Pool) {
    // An idle client whose connection the server ended (restart, shutdown) is already dropped by the pool;
    // without a listener its error event would end the process.
    pool.on('error', () => undefined);
  }

  static async open(databaseUrl: string, opts: { max?: number } = {}): Promise<PostgresJobStore> {
    const pool = new Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresJobStore(pool);
  }

  async upsertJobs(jobs: readonly JobDto[], opts: UpsertOptions = {}): Promise<UpsertResult> {
    return writePage(this.pool, jobs, opts);
  }

  async markExpired(ids: readonly string[], at: Date = new Date()): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.pool.query(`UPDATE jobs SET expired_at = $1 WHERE id = ANY($2::text[]) AND expired_at IS NULL`, [at, ids]);
    return res.rowCount ?? 0;
  }

  async reconcile(passId: string, at: Date = new Date()): Promise<number> {
    const res = await this.pool.query(RECONCILE_SQL, [at, passId]);
    return res.rowCount ?? 0;
  }

  async forgetPasses(prefix: string): Promise<number> {
    const res = await this.pool.query(
      `WITH gone AS (DELETE FROM feed_passes WHERE starts_with(pass_id, $1) RETURNING n)
       DELETE FROM feed_pass_seen_jobs WHERE pass IN (SELECT n FROM gone)`,
      [prefix],
    );
    return res.rowCount ?? 0;
  }

  async getJob(id: string): Promise<StoredJob | null> {
    const { rows } = await this.pool.query<JobColumns & { data: unknown; expired_at: Date | null }>(
      `SELECT id, title, description, company_name, apply_url, updated_at, workplace_type, employment_type, experience_level,
         compensation_min, compensation_max, compensation_currency, compensation_period, data, expired_at
       FROM jobs WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    return r ? { job: decodeJobValue(r.data, r), expiredAt: r.expired_at?.toISOString() ?? null } : null;
  }

  async searchJobs(f: JobSearchFilters = {}): Promise<JobSummary[]> {
    const { limit, offset, postedAfter } = checkFilters(f);
    const where: string[] = ['expired_at IS NULL'];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const terms = searchTerms(f.text);
    const q = terms.length ? `plainto_tsquery('english', ${p(terms.join(' '))})` : null;
    if (q) where.push(`search_tsv @@ ${q}`);
    if (nonEmpty(f.workplaceTypes)) where.push(`workplace_type = ANY(${p(f.workplaceTypes)}::text[])`);
    if (nonEmpty(f.employmentTypes)) where.push(`employment_type = ANY(${p(f.employmentTypes)}::text[])`);
    if (nonEmpty(f.experienceLevels)) where.push(`experience_level = ANY(${p(f.experienceLevels)}::text[])`);
    if (nonEmpty(f.locations)) {
      const patterns = f.locations.map((l) => `%${l.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`location_text ILIKE ANY(${p(patterns)}::text[])`);
    }
    if (postedAfter) where.push(`date_posted >= ${p(postedAfter)}::timestamptz`);
    if (f.salaryFloor !== undefined) {
      const pay = 'coalesce(salary_max_yearly, salary_min_yearly)';
      const reaches = `${pay} >= ${p(f.salaryFloor)}`;
      where.push(f.includeUndisclosedSalary ? `(${reaches} OR ${pay} IS NULL)` : reaches);
    }
    if (nonEmpty(f.companiesInclude)) {
      where.push(`lower(company_name) = ANY(${p(f.companiesInclude.map((c) => c.toLowerCase()))}::text[])`);
    }
    if (nonEmpty(f.companiesExclude)) {
      where.push(`lower(company_name) <> ALL(${p(f.companiesExclude.map((c) => c.toLowerCase()))}::text[])`);
    }
    if (nonEmpty(f.excludeIds)) where.push(`id <> ALL(${p(f.excludeIds)}::text[])`);
    // The jobs_date_posted index is this order: the walk stops after the rows the query needs. Qualified:
    // a bare date_posted in ORDER BY would be SUMMARY_COLUMNS' text (no index, every match sorted).
    const byDate = 'jobs.date_posted DESC NULLS LAST, jobs.id COLLATE "C"';
    if (!q) {
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY ${byDate} LIMIT ${p(limit)} OFFSET ${p(offset)}`;
      return (await this.pool.query(sql, params)).rows.map(toSummary);
    }
    // The newest SEARCH_RANK_WINDOW matches by relevance (how many of the words are in the title: weight A),
    // then the rest by date: only the rows up to the page are read, only those ranked (JobSearchFilters.text).
    const window = p(SEARCH_RANK_WINDOW);
    const words = p([...new Set(terms)]);
    const sql = `
      SELECT * FROM (
        SELECT ${SUMMARY_COLUMNS},
          (SELECT count(*) FROM unnest(${words}::text[]) w
           WHERE ts_filter(search_tsv, '{a}') @@ plainto_tsquery('english', w)) AS score,
          row_number() OVER (ORDER BY newest.date_posted DESC NULLS LAST, newest.id COLLATE "C") AS n
        FROM (SELECT ${SEARCH_COLUMNS} FROM jobs WHERE ${where.join(' AND ')}
              ORDER BY ${byDate} LIMIT ${p(Math.max(SEARCH_RANK_WINDOW, offset + limit))}) newest
      ) m
      ORDER BY n > ${window}, CASE WHEN n <= ${window} THEN score END DESC, n
      LIMIT ${p(limit)} OFFSET ${p(offset)}`;
    // When the planner takes the text index over the date walk, the matches' bitmap must stay exact: at the
    // default 4 MB it turns lossy past ~100k rows and every row of those pages is rechecked (575 -> 200 ms for
    // a two-word title and a city at a million jobs).
    return inTransaction(this.pool, async (c) => {
      await c.query(`SET LOCAL work_mem = '16MB'`);
      return (await c.query(sql, params)).rows.map(toSummary);
    });
  }

  async jobStates(): Promise<JobStates> {
    const { rows } = await this.pool.query<{ id: string; updated_at: string; expired_at: Date | null }>(
      `SELECT id, updated_at, expired_at FROM jobs ORDER BY id COLLATE "C"`,
    );
    const states: JobStates = { active: [], expired: [] };
    for (const r of rows) {
      if (r.expired_at) states.expired.push({ id: r.id, expired_at: r.expired_at.toISOString() });
      else states.active.push({ id: r.id, updated_at: r.updated_at });
    }
    return states;
  }

  async counts(): Promise<{ active: number; expired: number }> {
    const { rows } = await this.pool.query<{ active: number; expired: number }>(
      `SELECT (count(*) FILTER (WHERE expired_at IS NULL))::int AS active,
              (count(*) FILTER (WHERE expired_at IS NOT NULL))::int AS expired FROM jobs`,
    );
    return rows[0];
  }

  async getCheckpoint(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM sync_checkpoints WHERE key = $1`, [key]);
    return rows[0]?.value ?? null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO sync_checkpoints (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
      [key, value],
    );
  }

  async deleteCheckpoint(key: string): Promise<void> {
    await this.pool.query(`DELETE FROM sync_checkpoints WHERE key = $1`, [key]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
