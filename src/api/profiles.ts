/**
 * "Unknown profile → 400 naming the field, nothing started": the profile is read upstream before a campaign
 * or session starts. Known ids are remembered for a minute (profiles are not deleted through the API), so
 * a burst of creations for one profile costs one upstream call.
 */
import { findJoboFailure, JoboFailure } from '../jobo/failures';
import type { JoboClient } from '../jobo/client';
import { invalidRequest } from './errors';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class ProfileCheck {
  private readonly known = new Map<string, number>();

  constructor(private readonly jobo: Pick<JoboClient, 'getProfile'>) {}

  async assertExists(profileId: string, field: string): Promise<void> {
    const until = this.known.get(profileId);
    if (until !== undefined && until > Date.now()) return;
    try {
      await this.jobo.getProfile(profileId);
    } catch (err) {
      if (findJoboFailure(err, JoboFailure.NotFound)) throw invalidRequest([{ field, message: `unknown profile ${profileId}` }]);
      throw err;
    }
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(profileId, Date.now() + TTL_MS);
  }
}
