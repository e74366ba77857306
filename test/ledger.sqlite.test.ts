import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerFor } from '../src/store/ledger';
import { SqliteJobStore } from '../src/store/sqlite';
import { ledgerSuite } from './ledger.suite';

ledgerSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-ledger-'));
  const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  return {
    ledger: await ledgerFor(store), // on the job store's own handle
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
