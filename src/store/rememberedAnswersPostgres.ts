/** Remembered answers on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import { inTransaction } from './pgTransaction';
import { REMEMBERED_ANSWERS_SCHEMA, SqlRememberedAnswers, type AnswerSeal, type RememberedAnswers } from './rememberedAnswers';
import { pgRunner } from './usersPostgres';

const SCHEMA_LOCK = 0x72656d62; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

export async function openPostgresRememberedAnswers(pool: Pool, seal: AnswerSeal): Promise<RememberedAnswers> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await c.query(REMEMBERED_ANSWERS_SCHEMA('timestamptz'));
  });
  return new SqlRememberedAnswers(pgRunner(pool), seal);
}
