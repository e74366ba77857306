/**
 * Every activity the worker registers. Activities are built from their dependencies (configuration, the
 * Jobo client, the job store) so tests can hand in a sandbox-backed client and a throwaway store.
 */
import type { Config } from '../config';
import type { JoboClient } from '../jobo/client';

export interface ActivityDeps {
  config: Config;
  jobo: JoboClient;
}

// Each capability adds its factory here, e.g. `...createFeedSyncActivities(deps)`.
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
