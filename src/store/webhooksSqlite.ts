/** Campaign webhooks on the embedded job store's SQLite handle. */
import type Database from 'better-sqlite3';
import type { SecretBox } from '../notification/secrets';
import { sqliteRunner } from './usersSqlite';
import { SqlWebhooks, WEBHOOKS_SCHEMA, type Webhooks } from './webhooks';

export function sqliteWebhooks(db: Database.Database, box: SecretBox): Webhooks {
  db.exec(WEBHOOKS_SCHEMA('TEXT'));
  return new SqlWebhooks(sqliteRunner(db), box);
}
