/** Campaign webhooks on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import type { SecretBox } from '../notification/secrets';
import { pgRunner } from './usersPostgres';
import { SqlWebhooks, WEBHOOKS_SCHEMA, type Webhooks } from './webhooks';

const SCHEMA_LOCK = 0x77686b73; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

export async function openPostgresWebhooks(pool: Pool, box: SecretBox): Promise<Webhooks> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await c.query(WEBHOOKS_SCHEMA('timestamptz'));
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
  return new SqlWebhooks(pgRunner(pool), box);
}
