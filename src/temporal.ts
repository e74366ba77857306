/**
 * Connecting to Temporal, shared by the CLI, the main job, the worker and (later) the API, so every caller
 * uses the same address, namespace and data converter (codec) from configuration.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { dataConverterFor } from './codec';
import type { Config } from './config';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from './searchAttributes';

export async function connectClient(config: Config, opts: { connectTimeoutMs?: number } = {}): Promise<Client> {
  const dataConverter = dataConverterFor(config); // refuses (no codec decision) before connecting
  const connection = await Connection.connect({
    address: config.temporal.address,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
  });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}

/** `host:port` → parts; IPv6 literals in brackets are accepted. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
  if (!m) throw new TypeError(`TEMPORAL_ADDRESS must be host:port, got "${address}"`);
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

/** `--search-attribute Name=Type` pairs for `temporal server start-dev` (main job and tests). */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTE_DEFINITIONS.flatMap((d) => ['--search-attribute', `${d.name}=${d.type}`]);
}

const INDEXED_VALUE_TYPE: Record<(typeof SEARCH_ATTRIBUTE_DEFINITIONS)[number]['type'], temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

/**
 * Registers the missing custom search attributes on a server that was not started by us (a reused dev server,
 * docker-compose). Returns the names it added. Idempotent.
 */
export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTE_DEFINITIONS.filter((d) => !known.has(d.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((d) => [d.name, INDEXED_VALUE_TYPE[d.type]])),
  });
  return missing.map((d) => d.name);
}
