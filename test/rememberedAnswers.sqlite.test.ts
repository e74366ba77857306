import { rememberedAnswersSuite } from './rememberedAnswers.suite';
import { openTempStore } from './support/tempStore';

rememberedAnswersSuite('sqlite', async () => {
  const temp = await openTempStore('applyflow-remembered-');
  return {
    store: temp.store,
    raw: async (profileId) =>
      temp.store.db.prepare(`SELECT * FROM remembered_answers WHERE profile_id = ? ORDER BY answer_key`).all(profileId) as never,
    exec: async (sql, params) => void temp.store.db.prepare(sql).run(...params),
    close: temp.close,
  };
});
