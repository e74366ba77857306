/** Campaign webhooks on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import { inTransaction } from './pgTransaction';
import type { SecretBox } from '../notification/secrets';
import { pgRunner } from './usersPostgres';
import { SqlWebhooks, WEBHOOKS_SCHEMA, type Webhooks } from './webhooks';

const SCHEMA_LOCK = 0x77686b73; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

export async function openPostgresWebhooks(pool: Pool, box: SecretBox): Promise<Webhooks> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await c.query(WEBHOOKS_SCHEMA('timestamptz'));
  });
  return new SqlWebhooks(pgRunner(pool), box);
}
