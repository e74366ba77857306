/** Users and keys on the PostgreSQL job store's pool. */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './pgTransaction';
import {
  RESERVATION_BACKFILL,
  SqlUsers,
  USERS_ADDED_COLUMNS,
  USERS_LATE_INDEXES,
  USERS_SCHEMA,
  backfillParams,
  type BackfillRow,
  type SqlRunner,
  type Users,
} from './users';

export const USERS_SCHEMA_LOCK = 0x75737273; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

/** `?` placeholders → `$n`. */
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** The users tables inside the caller's transaction (the ledger creates them too, for its reservations). */
export async function createUsersSchema(c: PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [USERS_SCHEMA_LOCK]);
  await c.query(USERS_SCHEMA('timestamptz'));
  // Columns added since the tables first shipped; existing reservations get their day and provider.
  const { rows: have } = await c.query<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()
     AND table_name IN ('api_users', 'application_reservations')`,
  );
  // ALTER only what is missing: a no-op ALTER would still take the table's exclusive lock on every open.
  for (const [table, column, type] of USERS_ADDED_COLUMNS) {
    if (!have.some((h) => h.t === table && h.c === column))
      await c.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type.toLowerCase()}`);
  }
  if ((await c.query(RESERVATION_BACKFILL.pending)).rows.length) {
    const { rows } = await c.query<BackfillRow>(RESERVATION_BACKFILL.select);
    for (const r of rows) await c.query(numbered(RESERVATION_BACKFILL.update), backfillParams(r));
  }
  await c.query(USERS_LATE_INDEXES);
}

export async function openPostgresUsers(pool: Pool): Promise<Users> {
  await inTransaction(pool, createUsersSchema);
  return new SqlUsers(pgRunner(pool));
}

export const pgRunner = (pool: Pool): SqlRunner => ({
  all: async <T>(sql: string, params: unknown[]) => (await pool.query(numbered(sql), params)).rows as T[],
  run: async (sql, params) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
  isUniqueViolation: (err) => (err as { code?: string }).code === '23505',
});
