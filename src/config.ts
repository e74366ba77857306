/**
 * Environment → typed configuration. The one place environment variables are read; every bad variable is
 * reported by name before anything starts.
 */
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

const EnvSchema = z.object({
  JOBO_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  JOBO_API_KEY: z.string().min(1).optional(),
  JOBO_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  JOBO_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(32),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('applyflow'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),

  APPLYFLOW_DATA_DIR: z.string().min(1).default('.data'),
  APPLYFLOW_STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
  APPLYFLOW_SQLITE_PATH: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),

  /**
   * Comma-separated `keyId:base64(32 bytes)`; the first key encrypts, all decrypt. Unset: the main job makes
   * (and reuses) a key under the data folder; every other entry point refuses to start.
   */
  APPLYFLOW_CODEC_KEYS: z.string().optional(),
  /** `off`: run without the payload codec, on purpose (payloads in plain text in Temporal). */
  APPLYFLOW_CODEC: z.enum(['on', 'off']).optional(),
  /** The main job's codec server for the Temporal UI and CLI (0 = any free port). */
  APPLYFLOW_CODEC_SERVER_PORT: port.default(8234),
  /** The standalone codec server (`npm run codec-server`): bind address, its secret path, the UI origins. */
  APPLYFLOW_CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  APPLYFLOW_CODEC_SERVER_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 characters of [A-Za-z0-9_-]')
    .optional(),
  APPLYFLOW_CODEC_UI_ORIGINS: z
    .string()
    .regex(/^https?:\/\/[^\s,/]+(,\s*https?:\/\/[^\s,/]+)*$/, 'must be comma-separated origins such as http://localhost:8080')
    .optional(),

  /** The standalone sandbox's bind address (0.0.0.0 in a container). */
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PORT: port.default(8787),
  SANDBOX_SEED: z.coerce.number().int().default(42),
  SANDBOX_JOBS: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  /** The standalone sandbox advances its simulated clock by real elapsed time this often (0 = never). */
  SANDBOX_CHURN_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),

  FEED_SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(15).max(60).default(30),
  SESSION_IDLE_TIMEOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(30),
  UPSTREAM_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).default(20),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  CI: bool.optional(),

  /** The HTTP API (src/api): loopback by default; 0.0.0.0 only behind a proxy or in a container. */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(8080),
  /** Comma-separated `userId:secret` (secret >= 16 chars). Unset: the main job makes a random key per start. */
  APPLYFLOW_API_KEYS: z.string().optional(),
  /** Requests per key (or per IP before authentication) and window. */
  API_RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(1_000_000).default(600),
  API_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Requests in flight at once per API key (X-RateLimit-Concurrent-Limit). */
  API_CONCURRENT_REQUEST_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
});

/** Every variable loadConfig reads (docs and tests enumerate them). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface ApiKey {
  userId: string;
  key: string;
}

export interface Config {
  jobo: { baseUrl?: string; apiKey?: string; timeoutMs: number; maxConnections: number };
  /** maxCachedWorkflows: the worker's sticky workflow cache (unset: the SDK's default, sized from the heap limit). */
  temporal: { address: string; namespace: string; taskQueue: string; uiPort: number; maxCachedWorkflows?: number };
  store: { kind: 'sqlite' | 'postgres'; sqlitePath: string; databaseUrl?: string };
  dataDir: string;
  codecKeys: CodecKey[];
  /** APPLYFLOW_CODEC=off: plain payloads were asked for explicitly (no keys is otherwise a refusal). */
  codecOff: boolean;
  codecServerPort: number;
  codecServer: { host: string; secret?: string; uiOrigins: string[] };
  sandbox: { host: string; port: number; seed: number; jobs: number; churnIntervalMs: number };
  feedSyncIntervalMinutes: number;
  sessionIdleTimeoutMinutes: number;
  upstreamRateLimitPerSecond: number;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  api: { host: string; port: number; keys: ApiKey[]; rateLimit: { max: number; windowSeconds: number }; concurrentRequestLimit?: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseCodecKeys(raw: string | undefined): CodecKey[] {
  if (!raw || raw.trim() === '') return [];
  return raw.split(',').map((entry, i) => {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep).trim();
    const key = Buffer.from(entry.slice(sep + 1).trim(), 'base64');
    if (sep <= 0 || !/^[A-Za-z0-9_.-]{1,32}$/.test(id) || key.length !== 32) {
      throw new ConfigError([
        {
          variable: 'APPLYFLOW_CODEC_KEYS',
          message: `entry ${i + 1} must be keyId:base64 of 32 bytes (AES-256), with keyId [A-Za-z0-9_.-]{1,32}`,
        },
      ]);
    }
    return { id, key };
  });
}

const API_USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
// token68 (RFC 7235), so a key always fits a well-formed `Authorization: Bearer <key>` header.
const API_SECRET = /^[A-Za-z0-9._~+/-]{16,256}=*$/;

function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (!raw || raw.trim() === '') return [];
  return raw.split(',').map((entry, i) => {
    const sep = entry.indexOf(':');
    const userId = entry.slice(0, sep).trim();
    const key = entry.slice(sep + 1).trim();
    if (sep <= 0 || !API_USER_ID.test(userId) || !API_SECRET.test(key)) {
      throw new ConfigError([
        {
          variable: 'APPLYFLOW_API_KEYS',
          message: `entry ${i + 1} must be userId:secret, userId [A-Za-z0-9_.-]{1,64}, secret 16-256 characters of [A-Za-z0-9._~+/-]`,
        },
      ]);
    }
    return { userId, key };
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset so `FOO= cmd` behaves like leaving FOO out.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })));
  }
  const e = parsed.data;
  if (e.APPLYFLOW_CODEC === 'off' && e.APPLYFLOW_CODEC_KEYS) {
    throw new ConfigError([{ variable: 'APPLYFLOW_CODEC', message: 'off contradicts APPLYFLOW_CODEC_KEYS: unset one of them' }]);
  }
  if (e.APPLYFLOW_STORE === 'postgres' && !e.DATABASE_URL) {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'required when APPLYFLOW_STORE=postgres' }]);
  }
  return {
    jobo: {
      baseUrl: e.JOBO_BASE_URL,
      apiKey: e.JOBO_API_KEY,
      timeoutMs: e.JOBO_TIMEOUT_MS,
      maxConnections: e.JOBO_MAX_CONNECTIONS,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiPort: e.TEMPORAL_UI_PORT,
      maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS,
    },
    store: {
      kind: e.APPLYFLOW_STORE,
      sqlitePath: e.APPLYFLOW_SQLITE_PATH ?? `${e.APPLYFLOW_DATA_DIR}/jobs.sqlite`,
      databaseUrl: e.DATABASE_URL,
    },
    dataDir: e.APPLYFLOW_DATA_DIR,
    codecKeys: parseCodecKeys(e.APPLYFLOW_CODEC_KEYS),
    codecOff: e.APPLYFLOW_CODEC === 'off',
    codecServerPort: e.APPLYFLOW_CODEC_SERVER_PORT,
    codecServer: {
      host: e.APPLYFLOW_CODEC_SERVER_HOST,
      secret: e.APPLYFLOW_CODEC_SERVER_SECRET,
      uiOrigins: e.APPLYFLOW_CODEC_UI_ORIGINS
        ? e.APPLYFLOW_CODEC_UI_ORIGINS.split(',').map((o) => o.trim())
        : [`http://localhost:${e.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`],
    },
    sandbox: {
      host: e.SANDBOX_HOST,
      port: e.SANDBOX_PORT,
      seed: e.SANDBOX_SEED,
      jobs: e.SANDBOX_JOBS,
      churnIntervalMs: e.SANDBOX_CHURN_INTERVAL_MS,
    },
    feedSyncIntervalMinutes: e.FEED_SYNC_INTERVAL_MINUTES,
    sessionIdleTimeoutMinutes: e.SESSION_IDLE_TIMEOUT_MINUTES,
    upstreamRateLimitPerSecond: e.UPSTREAM_RATE_LIMIT_PER_SECOND,
    logLevel: e.LOG_LEVEL,
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      keys: parseApiKeys(e.APPLYFLOW_API_KEYS),
      rateLimit: { max: e.API_RATE_LIMIT_MAX, windowSeconds: e.API_RATE_LIMIT_WINDOW_SECONDS },
      concurrentRequestLimit: e.API_CONCURRENT_REQUEST_LIMIT,
    },
  };
}

/** The Jobo connection, required once an activity actually talks upstream. */
export function requireJobo(config: Config): { baseUrl: string; apiKey: string } {
  const problems: { variable: string; message: string }[] = [];
  if (!config.jobo.baseUrl) problems.push({ variable: 'JOBO_BASE_URL', message: 'required' });
  if (!config.jobo.apiKey) problems.push({ variable: 'JOBO_API_KEY', message: 'required' });
  if (problems.length) throw new ConfigError(problems);
  return { baseUrl: config.jobo.baseUrl!, apiKey: config.jobo.apiKey! };
}
