/**
 * The main job's API: listens on API_HOST:API_PORT with the main job's Temporal client. Without
 * APPLYFLOW_API_KEYS the main job passes this machine's local key (made once under the data folder, see
 * src/mainState.ts), so the banner's curl lines keep working across restarts; should no key reach us at
 * all, one random key is made for this run, so no fixed default key can ever be left enabled.
 */
import { randomBytes } from 'node:crypto';
import type { AfterStartHook } from '../mainHooks';
import { startApi } from './server';

export const apiMainHook: AfterStartHook = {
  name: 'HTTP API',
  async run(ctx) {
    const generated = ctx.config.api.keys.length === 0 ? [{ userId: 'dev', key: `af_dev_${randomBytes(18).toString('base64url')}` }] : null;
    const api = await startApi(ctx.config, { client: ctx.client, ...(generated ? { keys: generated } : {}) });
    ctx.log(`HTTP API listening on ${api.url} (OpenAPI: ${api.url}/api/v1/openapi.json)`);
    ctx.apiUrl = api.url;
    if (generated) ctx.log(`no APPLYFLOW_API_KEYS set: this run's API key is ${generated[0].key}`);
    const key = generated ? generated[0].key : ctx.localApiKeyFile ? `$(cut -d: -f2 ${ctx.localApiKeyFile})` : '<your key>';
    ctx.tryNext.push(`  curl -s -H "Authorization: Bearer ${key}" ${api.url}/api/v1/sessions   # the HTTP API`);
    return () => api.close();
  },
};
