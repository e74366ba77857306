/**
 * Usage and analytics from the applications ledger. A row belongs to the user owning its profile
 * (profile_owners), so a scope is a set of user ids. Counts are by the row's creation time; a row refused by
 * a limit (FAILED, `limit_reached: …`) counts as limitReached, not as failed. Both backends run the same
 * statements (`?` placeholders; PostgreSQL numbers them), over the indexes made here.
 */
import type { JobStore } from './types';
import { LIMIT_REACHED } from './users';

export interface UsageScope {
  userIds: string[];
  /** Inclusive lower bound on created_at (ISO). */
  from?: string | null;
  /** Exclusive upper bound on created_at (ISO). */
  to?: string | null;
}

export interface Counts {
  total: number;
  successful: number;
  failed: number;
  limitReached: number;
  inProgress: number;
  cancelled: number;
  /** Parked at a captcha or login wall: only a person can finish them. */
  needsPerson: number;
}

export interface Summary {
  overview: Counts & { successRate: number | null };
  byProvider: (Counts & { provider: string })[];
  dailyTrend: (Counts & { date: string })[];
  topSessions: (Counts & { sessionId: string })[];
  recentActivity: {
    profileId: string;
    jobId: string;
    jobUrl: string;
    status: string;
    provider: string | null;
    sessionId: string | null;
    error: string | null;
    updatedAt: string;
  }[];
}

export interface Analytics {
  counts(scope: UsageScope): Promise<Counts>;
  summary(scope: UsageScope): Promise<Summary>;
}

export const ANALYTICS_INDEXES = `
  CREATE INDEX IF NOT EXISTS applications_profile_created ON applications (profile_id, created_at);
`;

const LIMIT = `(status = 'FAILED' AND COALESCE(error, '') LIKE '${LIMIT_REACHED}:%')`;
const COUNT_COLUMNS = `
  COUNT(*) AS total,
  SUM(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END) AS successful,
  SUM(CASE WHEN status = 'FAILED' AND NOT ${LIMIT} THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN ${LIMIT} THEN 1 ELSE 0 END) AS limit_reached,
  SUM(CASE WHEN status IN ('QUEUED', 'PROCESSING', 'UNCONFIRMED') THEN 1 ELSE 0 END) AS in_progress,
  SUM(CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END) AS cancelled,
  SUM(CASE WHEN status = 'NEEDS_PERSON' THEN 1 ELSE 0 END) AS needs_person`;

type CountRow = Record<
  'total' | 'successful' | 'failed' | 'limit_reached' | 'in_progress' | 'cancelled' | 'needs_person',
  number | string | null
>;

const countsOf = (r: CountRow | undefined): Counts => ({
  total: Number(r?.total ?? 0),
  successful: Number(r?.successful ?? 0),
  failed: Number(r?.failed ?? 0),
  limitReached: Number(r?.limit_reached ?? 0),
  inProgress: Number(r?.in_progress ?? 0),
  cancelled: Number(r?.cancelled ?? 0),
  needsPerson: Number(r?.needs_person ?? 0),
});

export interface AnalyticsRunner {
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  /** The SQL for a row's UTC day, YYYY-MM-DD. */
  day: string;
}

export class SqlAnalytics implements Analytics {
  constructor(private readonly db: AnalyticsRunner) {}

  private where(scope: UsageScope): { sql: string; params: unknown[] } {
    const params: unknown[] = [...scope.userIds];
    let sql = `profile_id IN (SELECT profile_id FROM profile_owners WHERE user_id IN (${scope.userIds.map(() => '?').join(', ') || 'NULL'}))`;
    if (scope.from) {
      sql += ` AND created_at >= ?`;
      params.push(scope.from);
    }
    if (scope.to) {
      sql += ` AND created_at < ?`;
      params.push(scope.to);
    }
    return { sql, params };
  }

  async counts(scope: UsageScope): Promise<Counts> {
    const w = this.where(scope);
    return countsOf((await this.db.all<CountRow>(`SELECT ${COUNT_COLUMNS} FROM applications WHERE ${w.sql}`, w.params))[0]);
  }

  async summary(scope: UsageScope): Promise<Summary> {
    const w = this.where(scope);
    const [overview, byProvider, daily, sessions, recent] = await Promise.all([
      this.counts(scope),
      this.db.all<CountRow & { provider: string }>(
        `SELECT COALESCE(provider, 'unknown') AS provider, ${COUNT_COLUMNS} FROM applications WHERE ${w.sql} GROUP BY COALESCE(provider, 'unknown') ORDER BY total DESC, provider`,
        w.params,
      ),
      this.db.all<CountRow & { date: string }>(
        `SELECT ${this.db.day} AS date, ${COUNT_COLUMNS} FROM applications WHERE ${w.sql} GROUP BY ${this.db.day} ORDER BY date`,
        w.params,
      ),
      this.db.all<CountRow & { session_id: string }>(
        `SELECT campaign_id AS session_id, ${COUNT_COLUMNS} FROM applications WHERE ${w.sql} AND campaign_id IS NOT NULL
         GROUP BY campaign_id ORDER BY total DESC, session_id LIMIT 5`,
        w.params,
      ),
      this.db.all<{
        profile_id: string;
        job_id: string;
        job_url: string;
        status: string;
        provider: string | null;
        campaign_id: string | null;
        error: string | null;
        updated_at: string | Date;
      }>(
        `SELECT profile_id, job_id, job_url, status, provider, campaign_id, error, updated_at FROM applications WHERE ${w.sql} ORDER BY updated_at DESC, job_id LIMIT 10`,
        w.params,
      ),
    ]);
    const decided = overview.successful + overview.failed;
    return {
      overview: { ...overview, successRate: decided ? Math.round((overview.successful / decided) * 10_000) / 10_000 : null },
      byProvider: byProvider.map((r) => ({ provider: r.provider, ...countsOf(r) })),
      dailyTrend: daily.map((r) => ({ date: r.date, ...countsOf(r) })),
      topSessions: sessions.map((r) => ({ sessionId: r.session_id, ...countsOf(r) })),
      recentActivity: recent.map((r) => ({
        profileId: r.profile_id,
        jobId: r.job_id,
        jobUrl: r.job_url,
        status: r.status,
        provider: r.provider,
        sessionId: r.campaign_id,
        error: r.error,
        updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : r.updated_at,
      })),
    };
  }
}

/** Analytics on the job store's own connection; the ledger must have been opened (its tables). */
export async function analyticsFor(store: JobStore): Promise<Analytics> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { numbered }] = await Promise.all([import('./postgres'), import('./usersPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    await store.pool.query(ANALYTICS_INDEXES);
    const pool = store.pool;
    return new SqlAnalytics({
      all: async <T>(sql: string, params: unknown[]) => (await pool.query(numbered(sql), params)).rows as T[],
      day: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    });
  }
  const { SqliteJobStore } = await import('./sqlite');
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  const db = store.db;
  db.exec(ANALYTICS_INDEXES);
  return new SqlAnalytics({
    all: async <T>(sql: string, params: unknown[]) => db.prepare(sql).all(...params) as T[],
    day: `substr(created_at, 1, 10)`,
  });
}
