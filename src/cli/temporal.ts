// `applyflow temporal ...`: set-up of a Temporal server applyflow did not start itself (docker-compose, a shared cluster).
import type { Command } from 'commander';
import { ensureSearchAttributes } from '../temporal';
import { withClient } from './client';

export function register(program: Command): void {
  const temporal = program.command('temporal').description('the Temporal server applyflow talks to');
  temporal
    .command('setup-search-attributes')
    .description('register the applyflow custom search attributes that are missing in the namespace (idempotent)')
    .action(() =>
      withClient(async (client, config) => {
        const added = await ensureSearchAttributes(client.connection, config.temporal.namespace);
        console.log(added.length ? `registered: ${added.join(', ')}` : 'all search attributes already registered');
      }),
    );
}
