import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobKeyOfUrl } from '../src/shared/jobKey';
import { ledgerFor } from '../src/store/ledger';
import { profileOwnersFor } from '../src/store/profileOwners';
import { SqliteJobStore } from '../src/store/sqlite';
import { ledgerSuite } from './ledger.suite';

ledgerSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-ledger-'));
  const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  return {
    ledger: await ledgerFor(store), // on the job store's own handle
    owners: await profileOwnersFor(store),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('a ledger written before job keys', () => {
  it('is keyed again by URL on open: one row per job, the SUCCESS kept, the caller ids kept as references', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'applyflow-ledger-legacy-'));
    const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
    try {
      // The table as the first landing created it (caller-keyed, no job_ref), with one job applied twice.
      store.db.exec(`CREATE TABLE applications (
        profile_id TEXT NOT NULL, job_id TEXT NOT NULL, job_url TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('QUEUED', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED')),
        attempts TEXT NOT NULL, error TEXT, confirmation_url TEXT, campaign_id TEXT, provider TEXT,
        workflow_id TEXT NOT NULL, run_id TEXT NOT NULL, run_started_at TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT, PRIMARY KEY (profile_id, job_id));
        CREATE INDEX applications_job_url ON applications (profile_id, job_url);`);
      const row = (jobId: string, url: string, status: string) =>
        store.db
          .prepare(`INSERT INTO applications VALUES ('p1', ?, ?, ?, '[]', NULL, NULL, NULL, NULL, ?, 'r', 't', 't', 't', NULL)`)
          .run(jobId, url, status, `application/p1/${jobId}`);
      row('a', 'https://jobs.lever.co/acme/1', 'FAILED');
      row('b', 'https://jobs.lever.co/acme/1/?utm_source=x', 'SUCCESS');
      row('c', 'https://jobs.lever.co/acme/2', 'PROCESSING');
      const ledger = await ledgerFor(store);
      const rows = await ledger.list({ profileId: 'p1' });
      expect(rows.map((r) => [r.jobId, r.jobRef, r.status]).sort()).toEqual(
        [
          [jobKeyOfUrl('https://jobs.lever.co/acme/1'), 'b', 'SUCCESS'],
          [jobKeyOfUrl('https://jobs.lever.co/acme/2'), 'c', 'PROCESSING'],
        ].sort(),
      );
      expect((store.db.prepare(`SELECT count(*) AS n FROM applications_before_job_keys`).get() as { n: number }).n).toBe(3);
      await ledgerFor(store); // opening again changes nothing
      expect(await ledger.list({ profileId: 'p1' })).toHaveLength(2);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a ledger written before NEEDS_PERSON and awaiting_kind', () => {
  it('is rebuilt on open: rows and indexes kept, NEEDS_PERSON and awaitingKind writable, opening again changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'applyflow-ledger-needs-person-'));
    const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
    try {
      // The table as the job-key ledger created it, with the analytics' index on it.
      store.db.exec(`CREATE TABLE applications (
        profile_id TEXT NOT NULL, job_id TEXT NOT NULL, job_url TEXT NOT NULL, job_ref TEXT, awaiting_until TEXT,
        status TEXT NOT NULL CHECK (status IN ('QUEUED', 'PROCESSING', 'UNCONFIRMED', 'SUCCESS', 'FAILED', 'CANCELLED')),
        attempts TEXT NOT NULL, error TEXT, confirmation_url TEXT, campaign_id TEXT, provider TEXT,
        workflow_id TEXT NOT NULL, run_id TEXT NOT NULL, run_started_at TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT, PRIMARY KEY (profile_id, job_id));
        CREATE INDEX applications_job_url ON applications (profile_id, job_url);
        CREATE INDEX applications_profile_created ON applications (profile_id, created_at);`);
      store.db
        .prepare(
          `INSERT INTO applications VALUES ('p1', 'k1', 'https://jobs.lever.co/acme/1', 'ref', '2026-01-02T00:00:00.000Z', 'PROCESSING', '[]', NULL, NULL, 'c1', NULL, 'application/p1/k1', 'r', 't', 't', 't', NULL)`,
        )
        .run();
      const ledger = await ledgerFor(store);
      expect(await ledger.get('p1', 'k1')).toMatchObject({
        status: 'PROCESSING',
        jobRef: 'ref',
        awaitingUntil: '2026-01-02T00:00:00.000Z',
        awaitingKind: null,
        campaignId: 'c1',
      });
      const write = { ...(await ledger.get('p1', 'k1'))!, runId: 'r' };
      expect(await ledger.record({ ...write, status: 'NEEDS_PERSON', awaitingKind: 'needs_person' })).toMatchObject({
        status: 'NEEDS_PERSON',
        awaitingKind: 'needs_person',
      });
      const indexes = (
        store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'applications' AND sql IS NOT NULL`).all() as {
          name: string;
        }[]
      ).map((i) => i.name);
      expect(indexes).toEqual(expect.arrayContaining(['applications_job_url', 'applications_profile_created', 'applications_waiting']));
      expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'applications_before_needs_person'`).get()).toBeUndefined();
      await ledgerFor(store); // opening again changes nothing
      expect(await ledger.list({ profileId: 'p1' })).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
