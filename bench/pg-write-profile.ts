/**
 * Where a PostgreSQL page write goes (issue 18): 1,000-job pages of the sandbox's own jobs (seed 77, as
 * bench:feed-deployed) into scratch databases that each leave one piece of the schema out, with the time of
 * each statement of the write. Run: `npx ts-node --transpile-only bench/pg-write-profile.ts` (PROFILE_PAGES,
 * default 30; PROFILE_PRELOAD pages written first and not timed, default 20).
 */
import { Pool, type PoolClient } from 'pg';
import { Corpus } from '../sandbox/corpus';
import type { JobDto } from '../src/jobo/schemas';
import { encodeJobData } from '../src/store/jobData';
import { migratePostgres, POSTGRES_MIGRATIONS, PostgresJobStore } from '../src/store/postgres';
import { toUniqueRows, type JobRow } from '../src/store/rows';
import { COLUMNS } from '../src/store/postgresJobWriter';
import { startPostgres } from '../test/support/postgres';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

const PAGES = Number(process.env.PROFILE_PAGES ?? 30);
const PRELOAD = Number(process.env.PROFILE_PRELOAD ?? 20);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function pagesOf(n: number): JobDto[][] {
  const corpus = new Corpus({ jobs: 200_000, seed: 77, startTime: Date.now() });
  return Array.from({ length: n }, (_, p) => Array.from({ length: 1000 }, (_, i) => corpus.job(p * 1000 + i)));
}

// Schema v2's parameters: the writer's columns, with data sent as text (cast to jsonb in the statement).
const TYPES = COLUMNS.map(([c, t]) => [c, c === 'data' ? 'text' : t]) as [keyof JobRow, string][];
const names = TYPES.map(([c]) => c);
const upsertSql = (dataType: string) => `
  INSERT INTO jobs (${names.join(', ')})
  SELECT ${names.map((c) => (c === 'data' ? `data::${dataType}` : c)).join(', ')}
  FROM unnest(${TYPES.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${names.join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${names
    .filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}, synced_at = now(), expired_at = NULL
  WHERE excluded.updated_at::timestamptz > jobs.updated_at::timestamptz
  RETURNING id`;

interface Variant {
  name: string;
  /** Run on the scratch database after the store's migrations. */
  ddl?: string;
  dataType?: string;
  seen?: boolean;
  lock?: boolean;
  /** `data` in the compact form (src/store/jobData.ts) instead of the whole JobDto. */
  compact?: boolean;
}

const LZ4 =
  'ALTER TABLE jobs ALTER COLUMN description SET COMPRESSION lz4, ALTER COLUMN data SET COMPRESSION lz4, ALTER COLUMN search_tsv SET COMPRESSION lz4';

/** The write before schema v3 (arrays, the whole JobDto in data), each with one piece left out. */
const VARIANTS: Variant[] = [
  { name: 'v2 as it was' },
  { name: 'no feed_pass_seen insert', seen: false },
  { name: 'no FOR UPDATE read', lock: false },
  { name: 'no trigram index', ddl: 'DROP INDEX IF EXISTS jobs_location_trgm' },
  {
    name: 'no 7 btree indexes',
    ddl: ['jobs_date_posted', 'jobs_company', 'jobs_workplace', 'jobs_employment', 'jobs_experience', 'jobs_salary', 'jobs_active']
      .map((i) => `DROP INDEX ${i};`)
      .join(' '),
  },
  { name: 'no GIN on search_tsv (column kept)', ddl: 'DROP INDEX jobs_search_tsv' },
  { name: 'GIN fastupdate=off', ddl: 'ALTER INDEX jobs_search_tsv SET (fastupdate = off)' },
  { name: 'no search_tsv column (and no GIN)', ddl: 'ALTER TABLE jobs DROP COLUMN search_tsv' },
  { name: 'compact data (jobData.ts)', compact: true },
  { name: 'lz4 TOAST compression', ddl: LZ4 },
  { name: 'compact data + lz4', ddl: LZ4, compact: true },
  { name: 'data as text, not jsonb', ddl: 'ALTER TABLE jobs ALTER COLUMN data TYPE text', dataType: 'text' },
  {
    name: 'bare: PK only, no tsv, text data, no seen',
    ddl: `ALTER TABLE jobs DROP COLUMN search_tsv; DROP INDEX IF EXISTS jobs_location_trgm; ALTER TABLE jobs ALTER COLUMN data TYPE text;
      ${['jobs_date_posted', 'jobs_company', 'jobs_workplace', 'jobs_employment', 'jobs_experience', 'jobs_salary', 'jobs_active']
        .map((i) => `DROP INDEX ${i};`)
        .join(' ')}`,
    dataType: 'text',
    seen: false,
  },
];

async function timedPage(c: PoolClient, v: Variant, jobs: JobDto[], t: Record<string, number>) {
  let t0 = process.hrtime.bigint();
  const rows = toUniqueRows(jobs);
  if (v.compact) for (const [i, r] of rows.entries()) r.data = encodeJobData(jobs[i]);
  const arrays = TYPES.map(([col]) => rows.map((r) => r[col]));
  t.rows += ms(t0);
  const ids = arrays[0] as string[];
  t0 = process.hrtime.bigint();
  await c.query('BEGIN');
  if (v.lock !== false)
    await c.query(`SELECT id, updated_at, expired_at FROM jobs WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids]);
  t.lock += ms(t0);
  t0 = process.hrtime.bigint();
  await c.query(upsertSql(v.dataType ?? 'jsonb'), arrays);
  t.upsert += ms(t0);
  t0 = process.hrtime.bigint();
  if (v.seen !== false) {
    await c.query(`INSERT INTO feed_pass_seen (pass_id, job_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [
      'jobs/2026-12-02T00:00:00.000Z/run',
      ids,
    ]);
  }
  t.seen += ms(t0);
  t0 = process.hrtime.bigint();
  await c.query('COMMIT');
  t.commit += ms(t0);
}

async function main() {
  const pg = await startPostgres();
  const pages = pagesOf(PRELOAD + PAGES);
  const sample = pages[0][0];
  const json = JSON.stringify(sample);
  console.log(`job JSON ${json.length} B (description ${sample.description.length} chars); ${PRELOAD} pages preloaded, ${PAGES} timed`);
  try {
    // Pure computation on the server, no table: the page's tsvectors, and its data text parsed as jsonb.
    {
      const pool = new Pool({ connectionString: pg.url, max: 1 });
      const rows = toUniqueRows(pages[0]);
      const titles = rows.map((r) => r.title);
      const descs = rows.map((r) => r.description);
      const data = rows.map((r) => r.data);
      const arrays = TYPES.map(([col]) => rows.map((r) => r[col]));
      const t00 = process.hrtime.bigint();
      for (const a of arrays) prepareValue(a);
      console.log(
        `client: pg's text encoding of a page's 18 arrays ${ms(t00).toFixed(0)} ms; ${(JSON.stringify(arrays).length / 1e6).toFixed(1)} MB`,
      );
      const t01 = process.hrtime.bigint();
      for (let k = 0; k < 5; k++) toUniqueRows(pages[k]);
      console.log(`client: toUniqueRows (rows + JSON.stringify of the job) ${(ms(t01) / 5).toFixed(0)} ms/page`);
      const objs = rows.map((r) => Object.fromEntries(TYPES.map(([col]) => [col, r[col]])));
      for (let i = 0; i < 3; i++) {
        let t0 = process.hrtime.bigint();
        await pool.query(
          `SELECT count(*) FROM unnest(${TYPES.map(([, t], k) => `$${k + 1}::${t === 'text' ? 'text' : t}[]`).join(', ')})`,
          arrays,
        );
        const viaArrays = ms(t0);
        t0 = process.hrtime.bigint();
        await pool.query(`SELECT count(*) FROM json_to_recordset($1::json) AS u(${TYPES.map(([c, t]) => `${c} ${t}`).join(', ')})`, [
          JSON.stringify(objs),
        ]);
        console.log(
          `page of 1000 rows shipped and read, no table: 18 arrays (unnest) ${viaArrays.toFixed(0)} ms, one JSON document (json_to_recordset) ${ms(t0).toFixed(0)} ms`,
        );
      }
      for (let i = 0; i < 3; i++) {
        let t0 = process.hrtime.bigint();
        await pool.query(`SELECT count(*) FROM unnest($1::text[], $2::text[]) u(t, d)`, [titles, descs]);
        const ship = ms(t0);
        t0 = process.hrtime.bigint();
        await pool.query(
          `SELECT sum(length(setweight(to_tsvector('english', t), 'A') || setweight(to_tsvector('english', d), 'B'))) FROM unnest($1::text[], $2::text[]) u(t, d)`,
          [titles, descs],
        );
        const tsv = ms(t0);
        t0 = process.hrtime.bigint();
        await pool.query(`SELECT count(*) FROM unnest($1::text[]) u(d)`, [data]);
        const shipData = ms(t0);
        t0 = process.hrtime.bigint();
        await pool.query(`SELECT sum(length(d::jsonb::text)) FROM unnest($1::text[]) u(d)`, [data]);
        const jsonb = ms(t0);
        console.log(
          `page of 1000, no table: ship title+description ${ship.toFixed(0)} ms, + to_tsvector ${(tsv - ship).toFixed(0)} ms; ship data ${shipData.toFixed(0)} ms, + jsonb in/out ${(jsonb - shipData).toFixed(0)} ms`,
        );
      }
      await pool.end();
    }
    for (const [i, v] of VARIANTS.entries()) {
      const url = await pg.createDatabase(`profile_${i}`);
      const pool = new Pool({ connectionString: url, max: 1 });
      await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 2)); // the schema before v3, as the code before it wrote
      if (v.ddl) await pool.query(v.ddl);
      const c = await pool.connect();
      const t = { rows: 0, lock: 0, upsert: 0, seen: 0, commit: 0 };
      for (const p of pages.slice(0, PRELOAD)) await timedPage(c, v, p, { ...t });
      const t0 = process.hrtime.bigint();
      for (const p of pages.slice(PRELOAD)) await timedPage(c, v, p, t);
      const total = ms(t0) / PAGES;
      const f = (x: number) => (x / PAGES).toFixed(0).padStart(4);
      const { rows } = await c.query<{ bytes: string }>(`SELECT pg_total_relation_size('jobs') AS bytes`);
      console.log(
        `${v.name.padEnd(44)} ${total.toFixed(0).padStart(4)} ms/page: rows+JSON ${f(t.rows)}, FOR UPDATE ${f(t.lock)}, upsert ${f(t.upsert)}, seen ${f(t.seen)}, commit ${f(t.commit)}; jobs ${(Number(rows[0].bytes) / ((PRELOAD + PAGES) * 1000)).toFixed(0)} B/job`,
      );
      if (i === 0) {
        const rowsOf = toUniqueRows(pages[0].map((j) => ({ ...j, id: j.id.replace(/^./, 'f'), updated_at: '2026-12-02T00:00:00.000Z' })));
        const arrays = TYPES.map(([col]) => rowsOf.map((r) => r[col]));
        await c.query('BEGIN');
        const plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING) ${upsertSql('jsonb')}`, arrays);
        await c.query('ROLLBACK');
        console.log(plan.rows.map((r: Record<string, string>) => `    ${r['QUERY PLAN']}`).join('\n'));
      }
      c.release();
      await pool.end();
    }
    // The store's own upsert (this code), whole and with pieces removed.
    const storeRuns: [string, string | null, boolean][] = [
      ['PostgresJobStore.upsertJobs (this code)', null, true],
      ['  without the seen records (no pass)', null, false],
      ['  without search_tsv (and its GIN)', 'ALTER TABLE jobs DROP COLUMN search_tsv', true],
      [
        '  without the 7 btree + trigram indexes',
        'DROP INDEX jobs_date_posted, jobs_company, jobs_workplace, jobs_employment, jobs_experience, jobs_salary, jobs_active, jobs_location_trgm',
        true,
      ],
    ];
    for (const [i, [name, ddl, withPass]] of storeRuns.entries()) {
      const store = await PostgresJobStore.open(await pg.createDatabase(`profile_store_${i}`));
      if (ddl) await store.pool.query(ddl);
      const opts = withPass ? { seenInRun: 'jobs/x/run' } : {};
      for (const p of pages.slice(0, PRELOAD)) await store.upsertJobs(p, opts);
      const t0 = process.hrtime.bigint();
      for (const p of pages.slice(PRELOAD)) await store.upsertJobs(p, opts);
      const { rows } = await store.pool.query<{ bytes: string }>(`SELECT pg_total_relation_size('jobs') AS bytes`);
      console.log(
        `${name.padEnd(44)} ${(ms(t0) / PAGES).toFixed(0).padStart(4)} ms/page; jobs ${(Number(rows[0].bytes) / ((PRELOAD + PAGES) * 1000)).toFixed(0)} B/job`,
      );
      if (i === 0) {
        const t1 = process.hrtime.bigint();
        for (const p of pages.slice(PRELOAD)) await store.upsertJobs(p, { seenInRun: 'jobs/x/run2' });
        console.log(`  the same pages again (all unchanged, a second pass): ${(ms(t1) / PAGES).toFixed(0)} ms/page`);
      }
      await store.close();
    }
  } finally {
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
