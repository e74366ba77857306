import { PostgresJobStore } from '../src/store/postgres';
import { startPostgres } from './support/postgres';
import { webhooksSuite } from './notification.store.suite';

webhooksSuite('postgres', async () => {
  const pg = await startPostgres();
  const store = await PostgresJobStore.open(pg.url);
  return {
    store,
    rawSecret: async (id) =>
      (await store.pool.query<{ secret: string }>(`SELECT secret FROM campaign_webhooks WHERE id = $1`, [id])).rows[0].secret,
    close: async () => {
      await store.close();
      await pg.stop();
    },
  };
});
