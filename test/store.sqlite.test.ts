import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite, SQLITE_MIGRATIONS, SqliteJobStore } from '../src/store/sqlite';
import { isoInstant } from '../src/store/rows';
import { jobId, makeJob, storeSuite } from './store.suite';

const dir = mkdtempSync(join(tmpdir(), 'applyflow-store-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A real file per test (WAL needs one), so each test starts empty.
storeSuite('sqlite', async () => new SqliteJobStore(join(dir, `jobs-${++n}.sqlite`)));

test('sqlite: a reopened file keeps jobs, checkpoints and the schema version', async () => {
  const path = join(dir, 'reopen.sqlite');
  const a = new SqliteJobStore(path);
  await a.upsertJobs([makeJob(1)]);
  await a.setCheckpoint('k', 'v');
  await a.close();
  const b = new SqliteJobStore(path);
  expect(b.db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(await b.counts()).toEqual({ active: 1, expired: 0 });
  expect(await b.getCheckpoint('k')).toBe('v');
  expect(await b.searchJobs({ text: 'engineer' })).toHaveLength(1);
  await b.close();
});

test('sqlite: a pass that stamped last_seen_run before schema v2 still has those jobs counted as seen', async () => {
  const store = new SqliteJobStore(join(dir, 'legacy.sqlite'));
  try {
    await store.upsertJobs([1, 2, 3].map((i) => makeJob(i)));
    // What schema v1's upsert wrote for the pages a pass had done before the upgrade.
    store.db.prepare(`UPDATE jobs SET last_seen_run = 'jobs/2025-03-09T00:00:00.000Z' WHERE id <> ?`).run(makeJob(3).id);
    expect(await store.reconcile('jobs/2025-03-09T00:00:00.000Z', new Date('2025-03-09T00:00:00.000Z'))).toBe(1);
    expect((await store.jobStates()).expired.map((j) => j.id)).toEqual([makeJob(3).id]);
  } finally {
    await store.close();
  }
});

test('sqlite: the data column leaves out the description (its own column) and reads back whole, old rows too', async () => {
  const store = new SqliteJobStore(join(dir, 'lean.sqlite'));
  try {
    const job = makeJob(1);
    await store.upsertJobs([job, makeJob(2)]);
    const raw = store.db.prepare(`SELECT data FROM jobs WHERE id = ?`).get(job.id) as { data: string };
    expect(JSON.parse(raw.data)).not.toHaveProperty('description');
    expect((await store.getJob(job.id))?.job).toEqual(job);
    // A row written before the lean column (the whole job in data) reads the same.
    const old = makeJob(2);
    store.db.prepare(`UPDATE jobs SET data = ? WHERE id = ?`).run(JSON.stringify(old), old.id);
    expect((await store.getJob(old.id))?.job).toEqual(old);
    expect(await store.searchJobs({ text: 'distributed' })).toHaveLength(2);
  } finally {
    await store.close();
  }
});

test('sqlite: a v3 store migrates to v4: its jobs read and search the same, a pass in progress reconciles the same, new rows are compact', async () => {
  const path = join(dir, 'v3.sqlite');
  // A store as schema v3 left it: FTS kept by triggers, seen records keyed by (pass id, job id).
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  migrateSqlite(old, SQLITE_MIGRATIONS.slice(0, 3));
  const insert = old.prepare(
    `INSERT INTO jobs (id, title, description, company_name, location_text, apply_url, updated_at, data, first_seen_at, synced_at)
     VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
  );
  const pass = 'jobs/2025-03-09T00:00:00.000Z/run';
  for (const i of [1, 2, 3]) {
    const j = makeJob(i);
    insert.run(j.id, j.title, j.description, j.company.name, j.apply_url, j.updated_at, JSON.stringify(j), j.updated_at, j.updated_at);
  }
  old.prepare(`INSERT INTO feed_pass_seen (pass_id, job_id) VALUES (?, ?), (?, ?)`).run(pass, makeJob(1).id, pass, makeJob(2).id);
  old.close();

  const store = new SqliteJobStore(path);
  try {
    expect(store.db.prepare(`SELECT max(version) AS v FROM schema_migrations`).get()).toEqual({ v: SQLITE_MIGRATIONS.length });
    expect((await store.getJob(makeJob(1).id))?.job).toEqual(makeJob(1));
    expect(await store.searchJobs({ text: 'distributed' })).toHaveLength(3);
    // The page continues the pass after the upgrade: job 4 is new and seen; job 3 was never seen.
    expect(await store.upsertJobs([makeJob(4)], { seenInRun: pass })).toMatchObject({ upserted: 1 });
    const raw = store.db.prepare(`SELECT data FROM jobs WHERE id = ?`).get(makeJob(4).id) as { data: string };
    expect(Array.isArray(JSON.parse(raw.data))).toBe(true);
    expect((await store.getJob(makeJob(4).id))?.job).toEqual(makeJob(4));
    expect(await store.searchJobs({ text: 'distributed' })).toHaveLength(4);
    expect(await store.reconcile(pass, new Date('2030-01-01T00:00:00.000Z'))).toBe(1);
    expect((await store.jobStates()).expired.map((j) => j.id)).toEqual([makeJob(3).id]);
    expect(await store.forgetPasses('jobs/')).toBe(3);
  } finally {
    await store.close();
  }
});

test('sqlite: a v4 store with jobs migrates to v5 (full-text index keyed newest first): search, replace and delete keep it right', async () => {
  const path = join(dir, 'v4.sqlite');
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  migrateSqlite(old, SQLITE_MIGRATIONS.slice(0, 4));
  const insert = old.prepare(
    `INSERT INTO jobs (id, title, description, company_name, location_text, date_posted, apply_url, updated_at, data, first_seen_at, synced_at)
     VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
  );
  const jobs = [
    makeJob(1, { title: 'Clerk', description: 'Needs a welder, shop.', date_posted: '2025-06-03' }),
    makeJob(2, { title: 'Welder', description: 'Shop.', date_posted: '2025-06-01' }),
    makeJob(3, { title: 'Clerk', description: 'Welder wanted.', date_posted: null }),
  ];
  for (const j of jobs) {
    insert.run(
      j.id,
      j.title,
      j.description,
      j.company.name,
      isoInstant(j.date_posted),
      j.apply_url,
      j.updated_at,
      JSON.stringify(j),
      j.updated_at,
      j.updated_at,
    );
  }
  old.exec(`INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')`);
  old.close();

  const store = new SqliteJobStore(path);
  try {
    const ids = async (text: string) => (await store.searchJobs({ text })).map((j) => j.id);
    expect(await ids('welder')).toEqual([jobId(2), jobId(1), jobId(3)]); // the title match, then by date
    // A newer copy with a new date and text moves its index entry; a deleted job leaves the index.
    await store.upsertJobs([
      {
        ...makeJob(3, { title: 'Welder', description: 'Night shift.', date_posted: '2025-06-05' }),
        updated_at: '2025-02-01T00:00:00.000Z',
      },
    ]);
    expect(await ids('welder')).toEqual([jobId(3), jobId(2), jobId(1)]);
    store.db.prepare(`DELETE FROM jobs WHERE id = ?`).run(jobId(2));
    expect(await ids('welder')).toEqual([jobId(3), jobId(1)]);
    expect(await ids('shop')).toEqual([jobId(1)]);
    // The index itself holds no stale entries (the join to jobs would hide them).
    const entries = (word: string) => store.db.prepare(`SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?`).pluck().get(word);
    expect([entries('welder'), entries('shop'), entries('wanted')]).toEqual([2, 1, 0]);
  } finally {
    await store.close();
  }
});

test('sqlite: the compact data column reads back every field, and a job of another shape is kept whole', async () => {
  const store = new SqliteJobStore(join(dir, 'compact.sqlite'));
  try {
    const full = {
      ...makeJob(7),
      listing_url: 'https://example.com/listing/7',
      created_at: '2025-01-01T00:00:00.000Z',
      compensation: { min: 100000, max: 150000, currency: 'USD', period: 'year' as const },
    };
    const odd = { ...makeJob(8), extra_field: { kept: true } } as unknown as ReturnType<typeof makeJob>;
    await store.upsertJobs([full, odd]);
    expect((await store.getJob(full.id))?.job).toEqual(full);
    expect((await store.getJob(odd.id))?.job).toEqual(odd);
  } finally {
    await store.close();
  }
});
