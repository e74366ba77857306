/** Opens the configured job store (APPLYFLOW_STORE): SQLite by default, PostgreSQL for scale. */
import type { Config } from '../config';
import type { JobStore } from './types';

export * from './types';

export async function openStore(config: Pick<Config, 'store'>): Promise<JobStore> {
  // Backends load on demand so a SQLite deployment never loads pg, and vice versa.
  if (config.store.kind === 'postgres') {
    const { PostgresJobStore } = await import('./postgres');
    return PostgresJobStore.open(config.store.databaseUrl!);
  }
  const { SqliteJobStore } = await import('./sqlite');
  return new SqliteJobStore(config.store.sqlitePath);
}

/** Opens the store on first call and shares it after; a failed open is retried on the next call. */
export function lazyStore(config: Pick<Config, 'store'>): () => Promise<JobStore> {
  let opening: Promise<JobStore> | undefined;
  return () => {
    opening ??= openStore(config).catch((err: unknown) => {
      opening = undefined;
      throw err;
    });
    return opening;
  };
}
