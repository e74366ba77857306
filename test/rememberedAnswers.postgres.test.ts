import { PostgresJobStore } from '../src/store/postgres';
import { numbered } from '../src/store/usersPostgres';
import { rememberedAnswersSuite } from './rememberedAnswers.suite';
import { startPostgres } from './support/postgres';

rememberedAnswersSuite('postgres', async () => {
  const pg = await startPostgres();
  const store = await PostgresJobStore.open(pg.url);
  return {
    store,
    raw: async (profileId) =>
      (await store.pool.query(`SELECT * FROM remembered_answers WHERE profile_id = $1 ORDER BY answer_key`, [profileId])).rows,
    exec: async (sql, params) => void (await store.pool.query(numbered(sql), params)),
    close: async () => {
      await store.close();
      await pg.stop();
    },
  };
});
