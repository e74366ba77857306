// A Temporal client for one CLI command, from the environment's configuration; always closed afterwards.
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { connectClient } from '../temporal';

export async function withClient<T>(fn: (client: Client, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  try {
    return await fn(client, config);
  } finally {
    await client.connection.close();
  }
}
