/** Remembered answers on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import { REMEMBERED_ANSWERS_SCHEMA, SqlRememberedAnswers, type AnswerSeal, type RememberedAnswers } from './rememberedAnswers';
import { pgRunner } from './usersPostgres';

const SCHEMA_LOCK = 0x72656d62; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

export async function openPostgresRememberedAnswers(pool: Pool, seal: AnswerSeal): Promise<RememberedAnswers> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await c.query(REMEMBERED_ANSWERS_SCHEMA('timestamptz'));
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
  return new SqlRememberedAnswers(pgRunner(pool), seal);
}
