// The workflow bundle entry: deterministic code only (no zod, undici or store imports below this folder).
export { interactiveSession } from './interactiveSession/workflow';
export { feedSync, feedSyncTick } from './feedSync/workflow';
export { application } from './application/workflow';
export { campaign } from './campaign/workflow';
