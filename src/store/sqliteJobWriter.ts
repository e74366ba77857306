/**
 * One page of jobs into SQLite (schema v4): the write path of SqliteJobStore.upsertJobs, kept apart so it
 * can run on any connection to the file (the store's writer thread has its own, ./sqliteWriterThread).
 * What a page costs, in order:
 *  1. one query for the stored version of every id of the page (`json_each` over the ids);
 *  2. a row (columns + the compact `data`, ./jobData) only for a job that is new or newer than its row: an
 *     unchanged or older copy costs its id in that query and nothing else (`pageEntries`);
 *  3. inserts and replaces through prepared statements with positional parameters;
 *  4. the full-text index written by the same code (not by triggers: FTS5 flushes its pending terms at every
 *     statement savepoint, so a trigger made one index segment per row, and that cost more than the rest of
 *     the write together); a replaced row's old entry is deleted from the index only when its text or
 *     date_posted (part of the index key, ftsKeySql) changed;
 *  5. the pass's seen records for the whole page in one statement, as (pass number, row seq).
 * 3 to 5 run in one immediate transaction, which decides every entry again under the write lock.
 */
import type Database from 'better-sqlite3';
import type { JobDto } from '../jobo/schemas';
import { encodeJobData } from './jobData';
import { decideUpsert, jobColumns, uniqueJobs } from './rows';
import type { UpsertOptions, UpsertResult } from './types';

const COLUMNS = `id, title, description, company_name, location_text, workplace_type, employment_type, experience_level,
  date_posted, compensation_min, compensation_max, compensation_currency, compensation_period, salary_min_yearly,
  salary_max_yearly, apply_url, updated_at, data`;

const INSERT_SQL = `INSERT INTO jobs (${COLUMNS}, first_seen_at, synced_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// Only after decideUpsert said the copy is newer, inside the same immediate transaction as the read.
const REPLACE_SQL = `UPDATE jobs SET title = ?, description = ?, company_name = ?, location_text = ?,
  workplace_type = ?, employment_type = ?, experience_level = ?, date_posted = ?, compensation_min = ?,
  compensation_max = ?, compensation_currency = ?, compensation_period = ?, salary_min_yearly = ?,
  salary_max_yearly = ?, apply_url = ?, updated_at = ?, data = ?, synced_at = ?, expired_at = NULL
  WHERE seq = ?`;

/** The 18 column values of a job, in COLUMNS order. */
export function jobValues(job: JobDto): unknown[] {
  return [...Object.values(jobColumns(job)), encodeJobData(job)];
}

export interface StoredVersion {
  id: string;
  seq: number;
  updated_at: string;
  expired_at: string | null;
}

/**
 * One job of a page as the writer gets it: id, updated_at and its column values (jobValues), or null when
 * the version read before the write said the copy is not newer. That read may be a moment old, but a stored
 * version only ever grows (nothing deletes a job on the sync path), so a copy found not newer then is not
 * newer at write time either; the writer decides again, under the write lock, for every entry.
 */
export type PageEntry = [id: string, updatedAt: string, values: unknown[] | null];

export interface PageToWrite {
  entries: PageEntry[];
  seenInRun?: string;
}

/**
 * The full-text row key (schema v5): date_posted in seconds since 2000 (0 without a date; clamped to 31
 * bits) above the job's seq (32 bits), so the index walks its matches newest first and a search stops after
 * the rows it needs instead of ranking every match. The one expression for the migration, the writer and the
 * delete trigger, so a row's key is always computed the same way.
 */
export function ftsKeySql(datePosted: string, seq: string): string {
  return `((min(2147483647, max(0, coalesce(unixepoch(${datePosted}), 946684800) - 946684800)) << 32) | ${seq})`;
}

/** A full-text write: date_posted and seq (the key, ftsKeySql), title, description. */
type FtsEntry = [posted: string | null, seq: number, title: string, description: string];

// Key order, near enough: date_posted (no date first, as key 0), then seq; only how often FTS5 flushes depends on it.
const byKey = (a: FtsEntry, b: FtsEntry) => {
  const [da, db] = [a[0] ?? '', b[0] ?? ''];
  return da < db ? -1 : da > db ? 1 : a[1] - b[1];
};

const LOOKUP_SQL = `SELECT id, seq, updated_at, expired_at FROM jobs WHERE id IN (SELECT value FROM json_each(?))`;

/** The stored versions of `ids`, one query. */
export function sqliteVersions(db: Database.Database): (ids: readonly string[]) => Map<string, StoredVersion> {
  const lookup = db.prepare(LOOKUP_SQL);
  return (ids) => {
    const stored = new Map<string, StoredVersion>();
    for (const r of lookup.all(JSON.stringify(ids)) as StoredVersion[]) stored.set(r.id, r);
    return stored;
  };
}

/**
 * A page's entries: a row is built only for a job that is new or newer than its stored version, so an
 * unchanged or older copy costs nothing past the version query.
 */
export function pageEntries(jobs: readonly JobDto[], versions: (ids: readonly string[]) => Map<string, StoredVersion>): PageEntry[] {
  const unique = uniqueJobs(jobs);
  if (unique.length === 0) return [];
  const stored = versions(unique.map((j) => j.id));
  return unique.map((job): PageEntry => {
    const d = decideUpsert(stored.get(job.id), job.updated_at);
    return [job.id, job.updated_at, d === 'unchanged' || d === 'older' ? null : jobValues(job)];
  });
}

/** Writes pages in one immediate transaction (each decided in turn, so a later page sees an earlier one). */
export type PagesWriter = (pages: readonly PageToWrite[]) => UpsertResult[];

export function sqlitePagesWriter(db: Database.Database): PagesWriter {
  const lookup = db.prepare(LOOKUP_SQL);
  const insert = db.prepare(INSERT_SQL);
  const replace = db.prepare(REPLACE_SQL);
  const oldText = db.prepare(`SELECT title, description, date_posted FROM jobs WHERE seq = ?`).raw();
  const ftsInsert = db.prepare(`INSERT INTO jobs_fts (rowid, title, description) VALUES (${ftsKeySql('?', '?')}, ?, ?)`);
  const ftsDelete = db.prepare(
    `INSERT INTO jobs_fts (jobs_fts, rowid, title, description) VALUES ('delete', ${ftsKeySql('?', '?')}, ?, ?)`,
  );
  const addPass = db.prepare(`INSERT OR IGNORE INTO feed_passes (pass_id) VALUES (?)`);
  const passNumber = db.prepare(`SELECT n FROM feed_passes WHERE pass_id = ?`).pluck();
  const seen = db.prepare(`INSERT OR IGNORE INTO feed_pass_seen_jobs (pass, seq) SELECT ?, value FROM json_each(?)`);

  const writePage = ({ entries, seenInRun }: PageToWrite, now: string): UpsertResult => {
    const result: UpsertResult = { upserted: 0, skipped: 0, older: 0, revived: 0 };
    if (entries.length === 0) return result;
    const stored = new Map<string, StoredVersion>();
    for (const r of lookup.all(JSON.stringify(entries.map((e) => e[0]))) as StoredVersion[]) stored.set(r.id, r);
    const seqs: number[] = [];
    const adds: FtsEntry[] = [];
    const drops: FtsEntry[] = [];
    for (const [id, updatedAt, values] of entries) {
      const row = stored.get(id);
      const decision = decideUpsert(row, updatedAt);
      if (row) seqs.push(row.seq);
      if (decision === 'insert' || decision === 'replace' || decision === 'revive') {
        // Not newer when read before the write means not newer now (see PageEntry); a row deleted in
        // between would land here: fail the page, and its retry builds every row.
        if (!values) throw new Error(`job ${id}: no row built for a copy that must be written (was the job deleted meanwhile?)`);
        const title = values[1] as string;
        const description = values[2] as string;
        const posted = values[8] as string | null;
        if (decision === 'insert') {
          const seq = Number(insert.run(...values, now, now).lastInsertRowid);
          adds.push([posted, seq, title, description]);
          seqs.push(seq);
        } else {
          const [oldTitle, oldDescription, oldPosted] = oldText.get(row!.seq) as [string, string, string | null];
          replace.run(...values.slice(1), now, row!.seq); // the id stays
          // date_posted is part of the index key (ftsKeySql), so a new date moves the row too.
          if (oldTitle !== title || oldDescription !== description || oldPosted !== posted) {
            drops.push([oldPosted, row!.seq, oldTitle, oldDescription]);
            adds.push([posted, row!.seq, title, description]);
          }
        }
        result.upserted++;
        if (decision === 'revive') result.revived++;
      } else {
        result.skipped++;
        if (decision === 'older') result.older++;
      }
    }
    // FTS5 flushes its pending terms whenever a write's key is below the last one, or a delete follows an
    // insert; keys follow date_posted, not the page's order, so the page's entries go in key order, deletes
    // first (in page order it flushed about once per row).
    for (const e of drops.sort(byKey)) ftsDelete.run(...e);
    for (const e of adds.sort(byKey)) ftsInsert.run(...e);
    if (seenInRun) {
      addPass.run(seenInRun);
      // In seq order: a pass's records are appended, not scattered.
      seen.run(passNumber.get(seenInRun), JSON.stringify(seqs.sort((a, b) => a - b)));
    }
    return result;
  };
  const pages = db.transaction((batch: readonly PageToWrite[]) => {
    const now = new Date().toISOString();
    return batch.map((p) => writePage(p, now));
  });
  // Immediate: the read that decides and the writes that follow hold the write lock together, so another
  // process cannot slip a newer row in between.
  return (batch) => pages.immediate(batch);
}

export type PageWriter = (jobs: readonly JobDto[], opts: UpsertOptions) => UpsertResult;

/** The whole path on one connection (no writer thread). */
export function sqlitePageWriter(db: Database.Database): PageWriter {
  const versions = sqliteVersions(db);
  const write = sqlitePagesWriter(db);
  return (jobs, opts) => write([{ entries: pageEntries(jobs, versions), seenInRun: opts.seenInRun }])[0];
}
