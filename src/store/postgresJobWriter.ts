/**
 * One page of jobs into PostgreSQL (schema v3): the write path of PostgresJobStore.upsertJobs. What a page
 * costs, in order (bench/pg-write-profile.ts measures each piece):
 *  1. one query for the stored version (and seq) of every id of the page, outside the transaction;
 *  2. a row only for a job that is new or newer than that version: an unchanged or older copy costs its id
 *     in that query and nothing else. A stored version only ever grows (nothing on the sync path deletes a
 *     job), so a copy found not newer then is not newer later either;
 *  3. the rows as one JSON document (`json_to_recordset`): pg's encoding of 18 text arrays cost more than
 *     the insert's own indexes; `data` is the compact form (./jobData), so the description is stored once;
 *  4. in one transaction: the stored rows among them locked in id order (to count revived and older copies
 *     exactly), the guarded `INSERT ... ON CONFLICT DO UPDATE WHERE newer` (the monotonic-rows invariant in
 *     SQL, whatever committed since step 1), and the pass's seen records as (pass number, job seq).
 */
import type { Pool } from 'pg';
import type { JobDto } from '../jobo/schemas';
import { jobDataValue } from './jobData';
import { inTransaction } from './pgTransaction';
import { decideUpsert, jobColumns, uniqueJobs } from './rows';
import type { UpsertOptions, UpsertResult } from './types';

export const COLUMNS: [string, string][] = [
  ['id', 'text'],
  ['title', 'text'],
  ['description', 'text'],
  ['company_name', 'text'],
  ['location_text', 'text'],
  ['workplace_type', 'text'],
  ['employment_type', 'text'],
  ['experience_level', 'text'],
  ['date_posted', 'timestamptz'],
  ['compensation_min', 'float8'],
  ['compensation_max', 'float8'],
  ['compensation_currency', 'text'],
  ['compensation_period', 'text'],
  ['salary_min_yearly', 'float8'],
  ['salary_max_yearly', 'float8'],
  ['apply_url', 'text'],
  ['updated_at', 'text'],
  ['data', 'jsonb'],
];
const names = COLUMNS.map(([c]) => c);

// The guard is the monotonic-rows invariant (types.ts) in SQL, so a row inserted or changed by another
// transaction after our read is still only replaced by a newer copy. RETURNING lists the rows written.
const UPSERT_SQL = `
  INSERT INTO jobs (${names.join(', ')})
  SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS u(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET
    ${names
      .filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')},
    synced_at = now(), expired_at = NULL
  WHERE excluded.updated_at::timestamptz >
    CASE WHEN jobs.expired_at IS NULL THEN jobs.updated_at::timestamptz
         ELSE greatest(jobs.updated_at::timestamptz, jobs.expired_at) END
  RETURNING id, seq`;

const VERSIONS_SQL = `SELECT id, seq, updated_at, expired_at FROM jobs WHERE id = ANY($1::text[])`;
// In id order (bytewise, as the page's inserts below), so two writers locking overlapping pages wait for
// each other instead of deadlocking.
const LOCK_SQL = `${VERSIONS_SQL} ORDER BY id COLLATE "C" FOR UPDATE`;
const ADD_PASS_SQL = `INSERT INTO feed_passes (pass_id) VALUES ($1) ON CONFLICT DO NOTHING`;
// In seq order: a pass's records are mostly appended to its index, not scattered.
const SEEN_SQL = `
  INSERT INTO feed_pass_seen_jobs (pass, seq)
  SELECT (SELECT n FROM feed_passes WHERE pass_id = $1), s FROM unnest($2::bigint[]) AS s ORDER BY s
  ON CONFLICT DO NOTHING`;

interface Version {
  id: string;
  /** int8, as pg returns it. */
  seq: string;
  updated_at: string;
  expired_at: Date | null;
}

const versionOf = (v: Version | undefined) => v && { updated_at: v.updated_at, expired_at: v.expired_at?.toISOString() ?? null };

/** A job's row for json_to_recordset (COLUMNS' names). */
export function pageRow(job: JobDto): Record<string, unknown> {
  return { ...jobColumns(job), data: jobDataValue(job) };
}

export async function writePage(pool: Pool, jobs: readonly JobDto[], opts: UpsertOptions = {}): Promise<UpsertResult> {
  const result: UpsertResult = { upserted: 0, skipped: 0, older: 0, revived: 0 };
  const unique = uniqueJobs(jobs);
  if (unique.length === 0) return result;
  const pass = opts.seenInRun;
  const found = (await pool.query<Version>(VERSIONS_SQL, [unique.map((j) => j.id)])).rows;
  const stored = new Map(found.map((r) => [r.id, r]));
  // Every stored job of the page is seen by the pass, written or not.
  const seqs = found.map((r) => r.seq);
  const candidates: JobDto[] = [];
  for (const job of unique) {
    const d = decideUpsert(versionOf(stored.get(job.id)), job.updated_at);
    if (d === 'insert' || d === 'replace' || d === 'revive') {
      candidates.push(job);
    } else {
      result.skipped++;
      if (d === 'older') result.older++;
    }
  }
  // Committed on its own: concurrent pages of one pass never wait for each other's pass row.
  if (pass) await pool.query(ADD_PASS_SQL, [pass]);
  if (candidates.length === 0) {
    if (pass) await pool.query(SEEN_SQL, [pass, seqs]);
    return result;
  }
  // In id order: writers of overlapping new jobs insert them in the same order too.
  candidates.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const payload = JSON.stringify(candidates.map(pageRow));
  return inTransaction(pool, async (c) => {
    const existing = candidates.filter((j) => stored.has(j.id)).map((j) => j.id);
    const locked = new Map<string, Version>();
    if (existing.length > 0) for (const r of (await c.query<Version>(LOCK_SQL, [existing])).rows) locked.set(r.id, r);
    const written = new Map((await c.query<{ id: string; seq: string }>(UPSERT_SQL, [payload])).rows.map((r) => [r.id, r.seq]));
    // New at step 1 and not written: another writer inserted a newer or equal copy meanwhile. The upsert
    // locked those rows, so this read is what stopped the guard.
    const raced = candidates.filter((j) => !written.has(j.id) && !locked.has(j.id)).map((j) => j.id);
    const now = new Map<string, Version>();
    if (raced.length > 0) for (const r of (await c.query<Version>(VERSIONS_SQL, [raced])).rows) now.set(r.id, r);
    for (const job of candidates) {
      const prev = locked.get(job.id);
      const seq = written.get(job.id);
      if (seq !== undefined) {
        result.upserted++;
        if (prev?.expired_at) result.revived++;
        if (!stored.has(job.id)) seqs.push(seq);
      } else {
        result.skipped++;
        const row = prev ?? now.get(job.id);
        if (row && decideUpsert(versionOf(row), job.updated_at) === 'older') result.older++;
        if (row && !stored.has(job.id)) seqs.push(row.seq);
      }
    }
    if (pass) await c.query(SEEN_SQL, [pass, seqs]);
    return result;
  });
}
