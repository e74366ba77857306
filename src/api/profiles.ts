/**
 * "Unknown profile → 400 naming the field, nothing started": the profile is read upstream before a campaign
 * or session starts. Known ids are remembered for a minute (profiles are not deleted through the API), so
 * a burst of creations for one profile costs one upstream call. The contact email comes along: a campaign
 * records it for its applications' candidate_email.
 */
import { findJoboFailure, JoboFailure } from '../jobo/failures';
import type { JoboClient } from '../jobo/client';
import { invalidRequest } from './errors';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export interface KnownProfile {
  email: string | null;
}

export class ProfileCheck {
  private readonly known = new Map<string, { until: number; profile: KnownProfile }>();

  constructor(private readonly jobo: Pick<JoboClient, 'getProfile'>) {}

  async assertExists(profileId: string, field: string): Promise<KnownProfile> {
    const hit = this.known.get(profileId);
    if (hit !== undefined && hit.until > Date.now()) return hit.profile;
    let profile: KnownProfile;
    try {
      profile = { email: (await this.jobo.getProfile(profileId)).contact?.email ?? null };
    } catch (err) {
      if (findJoboFailure(err, JoboFailure.NotFound)) throw invalidRequest([{ field, message: `unknown profile ${profileId}` }]);
      throw err;
    }
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(profileId, { until: Date.now() + TTL_MS, profile });
    return profile;
  }
}
