// Limits reserved in the ledger's claim, on both backends: concurrent claims of one user never overshoot.
import { ledgerFor, type ApplicationsLedger, type ClaimRequest } from '../src/store/ledger';
import { PostgresJobStore } from '../src/store/postgres';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import type { JobStore } from '../src/store/types';
import { analyticsFor, type Analytics } from '../src/store/analytics';
import { usersFor, type Users } from '../src/store/users';
import { startPostgres } from './support/postgres';
import { openTempStore } from './support/tempStore';

interface Rig {
  ledger: ApplicationsLedger;
  users: Users;
  owners: ProfileOwners;
  analytics: Analytics;
  close(): Promise<void>;
}

const on = async (store: JobStore, close: () => Promise<void>): Promise<Rig> => {
  // The ledger first: it must not depend on the users' tables being opened before it.
  const ledger = await ledgerFor(store);
  return { ledger, users: await usersFor(store), owners: await profileOwnersFor(store), analytics: await analyticsFor(store), close };
};

const backends: [string, () => Promise<Rig>][] = [
  [
    'sqlite',
    async () => {
      const temp = await openTempStore('applyflow-limits-');
      return on(temp.store, temp.close);
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await startPostgres();
      const store = await PostgresJobStore.open(pg.url);
      return on(store, async () => {
        await store.close();
        await pg.stop();
      });
    },
  ],
];

let n = 0;
const claimOf = (profileId: string, job: number, over: Partial<ClaimRequest> = {}): ClaimRequest => ({
  profileId,
  jobId: `job-${job}`,
  jobUrl: `https://boards.greenhouse.io/acme/jobs/${job}`,
  jobRef: null,
  awaitingUntil: null,
  status: 'QUEUED',
  attempts: [],
  error: null,
  confirmationUrl: null,
  campaignId: null,
  provider: null,
  workflowId: `application/${profileId}/job-${job}`,
  runId: 'run-a',
  runStartedAt: '2026-01-01T00:00:00.000Z',
  enforceLimits: true,
  ...over,
});

describe.each(backends)('limits in the claim (%s)', (_name, open) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await open();
  });
  afterAll(async () => rig?.close());

  const userWithProfiles = async (limits: { maxJobApplicationsPerMonth?: number; maxTotalJobApplications?: number }, profiles: number) => {
    const u = await rig.users.create('op', { externalUserId: `ext-${++n}`, ...limits });
    const ids = Array.from({ length: profiles }, (_, i) => `00000000-0000-4000-8000-${String(n * 100 + i).padStart(12, '0')}`);
    for (const p of ids) await rig.owners.assign(p, u.id);
    return { user: u, profiles: ids };
  };

  test('60 concurrent claims over three profiles of a user with a monthly limit of 10: exactly 10 claimed', async () => {
    const { user, profiles } = await userWithProfiles({ maxJobApplicationsPerMonth: 10 }, 3);
    const claims = await Promise.all(profiles.flatMap((p) => Array.from({ length: 20 }, (_, j) => rig.ledger.claim(claimOf(p, j)))));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(10);
    const refused = claims.filter((c) => c.kind === 'limit_reached');
    expect(refused).toHaveLength(50);
    // Ground truth: the rows as stored.
    const rows = (await Promise.all(profiles.map((p) => rig.ledger.list({ profileId: p })))).flat();
    expect(rows.filter((r) => r.status === 'QUEUED')).toHaveLength(10);
    const failed = rows.filter((r) => r.status === 'FAILED');
    expect(failed).toHaveLength(50);
    expect(failed.every((r) => r.error?.startsWith(`limit_reached: user ${user.id} has used its 10 applications for `))).toBe(true);
    expect(await rig.users.usage(user.id)).toMatchObject({ total: 10, monthly: 10 });
  });

  test("a claim's activity retry and a reset keep one reservation; a refused job is claimable once the limit allows", async () => {
    const { user, profiles } = await userWithProfiles({ maxTotalJobApplications: 1 }, 1);
    const [p] = profiles;
    expect((await rig.ledger.claim(claimOf(p, 1))).kind).toBe('claimed');
    expect((await rig.ledger.claim(claimOf(p, 1))).kind).toBe('claimed'); // the same run again
    expect((await rig.ledger.claim(claimOf(p, 1, { runId: 'run-b' }))).kind).toBe('claimed'); // a reset
    const refused = await rig.ledger.claim(claimOf(p, 2));
    expect([refused.kind, refused.row.status]).toEqual(['limit_reached', 'FAILED']);
    expect(refused.row.error).toMatch(/^limit_reached: .* total of 1 applications/);
    expect((await rig.ledger.claim(claimOf(p, 2))).kind).toBe('limit_reached'); // its activity retried
    expect((await rig.ledger.claim(claimOf(p, 2, { workflowId: 'campaign-x/other' }))).kind).toBe('limit_reached');
    expect(await rig.users.usage(user.id)).toMatchObject({ total: 1 });
    // Autopilot leaves out jobs with a row, but not one a limit refused (nothing was tried).
    expect(await rig.ledger.jobKeys(p)).toEqual(['job-1']);

    await rig.users.update('op', user.id, { maxTotalJobApplications: 2 });
    const later = await rig.ledger.claim(claimOf(p, 2, { workflowId: 'campaign-y/again', runId: 'run-c' }));
    expect([later.kind, later.row.status, later.row.error, later.row.workflowId]).toEqual(['claimed', 'QUEUED', null, 'campaign-y/again']);
    expect(await rig.users.usage(user.id)).toMatchObject({ total: 2 });
  });

  test('without enforceLimits, for a profile nobody owns, or an operator-owned one, nothing is reserved or refused', async () => {
    const { user, profiles } = await userWithProfiles({ maxTotalJobApplications: 0 }, 1);
    expect((await rig.ledger.claim(claimOf(profiles[0], 1, { enforceLimits: false }))).kind).toBe('claimed');
    expect((await rig.ledger.claim(claimOf('00000000-0000-4000-8000-999999999999', 1))).kind).toBe('claimed');
    await rig.owners.assign('00000000-0000-4000-8000-999999999998', 'some-operator');
    expect((await rig.ledger.claim(claimOf('00000000-0000-4000-8000-999999999998', 1))).kind).toBe('claimed');
    expect(await rig.users.usage(user.id)).toMatchObject({ total: 0 });
    expect((await rig.ledger.claim(claimOf(profiles[0], 2))).kind).toBe('limit_reached');
  });

  test('usage and the summary count the rows of the users a scope names, by status, provider, day and session', async () => {
    const { user, profiles } = await userWithProfiles({ maxJobApplicationsPerMonth: 3 }, 2);
    const other = await userWithProfiles({}, 1);
    const outcomes = ['SUCCESS', 'SUCCESS', 'FAILED'] as const;
    for (const [i, status] of outcomes.entries()) {
      const c = claimOf(profiles[i % 2], 100 + i, { campaignId: i < 2 ? 'sess_a' : 'sess_b', provider: i === 2 ? 'lever' : 'greenhouse' });
      expect((await rig.ledger.claim(c)).kind).toBe('claimed');
      await rig.ledger.record({ ...c, status, error: status === 'FAILED' ? 'the form rejected the answers' : null });
    }
    expect((await rig.ledger.claim(claimOf(profiles[0], 200, { campaignId: 'sess_b' }))).kind).toBe('limit_reached');
    const parked = claimOf(other.profiles[0], 300);
    await rig.ledger.claim(parked);
    const counts = await rig.analytics.counts({ userIds: [user.id] });
    expect(counts).toEqual({ total: 4, successful: 2, failed: 1, limitReached: 1, inProgress: 0, cancelled: 0, needsPerson: 0 });
    expect(await rig.analytics.counts({ userIds: [user.id, other.user.id] })).toMatchObject({ total: 5, inProgress: 1, needsPerson: 0 });
    // A captcha wall parks it: counted apart, no longer in progress.
    await rig.ledger.record({ ...parked, status: 'NEEDS_PERSON', error: 'captcha_required' });
    expect(await rig.analytics.counts({ userIds: [user.id, other.user.id] })).toMatchObject({ total: 5, inProgress: 0, needsPerson: 1 });
    expect(await rig.analytics.counts({ userIds: [user.id], from: new Date(Date.now() + 60_000).toISOString() })).toMatchObject({
      total: 0,
    });
    expect((await rig.analytics.counts({ userIds: [] })).total).toBe(0);
    const s = await rig.analytics.summary({ userIds: [user.id] });
    expect(s.overview).toMatchObject({ total: 4, successful: 2, failed: 1, limitReached: 1, successRate: 0.6667 });
    expect(s.byProvider.map((p) => [p.provider, p.total])).toEqual([
      ['greenhouse', 2],
      ['lever', 1],
      ['unknown', 1],
    ]);
    expect(s.dailyTrend).toEqual([{ date: new Date().toISOString().slice(0, 10), ...counts }]);
    expect(s.topSessions.map((t) => [t.sessionId, t.total, t.successful])).toEqual([
      ['sess_a', 2, 2],
      ['sess_b', 2, 0],
    ]);
    expect(s.recentActivity).toHaveLength(4);
  });
});
