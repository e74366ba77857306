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
