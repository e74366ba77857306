/**
 * `npm run codec-server`: the codec server alone, for a Temporal UI and CLI the main job did not start
 * (docker-compose's UI, a team's shared cluster). Needs the deployment's APPLYFLOW_CODEC_KEYS; the UI gets
 * in through APPLYFLOW_CODEC_SERVER_SECRET's path, the CLI also with an API key as bearer token.
 */
import { ConfigError, type Config } from '../config';
import { abortOnSignals, loadConfigOrExit } from '../worker';
import { buildCodecServer } from './server';

export async function runCodecServer(config: Config, signal: AbortSignal, log: (m: string) => void = console.log): Promise<void> {
  if (config.codecOff)
    throw new ConfigError([{ variable: 'APPLYFLOW_CODEC', message: 'off: payloads are not encrypted, there is nothing to decode' }]);
  if (config.codecKeys.length === 0)
    throw new ConfigError([{ variable: 'APPLYFLOW_CODEC_KEYS', message: 'required: the keys the workers encrypt with' }]);
  const tokens = config.api.keys.map((k) => k.key);
  const secret = config.codecServer.secret;
  if (!secret && tokens.length === 0) {
    throw new ConfigError([
      { variable: 'APPLYFLOW_CODEC_SERVER_SECRET', message: 'required without APPLYFLOW_API_KEYS (nobody could get in)' },
    ]);
  }
  const app = await buildCodecServer({ keys: config.codecKeys, origins: config.codecServer.uiOrigins, tokens, pathSecret: secret });
  await app.listen({ host: config.codecServer.host, port: config.codecServerPort });
  const { port } = app.server.address() as { port: number };
  const host = config.codecServer.host.includes(':') ? `[${config.codecServer.host}]` : config.codecServer.host;
  log(
    `codec server on http://${host}:${port} for ${config.codecServer.uiOrigins.join(', ')}; endpoint ${secret ? `http://${host}:${port}/<APPLYFLOW_CODEC_SERVER_SECRET>` : `http://${host}:${port} with an API key as bearer token`}`,
  );
  await new Promise<void>((res) => (signal.aborted ? res() : signal.addEventListener('abort', () => res(), { once: true })));
  await app.close();
}

if (require.main === module) {
  const config = loadConfigOrExit();
  const signal = abortOnSignals((s) => console.log(`codec server: ${s} received, closing`));
  runCodecServer(config, signal).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
