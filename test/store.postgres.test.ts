import { PostgresJobStore } from '../src/store/postgres';
import { storeSuite } from './store.suite';
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
