/**
 * Every activity the worker registers. Activities are built from their dependencies (configuration, the
 * Jobo client, the job store) so tests can hand in a sandbox-backed client and a throwaway store.
 */
import type { Config } from './config';
import type { JoboClient } from './jobo/client';
import { lazyStore } from './store';
import type { JobStore } from './store/types';
import { createApplicationActivities } from './application/activities';
import { createCampaignActivities } from './campaign/activities';
import { createFeedSyncActivities } from './feedSync/activities';
import { createInteractiveSessionActivities } from './interactiveSession/activities';
import { createProfileActivities } from './profile/activities';
import { lazyRememberedAnswers } from './store/rememberedAnswers';
import { createNotificationActivities } from './notification/activities';

export interface ActivityDeps {
  config: Config;
  jobo: JoboClient;
  /** The job store; when absent it is opened from config on first use (a worker without feed work never opens it). */
  store?: () => Promise<JobStore>;
}

// Each capability adds its factory here, e.g. `...createFeedSyncActivities(deps)`.
export function createActivities(deps: ActivityDeps) {
  const store = deps.store ?? lazyStore(deps.config);
  // Sealed at rest with the payload codec's keys (see src/store/rememberedAnswers.ts).
  const rememberedAnswers = lazyRememberedAnswers(store, { codecKeys: deps.config.codecKeys });
  return {
    ...createFeedSyncActivities({ jobo: deps.jobo, store }),
    ...createInteractiveSessionActivities(deps),
    ...createApplicationActivities({ jobo: deps.jobo, store, rememberedAnswers }),
    ...createCampaignActivities({ store, jobo: deps.jobo }),
    ...createProfileActivities({ rememberedAnswers }),
    ...createNotificationActivities({ store, codecKeys: deps.config.codecKeys }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
