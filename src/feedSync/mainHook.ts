/**
 * The main job's feed sync: create/update the recurring schedule and run its first action now, so the store
 * gets its backfill at start and keeps syncing every FEED_SYNC_INTERVAL_MINUTES. Starting the first sync
 * through the schedule (not as a separate workflow) lets overlap SKIP keep it to one sync at a time.
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
