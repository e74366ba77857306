import { ledgerFor } from '../src/store/ledger';
import { PostgresJobStore } from '../src/store/postgres';
import { startPostgres } from './support/postgres';
import { ledgerSuite } from './ledger.suite';

ledgerSuite('postgres', async () => {
  const pg = await startPostgres();
  const store = await PostgresJobStore.open(pg.url);
  return {
    ledger: await ledgerFor(store), // on the job store's own pool
    close: async () => {
      await store.close();
      await pg.stop();
    },
  };
});
