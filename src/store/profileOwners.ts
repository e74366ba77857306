/**
 * Which API user owns each candidate profile: the API records the creator, an operator assigns profiles
 * made before or outside the API (`applyflow profile assign`). A profile without an owner row belongs to
 * nobody, so no API user can use it. Kept beside the ledger on the job store's database (either backend).
 */
import type { JobStore } from './types';

export interface ProfileOwnership {
  profileId: string;
  userId: string;
  assignedAt: string;
}

export interface ProfileOwners {
  ownerOf(profileId: string): Promise<string | null>;
  /**
   * Records `userId` as the owner. A profile already owned by someone else keeps its owner unless
   * `reassign` is set; the answer is the ownership as stored afterwards.
   */
  assign(profileId: string, userId: string, opts?: { reassign?: boolean }): Promise<ProfileOwnership>;
  /** The user's profiles, oldest assignment first. */
  profilesOf(userId: string): Promise<ProfileOwnership[]>;
}

export const PROFILE_OWNERS_SCHEMA = (time: string) => `
  CREATE TABLE IF NOT EXISTS profile_owners (
    profile_id  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    assigned_at ${time} NOT NULL
  );
  CREATE INDEX IF NOT EXISTS profile_owners_user ON profile_owners (user_id, assigned_at);
`;

/** The owners table on the job store's own connection (the same SQLite handle or PostgreSQL pool). */
export async function profileOwnersFor(store: JobStore): Promise<ProfileOwners> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { PostgresProfileOwners }] = await Promise.all([import('./postgres'), import('./profileOwnersPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return PostgresProfileOwners.open(store.pool);
  }
  const [{ SqliteJobStore }, { SqliteProfileOwners }] = await Promise.all([import('./sqlite'), import('./profileOwnersSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  return new SqliteProfileOwners(store.db);
}
