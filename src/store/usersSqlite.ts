/** Users and keys on the embedded job store's SQLite handle. */
import type Database from 'better-sqlite3';
import { SqlUsers, USERS_SCHEMA, type SqlRunner, type Users } from './users';

export const sqliteRunner = (db: Database.Database): SqlRunner => ({
  all: async <T>(sql: string, params: unknown[]) => db.prepare(sql).all(...params) as T[],
  run: async (sql, params) => db.prepare(sql).run(...params).changes,
  isUniqueViolation: (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE',
});

export function sqliteUsers(db: Database.Database): Users {
  db.exec(USERS_SCHEMA('TEXT'));
  return new SqlUsers(sqliteRunner(db));
}
