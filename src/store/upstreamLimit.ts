/**
 * The upstream rate limit shared by every process on one job store (workers, the API server), so the limit
 * is the upstream key's whole limit however many workers come and go. It is a GCRA schedule (one
 * "theoretical arrival time" per key) plus a pause that a 429/503 Retry-After sets for everyone. Each
 * request reserves its send time in one atomic statement; the caller sleeps until then. A process that dies
 * holding a reservation costs one interval, nothing more: there are no leases to expire.
 *
 * PostgreSQL keeps time by its own clock (`clock_timestamp()`), so workers on machines whose clocks
 * disagree still share one schedule; SQLite is one machine, whose clock every process reads.
 */
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { inTransaction } from './pgTransaction';
import type { JobStore } from './types';

export interface UpstreamSchedule {
  /**
   * Reserves the next send slot for `key` at one request per `intervalMs`, with up to `burst` back to back
   * after idling and none before a pause ends; returns how long the caller waits for its slot (0 = now).
   */
  reserve(key: string, intervalMs: number, burst: number): Promise<number>;
  /** Nobody on `key` sends for `ms` from now (a pause already longer stays). */
  pause(key: string, ms: number): Promise<void>;
  /** How long the pause on `key` still runs (0 when not paused). */
  pausedFor(key: string): Promise<number>;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS upstream_schedule (
  key TEXT PRIMARY KEY,
  tat_ms DOUBLE PRECISION NOT NULL,
  paused_until_ms DOUBLE PRECISION NOT NULL DEFAULT 0
)`;

/*
 * GCRA: a request at `now` is due at base = max(tat, now, paused_until + tau) and the new tat is base +
 * interval; it may go at base - tau, where tau = (burst - 1) * interval is the burst tolerance. After a
 * pause the first request goes when it ends and the rest follow one interval apart (no burst into a limit
 * that just refused us).
 */

export class SqliteUpstreamSchedule implements UpstreamSchedule {
  private readonly reserveStmt: Database.Statement;
  private readonly pauseStmt: Database.Statement;
  private readonly pausedStmt: Database.Statement;

  /** A handle of its own on `path` (every process, and here every call, opens its own connection). */
  static openFile(path: string): SqliteUpstreamSchedule {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    return new SqliteUpstreamSchedule(db);
  }

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.reserveStmt = db.prepare(
      `INSERT INTO upstream_schedule (key, tat_ms) VALUES (@key, @now + @interval)
       ON CONFLICT (key) DO UPDATE SET tat_ms = MAX(tat_ms, @now, paused_until_ms + @tau) + @interval
       RETURNING tat_ms - @interval - @tau - @now AS wait`,
    );
    this.pauseStmt = db.prepare(
      `INSERT INTO upstream_schedule (key, tat_ms, paused_until_ms) VALUES (@key, @now, @until)
       ON CONFLICT (key) DO UPDATE SET paused_until_ms = MAX(paused_until_ms, @until)`,
    );
    this.pausedStmt = db.prepare(`SELECT paused_until_ms - @now AS left FROM upstream_schedule WHERE key = @key`);
  }

  reserve(key: string, intervalMs: number, burst: number): Promise<number> {
    const row = this.reserveStmt.get({ key, now: Date.now(), interval: intervalMs, tau: (burst - 1) * intervalMs }) as { wait: number };
    return Promise.resolve(Math.max(0, row.wait));
  }

  pause(key: string, ms: number): Promise<void> {
    const now = Date.now();
    this.pauseStmt.run({ key, now, until: now + ms });
    return Promise.resolve();
  }

  pausedFor(key: string): Promise<number> {
    const row = this.pausedStmt.get({ key, now: Date.now() }) as { left: number } | undefined;
    return Promise.resolve(Math.max(0, row?.left ?? 0));
  }
}

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::double precision`;
const SCHEMA_LOCK = 0x75706c6d; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

export class PostgresUpstreamSchedule implements UpstreamSchedule {
  private constructor(readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresUpstreamSchedule> {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query(SCHEMA);
    });
    return new PostgresUpstreamSchedule(pool);
  }

  async reserve(key: string, intervalMs: number, burst: number): Promise<number> {
    // `now` is read once (the CTE) and carried into the conflict branch as EXCLUDED.tat_ms - interval.
    const { rows } = await this.pool.query<{ wait: number }>(
      `WITH t AS (SELECT ${NOW_MS} AS now)
       INSERT INTO upstream_schedule AS s (key, tat_ms) SELECT $1, t.now + $2 FROM t
       ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(s.tat_ms, EXCLUDED.tat_ms - $2, s.paused_until_ms + $3) + $2
       RETURNING s.tat_ms - $2 - $3 - (SELECT now FROM t) AS wait`,
      [key, intervalMs, (burst - 1) * intervalMs],
    );
    return Math.max(0, Number(rows[0].wait));
  }

  async pause(key: string, ms: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO upstream_schedule AS s (key, tat_ms, paused_until_ms) VALUES ($1, ${NOW_MS}, ${NOW_MS} + $2)
       ON CONFLICT (key) DO UPDATE SET paused_until_ms = GREATEST(s.paused_until_ms, EXCLUDED.paused_until_ms)`,
      [key, ms],
    );
  }

  async pausedFor(key: string): Promise<number> {
    const { rows } = await this.pool.query<{ left: number }>(
      `SELECT paused_until_ms - ${NOW_MS} AS left FROM upstream_schedule WHERE key = $1`,
      [key],
    );
    return Math.max(0, Number(rows[0]?.left ?? 0));
  }
}

/** The shared schedule on the job store's own connection (the same SQLite handle or PostgreSQL pool). */
export async function upstreamScheduleFor(store: JobStore): Promise<UpstreamSchedule> {
  if (store.kind === 'postgres') {
    const { PostgresJobStore } = await import('./postgres');
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return PostgresUpstreamSchedule.open(store.pool);
  }
  const { SqliteJobStore } = await import('./sqlite');
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  if (store.db.memory) return new SqliteUpstreamSchedule(store.db);
  const path = `${store.db.name}-upstream`;
  let schedule = scheduleFiles.get(path);
  if (!schedule) scheduleFiles.set(path, (schedule = SqliteUpstreamSchedule.openFile(path)));
  return schedule;
}

/**
 * One handle per schedule file per process. The schedule has its own small file beside the store's: a slot
 * must never wait behind another process's (or thread's) long job-store write, and a busy SQLite handle
 * blocks its whole event loop.
 */
const scheduleFiles = new Map<string, SqliteUpstreamSchedule>();
