// `applyflow config show`: what the process would run with, secrets reduced to "set"/"unset".
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';

export function redactedConfig(config: Config) {
  return {
    ...config,
    jobo: { ...config.jobo, apiKey: config.jobo.apiKey ? '(set)' : '(unset)' },
    store: { ...config.store, databaseUrl: config.store.databaseUrl && redactUrl(config.store.databaseUrl) },
    codecKeys: config.codecKeys.map((k) => k.id),
    api: { ...config.api, keys: config.api.keys.map((k) => k.userId) },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(set, not a URL)';
  }
}

export function register(program: Command): void {
  const config = program.command('config').description('configuration (environment variables)');
  config
    .command('show', { isDefault: true })
    .description('print the effective configuration as JSON (API keys and codec keys are not shown)')
    .action(() => {
      console.log(JSON.stringify(redactedConfig(loadConfig()), null, 2));
    });
}
