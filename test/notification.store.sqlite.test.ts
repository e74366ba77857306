import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '../src/store/sqlite';
import { webhooksSuite } from './notification.store.suite';

webhooksSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-webhooks-'));
  const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  return {
    store,
    rawSecret: async (id) => (store.db.prepare(`SELECT secret FROM campaign_webhooks WHERE id = ?`).get(id) as { secret: string }).secret,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
