/** Users and keys on the embedded job store's SQLite handle. */
import type Database from 'better-sqlite3';
import {
  RESERVATION_BACKFILL,
  SqlUsers,
  USERS_ADDED_COLUMNS,
  USERS_LATE_INDEXES,
  USERS_SCHEMA,
  backfillParams,
  type BackfillRow,
  type SqlRunner,
  type Users,
} from './users';

export const sqliteRunner = (db: Database.Database): SqlRunner => ({
  all: async <T>(sql: string, params: unknown[]) => db.prepare(sql).all(...params) as T[],
  run: async (sql, params) => db.prepare(sql).run(...params).changes,
  isUniqueViolation: (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE',
});

/** The users tables as this version writes them: created, or given the columns added since (one transaction). */
export function createSqliteUsersSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(USERS_SCHEMA('TEXT'));
    for (const [table, column, type] of USERS_ADDED_COLUMNS) {
      const has = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === column);
      if (!has) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    // Reservations exist only where the ledger (and its applications table) does.
    if (db.prepare(RESERVATION_BACKFILL.pending).get()) {
      const update = db.prepare(RESERVATION_BACKFILL.update);
      for (const r of db.prepare(RESERVATION_BACKFILL.select).all() as BackfillRow[]) update.run(...backfillParams(r));
    }
    db.exec(USERS_LATE_INDEXES);
  }).immediate();
}

export function sqliteUsers(db: Database.Database): Users {
  createSqliteUsersSchema(db);
  return new SqlUsers(sqliteRunner(db));
}
