// The ApplicationsLedger contract, run against each backend (test/ledger.sqlite.test.ts, ledger.postgres.test.ts).
import { InvalidCursorError, type ApplicationsLedger, type LedgerRow, type LedgerWrite } from '../src/store/ledger';
import type { ProfileOwners } from '../src/store/profileOwners';

export function ledgerSuite(
  name: string,
  open: () => Promise<{ ledger: ApplicationsLedger; owners: ProfileOwners; close: () => Promise<void> }>,
): void {
  describe(`ApplicationsLedger (${name})`, () => {
    let ledger: ApplicationsLedger;
    let owners: ProfileOwners;
    let close: () => Promise<void>;
    let n = 0;
    // Each test works on its own profile, so tests share one database without seeing each other's rows.
    let profileId: string;

    beforeAll(async () => {
      ({ ledger, owners, close } = await open());
    });
    afterAll(async () => close());
    beforeEach(() => {
      profileId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    });

    const write = (over: Partial<LedgerWrite> = {}): LedgerWrite => ({
      profileId,
      jobId: 'job-1',
      jobUrl: 'https://boards.greenhouse.io/acme/jobs/1',
      jobRef: null,
      awaitingUntil: null,
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
          const row = await ledger.record(
            write({ status, runId, runStartedAt: '2026-02-01T00:00:00.000Z', error: 'late write', confirmationUrl: null }),
          );
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

    it('only the owning run writes: another run or workflow is ignored', async () => {
      await ledger.record(write({ status: 'PROCESSING' }));
      const other = await ledger.record(
        write({ status: 'FAILED', runId: 'run-b', runStartedAt: '2026-02-01T00:00:00.000Z', error: 'late' }),
      );
      expect(other).toMatchObject({ status: 'PROCESSING', runId: 'run-a', error: null });
      const stranger = await ledger.record(write({ status: 'SUCCESS', workflowId: 'application/hand-made', runId: 'run-x' }));
      expect(stranger).toMatchObject({ status: 'PROCESSING', workflowId: `application/${profileId}/job-1` });
    });

    it('UNCONFIRMED settles to SUCCESS or FAILED, never to CANCELLED or back', async () => {
      await ledger.record(write({ status: 'UNCONFIRMED', error: 'lost response' }));
      expect((await ledger.record(write({ status: 'PROCESSING' }))).status).toBe('UNCONFIRMED');
      expect((await ledger.record(write({ status: 'CANCELLED' }))).status).toBe('UNCONFIRMED');
      expect((await ledger.record(write({ status: 'SUCCESS', error: null, confirmationUrl: 'https://x/ok' }))).status).toBe('SUCCESS');
    });

    it('claim: the first claimer owns the row; others attach; a SUCCESS is reported, never taken over', async () => {
      const first = await ledger.claim(write());
      expect(first.kind).toBe('claimed');
      expect((await ledger.claim(write())).kind).toBe('claimed'); // the same run again (a retried activity)
      const other = await ledger.claim(write({ workflowId: 'application/hand-made', runId: 'run-x' }));
      expect(other).toMatchObject({ kind: 'owned', row: { workflowId: `application/${profileId}/job-1`, runId: 'run-a' } });
      await ledger.record(write({ status: 'SUCCESS', confirmationUrl: 'https://x/ok' }));
      for (const runId of ['run-a', 'run-b']) {
        const again = await ledger.claim(write({ runId, runStartedAt: '2026-03-01T00:00:00.000Z' }));
        expect(again).toMatchObject({ kind: 'succeeded', row: { status: 'SUCCESS', runId: 'run-a', confirmationUrl: 'https://x/ok' } });
      }
      const retry = await ledger.claim({
        ...write({ workflowId: 'application/retry', runId: 'run-r' }),
        retryOf: `application/${profileId}/job-1`,
      });
      expect(retry.kind).toBe('succeeded');
    });

    it('claim: a later run of the same workflow takes over, and an UNCONFIRMED row is handed over to be settled', async () => {
      await ledger.record(write({ status: 'PROCESSING' }));
      const reset = await ledger.claim(write({ runId: 'run-b', runStartedAt: '2026-01-02T00:00:00.000Z' }));
      expect(reset).toMatchObject({ kind: 'claimed', row: { runId: 'run-b', status: 'QUEUED', completedAt: null } });
      expect((await ledger.record(write({ status: 'FAILED', runId: 'run-a' }))).status).toBe('QUEUED'); // the old run is out
      await ledger.record(write({ runId: 'run-b', status: 'UNCONFIRMED', error: 'lost response' }));
      const next = await ledger.claim(write({ runId: 'run-c', runStartedAt: '2026-01-03T00:00:00.000Z' }));
      expect(next).toMatchObject({ kind: 'unconfirmed', row: { runId: 'run-c', status: 'UNCONFIRMED', error: 'lost response' } });
      // Another workflow (even one saying it retries) never takes an UNCONFIRMED row.
      const retry = await ledger.claim({
        ...write({ workflowId: 'application/retry', runId: 'run-r' }),
        retryOf: `application/${profileId}/job-1`,
      });
      expect(retry.kind).toBe('owned');
    });

    it('claim: an explicit retry takes over a FAILED or CANCELLED row of the workflow it names, nothing else', async () => {
      await ledger.record(write({ status: 'FAILED', error: 'captcha' }));
      const wrong = await ledger.claim({
        ...write({ workflowId: 'application/retry', runId: 'run-r' }),
        retryOf: 'application/someone-else',
      });
      expect(wrong.kind).toBe('owned');
      const retry = await ledger.claim({
        ...write({ workflowId: 'application/retry', runId: 'run-r' }),
        retryOf: `application/${profileId}/job-1`,
      });
      expect(retry).toMatchObject({
        kind: 'claimed',
        row: { workflowId: 'application/retry', runId: 'run-r', status: 'QUEUED', error: null },
      });
      expect((await ledger.record(write({ status: 'SUCCESS' }))).status).toBe('QUEUED'); // the first workflow is out
    });

    it('claim: of many racing claimers exactly one owns the row', async () => {
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => ledger.claim(write({ workflowId: `application/racer-${i}`, runId: `run-${i}` }))),
      );
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'owned')).toHaveLength(11);
      const owner = claims.find((c) => c.kind === 'claimed')!.row.workflowId;
      expect(claims.every((c) => c.row.workflowId === owner)).toBe(true);
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

    it('lists by campaign and status, and names every job key the profile has a row for', async () => {
      await ledger.record(write({ jobId: 'job-1', status: 'SUCCESS', campaignId: 'c1', jobRef: 'ref-1' }));
      await ledger.record(write({ jobId: 'job-2', jobUrl: 'https://jobs.lever.co/acme/2', status: 'PROCESSING', campaignId: 'c1' }));
      await ledger.record(write({ jobId: 'job-3', jobUrl: 'https://jobs.lever.co/acme/3', status: 'FAILED' }));
      expect((await ledger.list({ campaignId: 'c1' })).map((r) => [r.jobId, r.jobRef]).sort()).toEqual([
        ['job-1', 'ref-1'],
        ['job-2', null],
      ]);
      expect((await ledger.list({ profileId, status: ['FAILED'] })).map((r) => r.jobId)).toEqual(['job-3']);
      expect(await ledger.jobKeys(profileId)).toEqual(['job-1', 'job-2', 'job-3']);
      expect(await ledger.jobKeys('someone-else')).toEqual([]);
    });

    it('NEEDS_PERSON is final for the automation: no write moves it, only an explicit retry starts it again', async () => {
      await ledger.record(write({ status: 'PROCESSING' }));
      const parked = await ledger.record(write({ status: 'NEEDS_PERSON', awaitingKind: 'needs_person', error: 'captcha_required' }));
      expect(parked).toMatchObject({ status: 'NEEDS_PERSON', awaitingKind: 'needs_person', error: 'captcha_required' });
      expect(parked.completedAt).not.toBeNull();
      for (const status of ['QUEUED', 'PROCESSING', 'UNCONFIRMED', 'SUCCESS', 'FAILED', 'CANCELLED'] as const) {
        expect(await ledger.record(write({ status, awaitingKind: null, error: null }))).toMatchObject({
          status: 'NEEDS_PERSON',
          awaitingKind: 'needs_person',
        });
      }
      // A reset of the same workflow, or another workflow, attaches; the retry that names it takes over.
      expect((await ledger.claim(write({ workflowId: 'application/hand-made', runId: 'run-x' }))).kind).toBe('owned');
      const retry = await ledger.claim({
        ...write({ workflowId: 'application/retry', runId: 'run-r' }),
        retryOf: `application/${profileId}/job-1`,
      });
      expect(retry).toMatchObject({
        kind: 'claimed',
        row: { workflowId: 'application/retry', status: 'QUEUED', awaitingKind: null, error: null, completedAt: null },
      });
    });

    it('writes awaitingKind beside awaitingUntil, and clears it with the next write that leaves it out', async () => {
      const asked = await ledger.record(
        write({ status: 'PROCESSING', awaitingKind: 'question', awaitingUntil: '2026-01-04T00:00:00.000Z' }),
      );
      expect(asked).toMatchObject({ awaitingKind: 'question', awaitingUntil: '2026-01-04T00:00:00.000Z' });
      expect(await ledger.record(write({ status: 'PROCESSING', awaitingKind: 'review', awaitingUntil: null }))).toMatchObject({
        awaitingKind: 'review',
      });
      expect(await ledger.record(write({ status: 'PROCESSING' }))).toMatchObject({ awaitingKind: null, awaitingUntil: null });
      expect((await ledger.get(profileId, 'job-1'))!.awaitingKind).toBeNull();
    });

    it("personTasks: the owners' waiting rows (NEEDS_PERSON included, finished ones not), newest first, by campaign, in pages", async () => {
      const user = `user-${profileId}`;
      const otherProfile = `${profileId}-other`;
      await owners.assign(profileId, user);
      await owners.assign(otherProfile, `someone-else-${profileId}`);
      const job = (i: number, over: Partial<LedgerWrite>) =>
        ledger.record(
          write({ jobId: `job-${i}`, jobUrl: `https://jobs.lever.co/acme/${i}`, workflowId: `application/${profileId}/job-${i}`, ...over }),
        );
      await job(1, { status: 'PROCESSING', awaitingKind: 'question', campaignId: 'c1' });
      await job(2, { status: 'PROCESSING', awaitingKind: 'review', campaignId: 'c2' });
      await job(3, { status: 'NEEDS_PERSON', awaitingKind: 'needs_person', campaignId: 'c1' });
      await job(4, { status: 'PROCESSING', campaignId: 'c1' }); // nobody asked
      await job(5, { status: 'PROCESSING', awaitingKind: 'question', campaignId: 'c1' });
      await job(5, { status: 'FAILED', awaitingKind: 'question', error: 'deadline' }); // finished: not a task
      await job(6, { status: 'QUEUED', awaitingKind: 'question' });
      await ledger.record(write({ profileId: otherProfile, status: 'PROCESSING', awaitingKind: 'question', campaignId: 'c1' }));

      const stored = await Promise.all([1, 2, 3, 6].map((i) => ledger.get(profileId, `job-${i}`)));
      const newestFirst = (stored as LedgerRow[])
        .sort((a, b) =>
          a.updatedAt === b.updatedAt
            ? a.profileId === b.profileId
              ? cmp(a.jobId, b.jobId)
              : cmp(a.profileId, b.profileId)
            : cmp(b.updatedAt, a.updatedAt),
        )
        .map((r) => r.jobId);
      const all = await ledger.personTasks({ userIds: [user] }, { limit: 50 });
      expect(all.rows.map((r) => r.jobId)).toEqual(newestFirst);
      expect(all.nextCursor).toBeNull();
      expect(all.rows.find((r) => r.jobId === 'job-3')).toMatchObject({ status: 'NEEDS_PERSON', awaitingKind: 'needs_person' });

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { rows: LedgerRow[]; nextCursor: string | null } = await ledger.personTasks({ userIds: [user] }, { limit: 1, cursor });
        expect(page.rows.length).toBeLessThanOrEqual(1);
        paged.push(...page.rows.map((r) => r.jobId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(newestFirst);

      const c1 = await ledger.personTasks({ userIds: [user] }, { campaignId: 'c1', limit: 50 });
      expect(c1.rows.map((r) => r.jobId).sort()).toEqual(['job-1', 'job-3']);
      // Tenancy by profile owner: another user's rows never show, and no user ids means nothing.
      expect((await ledger.personTasks({ userIds: [`someone-else-${profileId}`] }, { limit: 50 })).rows.map((r) => r.profileId)).toEqual([
        otherProfile,
      ]);
      expect((await ledger.personTasks({ userIds: [] }, { limit: 50 })).rows).toEqual([]);
      await expect(ledger.personTasks({ userIds: [user] }, { limit: 5, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
