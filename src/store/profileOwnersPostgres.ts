/** Profile owners on the PostgreSQL job store's pool. */
import type { Pool } from 'pg';
import { inTransaction } from './pgTransaction';
import { PROFILE_OWNERS_SCHEMA, type ProfileOwners, type ProfileOwnership } from './profileOwners';

const SCHEMA_LOCK = 0x6f776e72; // concurrent CREATE ... IF NOT EXISTS can race on the catalog

interface Row {
  profile_id: string;
  user_id: string;
  assigned_at: Date;
}

const toOwnership = (r: Row): ProfileOwnership => ({ profileId: r.profile_id, userId: r.user_id, assignedAt: r.assigned_at.toISOString() });

export class PostgresProfileOwners implements ProfileOwners {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresProfileOwners> {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query(PROFILE_OWNERS_SCHEMA('timestamptz'));
    });
    return new PostgresProfileOwners(pool);
  }

  async ownerOf(profileId: string): Promise<string | null> {
    const { rows } = await this.pool.query<Row>(`SELECT user_id FROM profile_owners WHERE profile_id = $1`, [profileId]);
    return rows[0]?.user_id ?? null;
  }

  async assign(profileId: string, userId: string, opts: { reassign?: boolean } = {}): Promise<ProfileOwnership> {
    await this.pool.query(
      `INSERT INTO profile_owners (profile_id, user_id, assigned_at) VALUES ($1, $2, now())
       ON CONFLICT (profile_id) DO UPDATE SET user_id = excluded.user_id, assigned_at = excluded.assigned_at
       WHERE $3::boolean AND profile_owners.user_id <> excluded.user_id`,
      [profileId, userId, opts.reassign === true],
    );
    const { rows } = await this.pool.query<Row>(`SELECT * FROM profile_owners WHERE profile_id = $1`, [profileId]);
    return toOwnership(rows[0]);
  }

  async profilesOf(userId: string): Promise<ProfileOwnership[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM profile_owners WHERE user_id = $1 ORDER BY assigned_at, profile_id`, [
      userId,
    ]);
    return rows.map(toOwnership);
  }
}
