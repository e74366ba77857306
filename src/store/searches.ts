/**
 * Job search records: what a user searched for (POST /jobs/search), kept 30 days so a campaign's searchId
 * can fill its searchContext. A record belongs to the user who made it; another user's, or one past its
 * 30 days, is as unknown as one never made. Expired records are deleted as new ones are made.
 */
import { randomBytes } from 'node:crypto';
import type { SearchContext } from '../campaign/input';
import { inTransaction } from './pgTransaction';
import type { JobStore } from './types';
import type { SqlRunner } from './users';

export const SEARCH_RETENTION_DAYS = 30;

export interface SearchRecord {
  id: string;
  userId: string;
  /** The filters as the caller gave them (the campaign filter shape). */
  filters: Record<string, unknown>;
  context: SearchContext;
  resultCount: number;
  createdAt: string;
  expiresAt: string;
}

export interface JobSearches {
  create(userId: string, filters: Record<string, unknown>, context: SearchContext, resultCount: number, now?: Date): Promise<SearchRecord>;
  get(userId: string, id: string, now?: Date): Promise<SearchRecord | null>;
}

export const SEARCHES_SCHEMA = `
  CREATE TABLE IF NOT EXISTS job_searches (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    filters      TEXT NOT NULL,
    context      TEXT NOT NULL,
    result_count INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS job_searches_expiry ON job_searches (expires_at);
`;

interface Row {
  id: string;
  user_id: string;
  filters: string;
  context: string;
  result_count: number | string;
  created_at: string;
  expires_at: string;
}

export class SqlJobSearches implements JobSearches {
  constructor(private readonly db: SqlRunner) {}

  async create(
    userId: string,
    filters: Record<string, unknown>,
    context: SearchContext,
    resultCount: number,
    now = new Date(),
  ): Promise<SearchRecord> {
    const id = `srch_${randomBytes(12).toString('hex')}`;
    const expiresAt = new Date(now.getTime() + SEARCH_RETENTION_DAYS * 86_400_000).toISOString();
    await this.db.run(`DELETE FROM job_searches WHERE expires_at <= ?`, [now.toISOString()]);
    await this.db.run(
      `INSERT INTO job_searches (id, user_id, filters, context, result_count, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [id, userId, JSON.stringify(filters), JSON.stringify(context), resultCount, now.toISOString(), expiresAt],
    );
    return { id, userId, filters, context, resultCount, createdAt: now.toISOString(), expiresAt };
  }

  async get(userId: string, id: string, now = new Date()): Promise<SearchRecord | null> {
    const [r] = await this.db.all<Row>(`SELECT * FROM job_searches WHERE id = ? AND user_id = ? AND expires_at > ?`, [
      id,
      userId,
      now.toISOString(),
    ]);
    if (!r) return null;
    return {
      id: r.id,
      userId: r.user_id,
      filters: JSON.parse(r.filters) as Record<string, unknown>,
      context: JSON.parse(r.context) as SearchContext,
      resultCount: Number(r.result_count),
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }
}

/** Search records on the job store's own connection. */
export async function searchesFor(store: JobStore): Promise<JobSearches> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { pgRunner }] = await Promise.all([import('./postgres'), import('./usersPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    await inTransaction(store.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [0x73726368]); // concurrent CREATE ... IF NOT EXISTS can race
      await c.query(SEARCHES_SCHEMA);
    });
    return new SqlJobSearches(pgRunner(store.pool));
  }
  const [{ SqliteJobStore }, { sqliteRunner }] = await Promise.all([import('./sqlite'), import('./usersSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  store.db.exec(SEARCHES_SCHEMA);
  return new SqlJobSearches(sqliteRunner(store.db));
}
