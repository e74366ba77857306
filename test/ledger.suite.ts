// The ApplicationsLedger contract, run against each backend (test/ledger.sqlite.test.ts, ledger.postgres.test.ts).
import type { ApplicationsLedger, LedgerWrite } from '../src/store/ledger';

export function ledgerSuite(name: string, open: () => Promise<{ ledger: ApplicationsLedger; close(): Promise<void> }>): void {
  describe(`ApplicationsLedger (${name})`, () => {
    let ledger: ApplicationsLedger;
    let close: () => Promise<void>;
    let n = 0;
    // Each test works on its own profile, so tests share one database without seeing each other's rows.
    let profileId: string;

    beforeAll(async () => {
      ({ ledger, close } = await open());
    });
    afterAll(async () => close());
    beforeEach(() => {
      profileId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    });

    const write = (over: Partial<LedgerWrite> = {}): LedgerWrite => ({
      profileId,
      jobId: 'job-1',
      jobUrl: 'https://boards.greenhouse.io/acme/jobs/1',
      status: 'QUEUED',
      attempts: [],
      error: null,
      confirmationUrl: null,
      campaignId: null,
      provider: null,
      workflowId: `application/${profileId}/job-1`,
      runId: 'run-a',
      runStartedAt: '2026-01-01T00:00:00.000Z',
      ...over,
    });

    it('moves a row forward through the status order and keeps one row per (profile, job)', async () => {
      expect((await ledger.record(write())).status).toBe('QUEUED');
      const attempt = { attempt: 1, status: 'processing' as const, timestamp: '2026-01-01T00:00:00.000Z' };
      const processing = await ledger.record(write({ status: 'PROCESSING', attempts: [attempt], provider: 'greenhouse' }));
      expect(processing).toMatchObject({ status: 'PROCESSING', provider: 'greenhouse', attempts: [attempt], completedAt: null });
      const done = await ledger.record(
        write({ status: 'SUCCESS', attempts: [{ ...attempt, status: 'success' }], confirmationUrl: 'https://x/confirm' }),
      );
      expect(done).toMatchObject({ status: 'SUCCESS', confirmationUrl: 'https://x/confirm' });
      expect(done.completedAt).not.toBeNull();
      expect(done.createdAt).toBe(processing.createdAt);
      expect(await ledger.list({ profileId })).toHaveLength(1);
    });

    it('never leaves SUCCESS, whichever run writes', async () => {
      await ledger.record(write({ status: 'SUCCESS', confirmationUrl: 'https://x/ok' }));
      for (const status of ['QUEUED', 'PROCESSING', 'FAILED', 'CANCELLED'] as const) {
        for (const runId of ['run-a', 'run-b']) {
          const row = await ledger.record(write({ status, runId, runStartedAt: '2026-02-01T00:00:00.000Z', error: 'late write', confirmationUrl: null }));
          expect(row).toMatchObject({ status: 'SUCCESS', runId: 'run-a', error: null, confirmationUrl: 'https://x/ok' });
        }
      }
    });

    it('ignores a backwards or post-final write from the same run (a retried or replayed activity)', async () => {
      await ledger.record(write({ status: 'PROCESSING' }));
      expect((await ledger.record(write({ status: 'QUEUED' }))).status).toBe('PROCESSING');
      await ledger.record(write({ status: 'FAILED', error: 'captcha' }));
      expect(await ledger.record(write({ status: 'PROCESSING' }))).toMatchObject({ status: 'FAILED', error: 'captcha' });
      expect((await ledger.record(write({ status: 'SUCCESS' }))).status).toBe('FAILED');
    });

    it('lets a later run restart a row that is not SUCCESS, and ignores the older run after that', async () => {
      await ledger.record(write({ status: 'CANCELLED', error: 'cancelled' }));
      const later = { runId: 'run-b', runStartedAt: '2026-01-02T00:00:00.000Z' };
      const restarted = await ledger.record(write({ status: 'QUEUED', ...later }));
      expect(restarted).toMatchObject({ status: 'QUEUED', runId: 'run-b', error: null, completedAt: null });
      // ...and then the old run can no longer write.
      expect((await ledger.record(write({ status: 'FAILED', runId: 'run-a' }))).status).toBe('QUEUED');
      // A run terminated while PROCESSING leaves its row behind; the next run takes it over.
      await ledger.record(write({ status: 'PROCESSING', ...later }));
      const third = { runId: 'run-c', runStartedAt: '2026-01-03T00:00:00.000Z' };
      expect(await ledger.record(write({ status: 'QUEUED', ...third }))).toMatchObject({ status: 'QUEUED', runId: 'run-c' });
    });

    it('keeps one row under concurrent writers', async () => {
      const writes = Array.from({ length: 20 }, (_, i) =>
        ledger.record(write({ status: i % 2 ? 'PROCESSING' : 'QUEUED', runId: 'run-a' })),
      );
      await Promise.all(writes);
      const rows = await ledger.list({ profileId });
      expect(rows).toHaveLength(1);
      expect(rows[0].status).toBe('PROCESSING');
    });

    it('finds a success by job id or by URL, lists by campaign and status, and names applied jobs', async () => {
      await ledger.record(write({ jobId: 'job-1', status: 'SUCCESS', campaignId: 'c1' }));
      await ledger.record(write({ jobId: 'job-2', jobUrl: 'https://jobs.lever.co/acme/2', status: 'PROCESSING', campaignId: 'c1' }));
      await ledger.record(write({ jobId: 'job-3', jobUrl: 'https://jobs.lever.co/acme/3', status: 'FAILED' }));
      expect((await ledger.findSuccess(profileId, 'job-1', 'nope'))?.jobId).toBe('job-1');
      expect((await ledger.findSuccess(profileId, 'u-other-key', 'https://boards.greenhouse.io/acme/jobs/1'))?.jobId).toBe('job-1');
      expect(await ledger.findSuccess(profileId, 'job-2', 'https://jobs.lever.co/acme/2')).toBeNull();
      expect(await ledger.findSuccess('someone-else', 'job-1', 'nope')).toBeNull();
      expect((await ledger.list({ campaignId: 'c1' })).map((r) => r.jobId).sort()).toEqual(['job-1', 'job-2']);
      expect((await ledger.list({ profileId, status: ['FAILED'] })).map((r) => r.jobId)).toEqual(['job-3']);
      expect(await ledger.appliedJobIds(profileId)).toEqual(['job-1', 'job-2']);
    });
  });
}
