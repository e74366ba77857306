/** Profile owners on the embedded job store's SQLite handle. */
import type Database from 'better-sqlite3';
import { PROFILE_OWNERS_SCHEMA, type ProfileOwners, type ProfileOwnership } from './profileOwners';

interface Row {
  profile_id: string;
  user_id: string;
  assigned_at: string;
}

const toOwnership = (r: Row): ProfileOwnership => ({ profileId: r.profile_id, userId: r.user_id, assignedAt: r.assigned_at });

export class SqliteProfileOwners implements ProfileOwners {
  private readonly upsert: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly ofUser: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(PROFILE_OWNERS_SCHEMA('TEXT'));
    // One statement, so two concurrent first claims cannot both win.
    this.upsert = db.prepare(`
      INSERT INTO profile_owners (profile_id, user_id, assigned_at) VALUES (@profile, @user, @now)
      ON CONFLICT (profile_id) DO UPDATE SET user_id = excluded.user_id, assigned_at = excluded.assigned_at
      WHERE @reassign = 1 AND profile_owners.user_id <> excluded.user_id`);
    this.getStmt = db.prepare(`SELECT * FROM profile_owners WHERE profile_id = ?`);
    this.ofUser = db.prepare(`SELECT * FROM profile_owners WHERE user_id = ? ORDER BY assigned_at, profile_id`);
  }

  async ownerOf(profileId: string): Promise<string | null> {
    return (this.getStmt.get(profileId) as Row | undefined)?.user_id ?? null;
  }

  async assign(profileId: string, userId: string, opts: { reassign?: boolean } = {}): Promise<ProfileOwnership> {
    this.upsert.run({ profile: profileId, user: userId, now: new Date().toISOString(), reassign: opts.reassign ? 1 : 0 });
    return toOwnership(this.getStmt.get(profileId) as Row);
  }

  async profilesOf(userId: string): Promise<ProfileOwnership[]> {
    return (this.ofUser.all(userId) as Row[]).map(toOwnership);
  }
}
