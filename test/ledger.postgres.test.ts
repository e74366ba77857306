import { ledgerFor } from '../src/store/ledger';
import { profileOwnersFor } from '../src/store/profileOwners';
import { PostgresJobStore } from '../src/store/postgres';
import { startPostgres } from './support/postgres';
import { ledgerSuite } from './ledger.suite';

ledgerSuite('postgres', async () => {
  const pg = await startPostgres();
  const store = await PostgresJobStore.open(pg.url);
  return {
    ledger: await ledgerFor(store), // on the job store's own pool
    owners: await profileOwnersFor(store),
    close: async () => {
      await store.close();
      await pg.stop();
    },
  };
});

describe('a PostgreSQL ledger written before NEEDS_PERSON and awaiting_kind', () => {
  it('gains the column and the new status CHECK on open, rows kept; opening again changes nothing', async () => {
    const pg = await startPostgres();
    const store = await PostgresJobStore.open(pg.url);
    try {
      await store.pool.query(`CREATE TABLE applications (
        profile_id text NOT NULL, job_id text NOT NULL, job_url text NOT NULL, job_ref text, awaiting_until timestamptz,
        status text NOT NULL CHECK (status IN ('QUEUED', 'PROCESSING', 'UNCONFIRMED', 'SUCCESS', 'FAILED', 'CANCELLED')),
        attempts jsonb NOT NULL, error text, confirmation_url text, campaign_id text, provider text,
        workflow_id text NOT NULL, run_id text NOT NULL, run_started_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, completed_at timestamptz, PRIMARY KEY (profile_id, job_id))`);
      await store.pool.query(
        `INSERT INTO applications VALUES ('p1', 'k1', 'https://jobs.lever.co/acme/1', 'ref', NULL, 'PROCESSING', '[]', NULL, NULL, 'c1', NULL, 'application/p1/k1', 'r', now(), now(), now(), NULL)`,
      );
      const ledger = await ledgerFor(store);
      const row = (await ledger.get('p1', 'k1'))!;
      expect(row).toMatchObject({ status: 'PROCESSING', jobRef: 'ref', awaitingKind: null });
      expect(await ledger.record({ ...row, status: 'NEEDS_PERSON', awaitingKind: 'needs_person' })).toMatchObject({
        status: 'NEEDS_PERSON',
        awaitingKind: 'needs_person',
      });
      await ledgerFor(store);
      const { rows: checks } = await store.pool.query(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'applications'::regclass AND contype = 'c'`,
      );
      expect(checks).toHaveLength(2); // status and awaiting_kind, once each
      await expect(store.pool.query(`UPDATE applications SET awaiting_kind = 'guess'`)).rejects.toThrow(/check constraint/);
    } finally {
      await store.close();
      await pg.stop();
    }
  });
});
