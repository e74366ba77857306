/**
 * `npm run bench:analytics-search`: GET /analytics/summary's and POST /jobs/search's queries over a large
 * store. BENCH_ROWS ledger rows (default 1,000,000; 1,000 users × 5 profiles, spread over 120 days, mixed
 * outcomes incl. limit refusals) and BENCH_JOBS jobs (default 1,000,000) on BENCH_BACKEND (sqlite,
 * postgres or both; default both), then BENCH_QUERIES (default 200) of each: one user's summary for 30d
 * and for all, an operator's usage over 100 users, and job searches (text, location + work type, salary +
 * posted within, page 5). Prints p50/p99 per query in milliseconds. The queries are the store's own
 * (src/store/analytics.ts, JobStore.searchJobs), without HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeFilters } from '../src/campaign/activities';
import type { CampaignFilters } from '../src/campaign/input';
import { analyticsFor } from '../src/store/analytics';
import { ledgerFor } from '../src/store/ledger';
import { PostgresJobStore } from '../src/store/postgres';
import { profileOwnersFor } from '../src/store/profileOwners';
import { SqliteJobStore } from '../src/store/sqlite';
import type { JobStore } from '../src/store/types';
import { usersFor } from '../src/store/users';
import { makeJob } from '../test/store.suite';
import { startPostgres } from '../test/support/postgres';
import { summarize } from './support/stats';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const BACKENDS = (process.env.BENCH_BACKEND ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [process.env.BENCH_BACKEND!];
const USERS = 1000;
const PROFILES_PER_USER = 5;
const DAY = 86_400_000;

const TITLES = [
  'Software Engineer',
  'Data Scientist',
  'Product Manager',
  'Designer',
  'Site Reliability Engineer',
  'Accountant',
  'Nurse',
  'Sales Manager',
];
const PLACES = ['Berlin, Germany', 'London, UK', 'New York, NY', 'San Francisco, CA', 'Remote', 'Paris, France', 'Toronto, Canada'];
const WORK = ['onsite', 'remote', 'hybrid'] as const;
const PROVIDERS = ['greenhouse', 'lever', 'workday', 'ashby', 'smartrecruiters'];

const profileOf = (u: number, p: number) => `00000000-0000-4000-9000-${String(u * 10 + p).padStart(12, '0')}`;

async function seedJobs(store: JobStore): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < JOBS; start += 2000) {
    const page = [];
    for (let n = start; n < Math.min(JOBS, start + 2000); n++) {
      page.push(
        makeJob(n + 1, {
          title: `${TITLES[n % TITLES.length]} ${n % 97}`,
          companyName: `Company ${n % 5000}`,
          workplace_type: WORK[n % 3],
          date_posted: new Date(now - (n % 90) * DAY).toISOString().slice(0, 10),
          compensation: { min: 40_000 + (n % 80) * 1000, max: 60_000 + (n % 80) * 1500, currency: 'USD', period: 'year' },
          locations: [
            {
              location: PLACES[n % PLACES.length],
              city: null,
              state: null,
              country: null,
              country_code: null,
              latitude: null,
              longitude: null,
            },
          ],
          updated_at: new Date(now - (n % 1000) * 1000).toISOString(),
        }),
      );
    }
    await store.upsertJobs(page);
    if (start % 100_000 === 0) process.stderr.write(`  jobs ${start}/${JOBS}\n`);
  }
}

/** Ledger rows straight into the table (the claim path is measured elsewhere): outcome, provider, day vary. */
async function seedLedger(store: JobStore): Promise<void> {
  const perProfile = Math.ceil(ROWS / (USERS * PROFILES_PER_USER));
  const now = Date.now();
  const row = (i: number) => {
    const profile = Math.floor(i / perProfile);
    const u = Math.floor(profile / PROFILES_PER_USER);
    const status = i % 20 < 12 ? 'SUCCESS' : i % 20 < 17 ? 'FAILED' : i % 20 < 18 ? 'CANCELLED' : 'FAILED';
    const error =
      status === 'FAILED'
        ? i % 20 >= 18
          ? `limit_reached: user usr_${u} has used its 100 applications for 2026-12`
          : 'the form rejected the answers'
        : null;
    const created = new Date(now - (i % 120) * DAY - (i % 86_400) * 1000).toISOString();
    return [
      profileOf(u, profile % PROFILES_PER_USER),
      `u-${i.toString(16)}`,
      `https://boards.greenhouse.io/acme/jobs/${i}`,
      null,
      null,
      status,
      '[]',
      error,
      null,
      `sess_${u}_${i % 20}`,
      PROVIDERS[i % PROVIDERS.length],
      `application/${i}`,
      'run',
      created,
      created,
      created,
      status === 'SUCCESS' || status === 'FAILED' ? created : null,
    ];
  };
  const cols =
    'profile_id, job_id, job_url, job_ref, awaiting_until, status, attempts, error, confirmation_url, campaign_id, provider, workflow_id, run_id, run_started_at, created_at, updated_at, completed_at';
  if (store instanceof SqliteJobStore) {
    const insert = store.db.prepare(
      `INSERT INTO applications (${cols}) VALUES (${cols
        .split(', ')
        .map(() => '?')
        .join(', ')})`,
    );
    store.db.transaction(() => {
      for (let i = 0; i < ROWS; i++) insert.run(...row(i));
    })();
    return;
  }
  const pg = (store as PostgresJobStore).pool;
  for (let start = 0; start < ROWS; start += 1000) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < Math.min(ROWS, start + 1000); i++) {
      const r = row(i);
      tuples.push(`(${r.map((_, k) => `$${values.length + k + 1}`).join(', ')})`);
      values.push(...r);
    }
    await pg.query(`INSERT INTO applications (${cols}) VALUES ${tuples.join(', ')}`, values);
  }
}

async function time(label: string, n: number, q: (i: number) => Promise<unknown>): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await q(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const s = summarize(samples);
  console.log(`  ${label.padEnd(44)} n=${s.n}  p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms`);
}

async function bench(kind: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'applyflow-bench-analytics-'));
  const pg = kind === 'postgres' ? await startPostgres() : null;
  const store: JobStore = pg ? await PostgresJobStore.open(pg.url) : new SqliteJobStore(join(dir, 'jobs.sqlite'));
  try {
    await ledgerFor(store);
    const owners = await profileOwnersFor(store);
    const users = await usersFor(store);
    const ids: string[] = [];
    for (let u = 0; u < USERS; u++) {
      // The seeded rows name profiles by user number; the user ids are the store's own.
      const user = await users.create('bench-operator', { externalUserId: `ext-${u}` });
      ids.push(user.id);
      for (let p = 0; p < PROFILES_PER_USER; p++) await owners.assign(profileOf(u, p), user.id);
    }
    let t = Date.now();
    await seedLedger(store);
    console.log(`${kind}: ${ROWS} ledger rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    await seedJobs(store);
    console.log(`${kind}: ${JOBS} jobs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const analytics = await analyticsFor(store);
    if (store instanceof PostgresJobStore) await store.pool.query('ANALYZE');
    else (store as SqliteJobStore).db.exec('ANALYZE');

    const from30 = () => new Date(Date.now() - 30 * DAY).toISOString();
    await time('analytics/summary, one user, 30d', QUERIES, (i) =>
      analytics.summary({ userIds: [ids[(i * 7919) % USERS]], from: from30() }),
    );
    await time('analytics/summary, one user, all', QUERIES, (i) => analytics.summary({ userIds: [ids[(i * 7919) % USERS]] }));
    await time('usage, an account of 100 users, 30d', Math.min(QUERIES, 50), (i) =>
      analytics.counts({ userIds: ids.slice((i * 100) % USERS, ((i * 100) % USERS) + 100), from: from30() }),
    );
    const searches: CampaignFilters[] = [
      { jobTitle: 'engineer' },
      { location: ['Berlin'], workType: ['Remote'] },
      { salaryMin: 120_000, postedWithinDays: 7 },
      { jobTitle: 'data scientist', location: ['London'], companyExclude: ['Company 1'] },
    ];
    for (const [k, f] of searches.entries()) {
      await time(`jobs/search ${JSON.stringify(f)}`.slice(0, 44), QUERIES, () => store.searchJobs({ ...storeFilters(f), limit: 21 }));
      if (k === 0)
        await time('jobs/search {"jobTitle":"engineer"} page 5', QUERIES, () =>
          store.searchJobs({ ...storeFilters(f), limit: 21, offset: 80 }),
        );
    }
  } finally {
    await store.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`analytics and job search: ${ROWS} ledger rows, ${JOBS} jobs, ${QUERIES} queries each`);
  for (const kind of BACKENDS) await bench(kind);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
