/** Remembered answers on the embedded job store's SQLite handle. */
import type Database from 'better-sqlite3';
import { REMEMBERED_ANSWERS_SCHEMA, SqlRememberedAnswers, type AnswerSeal, type RememberedAnswers } from './rememberedAnswers';
import { sqliteRunner } from './usersSqlite';

export function sqliteRememberedAnswers(db: Database.Database, seal: AnswerSeal): RememberedAnswers {
  db.exec(REMEMBERED_ANSWERS_SCHEMA('TEXT'));
  return new SqlRememberedAnswers(sqliteRunner(db), seal);
}
