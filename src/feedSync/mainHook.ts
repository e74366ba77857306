/**
 * The main job's feed sync: create/update the recurring schedule and run its first action now, so the store
 * gets its backfill at start and keeps syncing every FEED_SYNC_INTERVAL_MINUTES. The first sync goes through
 * the schedule's tick like every other, which runs it as feed-sync/<feed>: one pass per feed at a time.
 */
import type { AfterStartHook } from '../mainHooks';
import { triggerFeedSchedule, upsertFeedSchedule } from './client';

export const feedSyncMainHook: AfterStartHook = {
  name: 'feed sync',
  async run(ctx) {
    const { scheduleId, created, intervalMinutes } = await upsertFeedSchedule(ctx.client, ctx.config);
    await triggerFeedSchedule(ctx.client);
    ctx.log(`${created ? 'created' : 'updated'} schedule ${scheduleId} (every ${intervalMinutes} min); first sync started`);
    ctx.tryNext.push('  npm run cli -- feed status        # feed sync progress, schedule and checkpoint');
  },
};
