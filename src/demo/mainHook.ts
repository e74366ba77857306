/**
 * The sandbox's demo profiles belong to the main job's first API user (the local key's `local` unless
 * APPLYFLOW_API_KEYS says otherwise), so the banner's curl lines and `applyflow demo` can use them at once.
 * A demo profile someone already moved to another user keeps that owner.
 */
import { DEMO_PROFILES } from '../../sandbox/demoProfiles';
import type { AfterStartHook } from '../mainHooks';
import { openStore } from '../store';
import { profileOwnersFor } from '../store/profileOwners';

export const demoProfilesMainHook: AfterStartHook = {
  name: 'demo profiles',
  async run(ctx) {
    const owner = ctx.config.api.keys[0]?.userId;
    if (!ctx.sandbox || !owner) return;
    const store = await openStore(ctx.config);
    try {
      const owners = await profileOwnersFor(store);
      for (const d of DEMO_PROFILES) {
        const { userId } = await owners.assign(d.id, owner);
        const name = `${d.body.contact.first_name} ${d.body.contact.last_name}`;
        ctx.demoProfiles.push({ id: d.id, name: `${name} (${d.summary}; owner ${userId})` });
      }
    } finally {
      await store.close();
    }
  },
};
