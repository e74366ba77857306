/** A SQLite job store and its applications ledger in a fresh temp dir; `close()` removes both. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerFor, type ApplicationsLedger } from '../../src/store/ledger';
import { SqliteJobStore } from '../../src/store/sqlite';

export interface TempStore {
  dir: string;
  store: SqliteJobStore;
  ledger: ApplicationsLedger;
  // A property, not a method: callers pass `temp.close` on as a function.
  close: () => Promise<void>;
}

export async function openTempStore(prefix: string): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let store: SqliteJobStore | undefined;
  const close = async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
    return { dir, store, ledger: await ledgerFor(store), close };
  } catch (err) {
    await close();
    throw err;
  }
}
