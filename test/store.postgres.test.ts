import { Pool } from 'pg';
import * as jobData from '../src/store/jobData';
import { migratePostgres, POSTGRES_MIGRATIONS, PostgresJobStore } from '../src/store/postgres';
import { jobId, makeJob, storeSuite } from './store.suite';
import { startPostgres, type TestPostgres } from './support/postgres';

let pg: TestPostgres;
let n = 0;

beforeAll(async () => {
  pg = await startPostgres();
}, 300_000);
afterAll(async () => {
  await pg?.stop();
});

// A fresh database per test so each starts empty and migrations run from scratch every time.
storeSuite('postgres', async () => {
  return PostgresJobStore.open(await pg.createDatabase(`store_${process.pid}_${++n}`));
});

describe('postgres: the v3 write path', () => {
  const open = async (name: string) => PostgresJobStore.open(await pg.createDatabase(`${name}_${process.pid}_${++n}`));

  test('a v2 store migrates: its jobs read and search the same, a pass in progress reconciles the same, new rows are compact', async () => {
    const url = await pg.createDatabase(`v2_${process.pid}_${++n}`);
    // A store as schema v2 left it: the whole JobDto in data, seen records keyed by (pass id, job id).
    const old = new Pool({ connectionString: url, max: 1 });
    const pass = 'jobs/2025-03-09T00:00:00.000Z/run';
    try {
      await migratePostgres(old, POSTGRES_MIGRATIONS.slice(0, 2));
      for (const i of [1, 2, 3]) {
        const j = makeJob(i);
        await old.query(
          `INSERT INTO jobs (id, title, description, company_name, location_text, apply_url, updated_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
          [j.id, j.title, j.description, j.company.name, 'Berlin, Germany', j.apply_url, j.updated_at, JSON.stringify(j)],
        );
      }
      await old.query(`INSERT INTO feed_pass_seen (pass_id, job_id) VALUES ($1, $2), ($1, $3)`, [pass, jobId(1), jobId(2)]);
    } finally {
      await old.end();
    }

    const store = await PostgresJobStore.open(url);
    try {
      const { rows } = await store.pool.query<{ v: number }>(`SELECT max(version) AS v FROM schema_migrations`);
      expect(rows[0].v).toBe(POSTGRES_MIGRATIONS.length);
      expect((await store.getJob(jobId(1)))?.job).toEqual(makeJob(1));
      expect(await store.searchJobs({ text: 'distributed' })).toHaveLength(3);
      // The page continues the pass after the upgrade: job 2 unchanged (seen, skipped), job 4 new; 3 never seen.
      expect(await store.upsertJobs([makeJob(2), makeJob(4)], { seenInRun: pass })).toEqual({
        upserted: 1,
        skipped: 1,
        older: 0,
        revived: 0,
      });
      const data = await store.pool.query<{ id: string; kind: string }>(`SELECT id, jsonb_typeof(data) AS kind FROM jobs ORDER BY id`);
      expect(data.rows.map((r) => r.kind)).toEqual(['object', 'object', 'object', 'array']);
      expect((await store.getJob(jobId(4)))?.job).toEqual(makeJob(4));
      expect(await store.searchJobs({ text: 'distributed' })).toHaveLength(4);
      expect(await store.reconcile(pass, new Date('2030-01-01T00:00:00.000Z'))).toBe(1);
      expect((await store.jobStates()).expired.map((j) => j.id)).toEqual([jobId(3)]);
      expect(await store.forgetPasses('jobs/')).toBe(3);
      // An old row replaced by a newer copy becomes compact too, and reads back whole.
      const edited = makeJob(1, { title: 'Staff Engineer', updated_at: '2025-02-01T00:00:00.000Z' });
      expect(await store.upsertJobs([edited])).toMatchObject({ upserted: 1 });
      expect((await store.getJob(jobId(1)))?.job).toEqual(edited);
    } finally {
      await store.close();
    }
  });

  test('rows are built only for new or newer copies: an unchanged page builds none', async () => {
    const store = await open('skip');
    const build = jest.spyOn(jobData, 'jobDataValue');
    try {
      const page = Array.from({ length: 1000 }, (_, i) => makeJob(20_000 + i));
      expect(await store.upsertJobs(page)).toEqual({ upserted: 1000, skipped: 0, older: 0, revived: 0 });
      expect(build).toHaveBeenCalledTimes(1000);
      build.mockClear();
      expect(await store.upsertJobs(page, { seenInRun: 'jobs/p/1' })).toEqual({ upserted: 0, skipped: 1000, older: 0, revived: 0 });
      expect(build).not.toHaveBeenCalled();
      // Ten edited, five older copies, five revived: only the fifteen written are built.
      await store.markExpired(
        page.slice(20, 25).map((j) => j.id),
        new Date('2025-01-05T00:00:00.000Z'),
      );
      const next = page.map((j, i) =>
        i < 10 || (i >= 20 && i < 25)
          ? { ...j, title: `edited ${i}`, updated_at: '2025-01-09T00:00:00.000Z' }
          : i < 15
            ? { ...j, updated_at: '2024-12-01T00:00:00.000Z' }
            : j,
      );
      expect(await store.upsertJobs(next, { seenInRun: 'jobs/p/1' })).toEqual({ upserted: 15, skipped: 985, older: 5, revived: 5 });
      expect(build).toHaveBeenCalledTimes(15);
      expect((await store.getJob(page[3].id))?.job.title).toBe('edited 3');
      expect((await store.getJob(page[22].id))?.expiredAt).toBeNull();
      expect(await store.reconcile('jobs/p/1', new Date('2025-01-10T00:00:00.000Z'))).toBe(0);
      expect(await store.forgetPasses('jobs/')).toBe(1000);
    } finally {
      build.mockRestore();
      await store.close();
    }
  });

  test('concurrent writers of overlapping pages, new and stored jobs, in one pass: monotonic rows, every job seen, no deadlock', async () => {
    const store = await open('overlap');
    try {
      const at = (v: number) => new Date(Date.UTC(2025, 4, 1, 0, v)).toISOString();
      // Jobs 0..399 stored at version 0; 400..799 new. Six writers, each a window of 300 ids (some shuffled),
      // overlapping its neighbours, each with its own version of every job.
      await store.upsertJobs(Array.from({ length: 400 }, (_, i) => makeJob(30_000 + i, { updated_at: at(0) })));
      const pass = 'jobs/2025-05-02T00:00:00.000Z/run';
      const versionOf = (w: number, i: number) => 1 + ((w * 7 + i) % 6);
      const pages = Array.from({ length: 6 }, (_, w) => {
        const ids = Array.from({ length: 300 }, (_, k) => w * 100 + k);
        if (w % 2) ids.reverse();
        return ids.map((i) => makeJob(30_000 + i, { title: `w${w}`, updated_at: at(versionOf(w, i)) }));
      });
      const results = await Promise.all(pages.map((p) => store.upsertJobs(p, { seenInRun: pass })));
      const best = new Map<string, string>();
      for (const p of pages) for (const j of p) if (!best.has(j.id) || j.updated_at > best.get(j.id)!) best.set(j.id, j.updated_at);
      const states = await store.jobStates();
      expect(states.expired).toEqual([]);
      for (const s of states.active) expect(s.updated_at).toBe(best.get(s.id) ?? at(0));
      expect(results.reduce((k, r) => k + r.upserted + r.skipped, 0)).toBe(1800);
      // 800 jobs exist; every one the pages carried (0..799) was seen, so reconcile expires none of them.
      expect(states.active).toHaveLength(800);
      expect(await store.reconcile(pass, new Date('2025-06-01T00:00:00.000Z'))).toBe(0);
      expect(await store.forgetPasses('jobs/')).toBe(800);
    } finally {
      await store.close();
    }
  });
});
