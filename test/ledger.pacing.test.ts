// Daily pacing answered in the ledger's claim, on both backends: concurrent claims never overshoot a daily
// cap, the day is the user's, a provider cap counts only that provider, and tables from before migrate.
import { ledgerFor, ledgerSchemaSql, type ApplicationsLedger, type Claim, type ClaimRequest } from '../src/store/ledger';
import { PostgresJobStore } from '../src/store/postgres';
import { SqliteJobStore } from '../src/store/sqlite';
import { profileOwnersFor, type ProfileOwners } from '../src/store/profileOwners';
import type { JobStore } from '../src/store/types';
import { dayOf, nextDayStart, usersFor, type NewUser, type Users } from '../src/store/users';
import { startPostgres } from './support/postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Rig {
  ledger: ApplicationsLedger;
  users: Users;
  owners: ProfileOwners;
  close(): Promise<void>;
}

/** A fresh store of the backend, and how to run plain SQL on it before the ledger opens. */
interface Fresh {
  store: JobStore;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const backends: [string, () => Promise<Fresh>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'applyflow-pacing-'));
      const store = new SqliteJobStore(join(dir, 'jobs.sqlite'));
      return {
        store,
        exec: async (sql) => void store.db.exec(sql),
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'postgres',
    async () => {
      const pg = await startPostgres();
      const store = await PostgresJobStore.open(pg.url);
      return {
        store,
        exec: async (sql) => void (await store.pool.query(sql)),
        close: async () => {
          await store.close();
          await pg.stop();
        },
      };
    },
  ],
];

const WORKDAY = (job: number) => `https://acme.wd1.myworkdayjobs.com/External/job/${job}`;
const GREENHOUSE = (job: number) => `https://boards.greenhouse.io/acme/jobs/${job}`;

let n = 0;
const claimOf = (profileId: string, job: number, over: Partial<ClaimRequest> = {}): ClaimRequest => ({
  profileId,
  jobId: `job-${job}`,
  jobUrl: GREENHOUSE(job),
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
  pacing: true,
  ...over,
});

const kinds = (claims: Claim[]) => claims.reduce<Record<string, number>>((m, c) => ({ ...m, [c.kind]: (m[c.kind] ?? 0) + 1 }), {});

describe.each(backends)('daily pacing in the claim (%s)', (_name, fresh) => {
  let rig: Rig;
  let raw: Fresh;
  beforeAll(async () => {
    raw = await fresh();
    const ledger = await ledgerFor(raw.store);
    rig = { ledger, users: await usersFor(raw.store), owners: await profileOwnersFor(raw.store), close: raw.close };
  });
  afterAll(async () => rig?.close());

  const userWithProfiles = async (fields: Omit<NewUser, 'externalUserId'>, profiles: number) => {
    const u = await rig.users.create('op', { externalUserId: `ext-${++n}`, ...fields });
    const ids = Array.from({ length: profiles }, (_, i) => `00000000-0000-4000-8000-${String(n * 100 + i).padStart(12, '0')}`);
    for (const p of ids) await rig.owners.assign(p, u.id);
    return { user: u, profiles: ids };
  };

  test('20 concurrent claims of a user with a daily cap of 3: 3 reserved, 17 paced to the next UTC day; the next day 3 more', async () => {
    const { user, profiles } = await userWithProfiles({ maxJobApplicationsPerDay: 3 }, 2);
    const at = '2026-02-10T15:00:00.000Z';
    const jobs = Array.from({ length: 20 }, (_, j) => ({ p: profiles[j % 2], j }));
    const claims = await Promise.all(jobs.map(({ p, j }) => rig.ledger.claim(claimOf(p, j, { at }))));
    expect(kinds(claims)).toEqual({ claimed: 3, paced: 17 });
    for (const c of claims.filter((x) => x.kind === 'paced')) expect(c).toMatchObject({ until: '2026-02-11T00:00:00.000Z' });
    // Ground truth: the rows (every one QUEUED and owned by its run, nothing refused) and the reservations.
    const rows = (await Promise.all(profiles.map((p) => rig.ledger.list({ profileId: p })))).flat();
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'QUEUED' && r.error === null && r.runId === 'run-a')).toBe(true);
    expect(await rig.users.usage(user.id, new Date(at))).toMatchObject({ total: 3, daily: 3, day: '2026-02-10' });

    // The paced ones claim again in the next window (the same runs): three more, the rest to the day after.
    const paced = jobs.filter((_, i) => claims[i].kind === 'paced');
    const next = await Promise.all(paced.map(({ p, j }) => rig.ledger.claim(claimOf(p, j, { at: '2026-02-11T00:00:00.000Z' }))));
    expect(kinds(next)).toEqual({ claimed: 3, paced: 14 });
    expect(next.find((c) => c.kind === 'paced')).toMatchObject({ until: '2026-02-12T00:00:00.000Z' });
    // A claimed one's activity retried: still one reservation.
    const again = paced.filter((_, i) => next[i].kind === 'claimed')[0];
    expect((await rig.ledger.claim(claimOf(again.p, again.j, { at: '2026-02-11T00:00:01.000Z' }))).kind).toBe('claimed');
    expect(await rig.users.usage(user.id, new Date('2026-02-11T12:00:00.000Z'))).toMatchObject({ total: 6, daily: 3 });
  });

  test("the day is the user's: Los Angeles 23:45 is paced to its midnight, 08:00 UTC the same UTC day is a new day", async () => {
    const { user, profiles } = await userWithProfiles({ maxJobApplicationsPerDay: 1, timezone: 'America/Los_Angeles' }, 1);
    const [p] = profiles;
    expect((await rig.ledger.claim(claimOf(p, 1, { at: '2026-01-15T07:30:00.000Z' }))).kind).toBe('claimed'); // 01-14 23:30 PST
    expect(await rig.ledger.claim(claimOf(p, 2, { at: '2026-01-15T07:45:00.000Z' }))).toMatchObject({
      kind: 'paced',
      until: '2026-01-15T08:00:00.000Z', // midnight in Los Angeles
    });
    expect((await rig.ledger.claim(claimOf(p, 2, { at: '2026-01-15T08:00:00.000Z' }))).kind).toBe('claimed');
    expect((await rig.ledger.claim(claimOf(p, 3, { at: '2026-01-15T20:00:00.000Z' }))).kind).toBe('paced');
    expect(await rig.users.usage(user.id, new Date('2026-01-15T20:00:00.000Z'))).toMatchObject({ daily: 1, day: '2026-01-15' });
    // Berlin's day after the spring change starts at 23:00 UTC the evening before (UTC+2 from then on).
    await rig.users.update('op', user.id, { timezone: 'Europe/Berlin' });
    expect(await rig.ledger.claim(claimOf(p, 3, { at: '2026-03-29T12:00:00.000Z' }))).toMatchObject({ kind: 'claimed' });
    expect(await rig.ledger.claim(claimOf(p, 4, { at: '2026-03-29T12:00:00.000Z' }))).toMatchObject({
      kind: 'paced',
      until: '2026-03-29T22:00:00.000Z',
    });
  });

  test('a provider cap counts only that provider: 10 concurrent Workday and 10 Greenhouse claims, Workday capped at 2', async () => {
    const { user, profiles } = await userWithProfiles({ maxJobApplicationsPerDayByProvider: { workday: 2 } }, 1);
    const [p] = profiles;
    const at = '2026-05-04T09:00:00.000Z';
    const claims = await Promise.all([
      ...Array.from({ length: 10 }, (_, j) => rig.ledger.claim(claimOf(p, j, { at, jobUrl: WORKDAY(j) }))),
      ...Array.from({ length: 10 }, (_, j) => rig.ledger.claim(claimOf(p, 100 + j, { at }))),
      // A careers page names no provider: only an overall cap would count it.
      rig.ledger.claim(claimOf(p, 200, { at, jobUrl: 'https://careers.example.com/redirect/1/workday/acme/200' })),
    ]);
    expect(kinds(claims.slice(0, 10))).toEqual({ claimed: 2, paced: 8 });
    expect(kinds(claims.slice(10))).toEqual({ claimed: 11 });
    expect(await rig.users.usage(user.id, new Date(at))).toMatchObject({ daily: 13, dailyByProvider: { workday: 2, greenhouse: 10 } });
  });

  test('claims without the pacing flag (workflows from before) ignore daily caps; a paced row is attached to, and refused once the month is used', async () => {
    const { profiles, user } = await userWithProfiles({ maxJobApplicationsPerDay: 1, maxJobApplicationsPerMonth: 3 }, 1);
    const [p] = profiles;
    const at = '2026-06-01T10:00:00.000Z';
    expect((await rig.ledger.claim(claimOf(p, 1, { at }))).kind).toBe('claimed');
    expect((await rig.ledger.claim(claimOf(p, 2, { at, pacing: undefined }))).kind).toBe('claimed'); // daily cap not asked
    const waiting = await rig.ledger.claim(claimOf(p, 3, { at }));
    expect([waiting.kind, waiting.row.status]).toEqual(['paced', 'QUEUED']);
    // Another workflow for the same job meanwhile: the paced run owns the row.
    expect((await rig.ledger.claim(claimOf(p, 3, { at, workflowId: 'other/wf', runId: 'run-x' }))).kind).toBe('owned');
    // Another job takes the month's last unit in the next window; the paced one then finds the month used up:
    // refused, its row FAILED with limit_reached.
    expect((await rig.ledger.claim(claimOf(p, 4, { at: '2026-06-02T00:00:00.000Z' }))).kind).toBe('claimed');
    const late = await rig.ledger.claim(claimOf(p, 3, { at: '2026-06-02T00:00:00.000Z' }));
    expect([late.kind, late.row.status]).toEqual(['limit_reached', 'FAILED']);
    expect(late.row.error).toMatch(/^limit_reached: /);
    expect(await rig.users.usage(user.id, new Date(at))).toMatchObject({ total: 3, monthly: 3 });
  });
});

describe.each(backends)('users tables from before daily pacing (%s)', (name, fresh) => {
  test('gain the columns on open, existing reservations get their day in the user timezone and their provider', async () => {
    const raw = await fresh();
    const time = name === 'postgres' ? 'timestamptz' : 'TEXT';
    try {
      await raw.exec(ledgerSchemaSql(name === 'postgres' ? { text: 'text', json: 'jsonb', time } : { text: 'TEXT', json: 'TEXT', time }));
      // The tables as the limits release created them.
      await raw.exec(`CREATE TABLE api_users (
        id TEXT PRIMARY KEY, operator_id TEXT NOT NULL, external_user_id TEXT NOT NULL, name TEXT, email TEXT,
        max_total INTEGER NOT NULL, max_monthly INTEGER NOT NULL, status TEXT NOT NULL, timezone TEXT,
        created_at ${time} NOT NULL, updated_at ${time} NOT NULL, UNIQUE (operator_id, external_user_id));
        CREATE TABLE application_reservations (profile_id TEXT NOT NULL, job_id TEXT NOT NULL, user_id TEXT NOT NULL,
        month TEXT NOT NULL, reserved_at ${time} NOT NULL, PRIMARY KEY (profile_id, job_id));
        INSERT INTO api_users VALUES ('usr_old', 'op', 'ext-old', NULL, NULL, 1000, 100, 'active', 'Asia/Tokyo',
          '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
        INSERT INTO application_reservations VALUES ('p-old', 'k1', 'usr_old', '2026-03', '2026-03-01T16:00:00.000Z');
        INSERT INTO application_reservations VALUES ('p-old', 'k2', 'usr_old', '2026-03', '2026-03-01T14:00:00.000Z');
        INSERT INTO applications (profile_id, job_id, job_url, status, attempts, workflow_id, run_id, run_started_at, created_at, updated_at)
          VALUES ('p-old', 'k1', '${WORKDAY(1)}', 'SUCCESS', '[]', 'w1', 'r1', '2026-03-01T16:00:00.000Z', '2026-03-01T16:00:00.000Z', '2026-03-01T16:00:00.000Z');`);
      await ledgerFor(raw.store);
      const users = await usersFor(raw.store);
      const old = (await users.byId('usr_old'))!;
      expect(old).toMatchObject({
        maxJobApplicationsPerDay: null,
        maxJobApplicationsPerDayByProvider: {},
        maxJobApplicationsPerMonth: 100,
      });
      // 16:00 UTC is 01:00 the next day in Tokyo; 14:00 UTC is 23:00 the same day.
      expect(await users.usage('usr_old', new Date('2026-03-02T03:00:00.000Z'))).toMatchObject({
        total: 2,
        daily: 1,
        dailyByProvider: { workday: 1 },
        day: '2026-03-02',
      });
      expect(await users.usage('usr_old', new Date('2026-03-01T03:00:00.000Z'))).toMatchObject({ daily: 1, dailyByProvider: {} });
      // The caps are writable and read back; opening again changes nothing.
      await users.update('op', 'usr_old', { maxJobApplicationsPerDay: 5, maxJobApplicationsPerDayByProvider: { workday: 2 } });
      await ledgerFor(raw.store);
      expect(await (await usersFor(raw.store)).byId('usr_old')).toMatchObject({
        maxJobApplicationsPerDay: 5,
        maxJobApplicationsPerDayByProvider: { workday: 2 },
      });
    } finally {
      await raw.close();
    }
  });
});

describe('day windows', () => {
  test("dayOf and nextDayStart follow the zone's clock, DST days included", () => {
    expect(dayOf(new Date('2026-01-15T07:30:00.000Z'), 'America/Los_Angeles')).toBe('2026-01-14');
    expect(nextDayStart(new Date('2026-01-15T07:30:00.000Z'), 'America/Los_Angeles').toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(nextDayStart(new Date('2026-07-01T12:00:00.000Z'), null).toISOString()).toBe('2026-07-02T00:00:00.000Z');
    // New York: the day after the autumn change starts at 04:00 UTC (EDT), the one after at 05:00 (EST).
    expect(nextDayStart(new Date('2026-10-31T12:00:00.000Z'), 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(nextDayStart(new Date('2026-11-01T12:00:00.000Z'), 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });
});
