/** Users and keys on the PostgreSQL job store's pool. */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './pgTransaction';
import { SqlUsers, USERS_SCHEMA, type SqlRunner, type Users } from './users';

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
