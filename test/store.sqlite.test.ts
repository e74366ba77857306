import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '../src/store/sqlite';
import { makeJob, storeSuite } from './store.suite';

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
