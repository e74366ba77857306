/**
 * What capabilities run once the main job's worker is up (feed sync registers its schedule, the API starts
 * its server, ...). Kept apart from main.ts so a capability adds one line here without touching the
 * start/stop sequence.
 */
import type { Client } from '@temporalio/client';
import type { Config } from './config';
import { apiMainHook } from './api/mainHook';
import { demoProfilesMainHook } from './demo/mainHook';
import { feedSyncMainHook } from './feedSync/mainHook';

export interface MainContext {
  /** The effective configuration; `jobo` points at the sandbox unless JOBO_BASE_URL was set. */
  config: Config;
  /** A client with the project's data converter, closed by main after the hooks' cleanups ran. */
  client: Client;
  /** The in-process sandbox, or null when running against the real Jobo API. */
  sandbox: { url: string; apiKey: string } | null;
  temporalUiUrl: string | null;
  log(message: string): void;
  /** Lines for the "try next" banner (e.g. a CLI command that shows what this capability did). */
  tryNext: string[];
  /** This machine's API key file when the main job uses it (no APPLYFLOW_API_KEYS), for printed commands. */
  localApiKeyFile: string | null;
  /** The HTTP API's URL once its hook started it (written to the state file). */
  apiUrl: string | null;
  /** Profiles ready to try, for the banner and the state file (the sandbox's demo profiles). */
  demoProfiles: { id: string; name: string }[];
}

export interface AfterStartHook {
  name: string;
  /** May return a cleanup that main awaits on Ctrl-C, before the worker's connection goes away. */
  run(ctx: MainContext): Promise<void | (() => Promise<void>)>;
}

// What the main job starts after the worker, in order: the feed schedule, the demo profiles, the HTTP API.
export const afterStartHooks: AfterStartHook[] = [feedSyncMainHook, demoProfilesMainHook, apiMainHook];
