// The workflow bundle entry: deterministic code only (no zod, undici or store imports below this folder).
export { interactiveSession } from './interactiveSession';
export { feedSync, feedSyncTick } from './feedSync';
export { application } from './application';
export { campaign } from './campaign';
