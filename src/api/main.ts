/**
 * `npm run api`: the HTTP API alone, for a deployment where Temporal and the worker run elsewhere (the
 * main job starts the API itself). Needs APPLYFLOW_API_KEYS and the Jobo connection (profiles are checked
 * upstream before anything starts).
 */
import { ConfigError, requireJobo, type Config } from '../config';
import { abortOnSignals, loadConfigOrExit } from '../worker';
import { startApi } from './server';

export async function runApi(config: Config, signal: AbortSignal): Promise<void> {
  requireJobo(config);
  if (config.api.keys.length === 0)
    throw new ConfigError([{ variable: 'APPLYFLOW_API_KEYS', message: 'required for a standalone API (userId:secret,...)' }]);
  const api = await startApi(config);
  console.log(`applyflow API listening on ${api.url} (OpenAPI: ${api.url}/api/v1/openapi.json)`);
  await new Promise<void>((res) => (signal.aborted ? res() : signal.addEventListener('abort', () => res(), { once: true })));
  await api.close();
}

if (require.main === module) {
  const config = loadConfigOrExit({ mainState: true });
  const signal = abortOnSignals((s) => console.log(`api: ${s} received, closing`));
  runApi(config, signal).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
