import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { redactedConfig } from '../src/cli/config';
import { CONFIG_VARIABLES, ConfigError, loadConfig, requireJobo } from '../src/config';

/** For each variable, values that must be rejected with a ConfigError naming it. */
const BAD: Record<string, string[]> = {
  JOBO_BASE_URL: ['not a url', 'ftp://jobo.example.com', 'jobo.example.com'],
  JOBO_TIMEOUT_MS: ['abc', '50', '1.5', '600001'],
  JOBO_MAX_CONNECTIONS: ['0', '1025', 'many'],
  TEMPORAL_ADDRESS: ['localhost', '127.0.0.1:', ':7233', 'host:port'],
  TEMPORAL_UI_PORT: ['70000', '-1', 'ui'],
  APPLYFLOW_STORE: ['mysql', 'SQLITE'],
  APPLYFLOW_CODEC_KEYS: ['k1', `k1:${randomBytes(16).toString('base64')}`, `:${randomBytes(32).toString('base64')}`],
  APPLYFLOW_CODEC: ['OFF', 'false', 'disabled'],
  SANDBOX_PORT: ['65536', 'x'],
  SANDBOX_SEED: ['1.5', 'seed'],
  SANDBOX_JOBS: ['5', '1000001'],
  SANDBOX_CHURN_INTERVAL_MS: ['-1', '3600001', 'often'],
  FEED_SYNC_INTERVAL_MINUTES: ['10', '61', 'hourly'],
  SESSION_IDLE_TIMEOUT_MINUTES: ['0', '-5', '100000'],
  UPSTREAM_RATE_LIMIT_PER_SECOND: ['0', '-3', '10001'],
  TEMPORAL_MAX_CACHED_WORKFLOWS: ['-1', '1.5', 'lots'],
  LOG_LEVEL: ['LOUD', 'info'],
  CI: ['maybe'],
  API_PORT: ['65536', 'http'],
  APPLYFLOW_CODEC_SERVER_PORT: ['65536', 'codec'],
  APPLYFLOW_CODEC_SERVER_SECRET: ['short', 'has spaces in it here', 'slash/es/not/allowed/x'],
  APPLYFLOW_CODEC_UI_ORIGINS: ['localhost:8080', 'http://localhost:8080/path', 'ftp://x'],
  APPLYFLOW_API_KEYS: [
    'no-user-id-secret-here',
    'u1:short',
    ':aaaaaaaaaaaaaaaaaaaa',
    'bad id:aaaaaaaaaaaaaaaaaaaa',
    'u1:has a space in it here',
  ],
  API_RATE_LIMIT_MAX: ['0', 'lots', '1.5'],
  API_RATE_LIMIT_WINDOW_SECONDS: ['0', '3601', 'minute'],
  API_CONCURRENT_REQUEST_LIMIT: ['0', '100001', 'many'],
};
/** Variables where any non-empty string is valid (names, paths, secrets); empty means unset. */
const FREE_FORM = [
  'JOBO_API_KEY',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'APPLYFLOW_DATA_DIR',
  'APPLYFLOW_SQLITE_PATH',
  'DATABASE_URL',
  'SANDBOX_HOST',
  'API_HOST',
  'APPLYFLOW_CODEC_SERVER_HOST',
];

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('covers every variable it reads (add a bad value here when you add a variable)', () => {
    expect([...Object.keys(BAD), ...FREE_FORM].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it.each(Object.entries(BAD).flatMap(([variable, values]) => values.map((v) => [variable, v])))(
    '%s=%j is rejected with a ConfigError naming it',
    (variable, value) => {
      const err = configError({ [variable]: value });
      expect(err.problems.map((p) => p.variable)).toEqual([variable]);
      expect(err.message).toContain(variable);
    },
  );

  it('reports every bad variable at once', () => {
    const err = configError({ JOBO_TIMEOUT_MS: 'x', LOG_LEVEL: 'LOUD', SANDBOX_JOBS: '1' });
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['JOBO_TIMEOUT_MS', 'LOG_LEVEL', 'SANDBOX_JOBS']);
  });

  it('requires DATABASE_URL for the postgres store', () => {
    expect(configError({ APPLYFLOW_STORE: 'postgres' }).problems).toEqual([
      { variable: 'DATABASE_URL', message: expect.stringContaining('postgres') },
    ]);
    expect(loadConfig({ APPLYFLOW_STORE: 'postgres', DATABASE_URL: 'postgres://u:p@db/applyflow' }).store.kind).toBe('postgres');
  });

  it('requires JOBO_BASE_URL and JOBO_API_KEY once the Jobo API is used', () => {
    let err: unknown;
    try {
      requireJobo(loadConfig({}));
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['JOBO_BASE_URL', 'JOBO_API_KEY']);
    expect(requireJobo(loadConfig({ JOBO_BASE_URL: 'https://jobo.example.com', JOBO_API_KEY: 'k' }))).toEqual({
      baseUrl: 'https://jobo.example.com',
      apiKey: 'k',
    });
  });

  it('reads API keys as userId:secret pairs', () => {
    expect(loadConfig({}).api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      keys: [],
      rateLimit: { max: 600, windowSeconds: 60 },
      concurrentRequestLimit: 10,
    });
    expect(loadConfig({ APPLYFLOW_API_KEYS: 'alice:af_0123456789abcdef, bob:Zm9vYmFyYmF6cXV4cXV1eA==' }).api.keys).toEqual([
      { userId: 'alice', key: 'af_0123456789abcdef' },
      { userId: 'bob', key: 'Zm9vYmFyYmF6cXV4cXV1eA==' },
    ]);
  });

  it('has working defaults, treats empty as unset and accepts good values', () => {
    const defaults = loadConfig({});
    expect(defaults.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'applyflow', uiPort: 8233 });
    expect([defaults.codecKeys, defaults.codecOff]).toEqual([[], false]); // undecided: only the main job makes a key
    expect(loadConfig({ APPLYFLOW_CODEC: 'off' }).codecOff).toBe(true);
    expect(loadConfig({ TEMPORAL_UI_PORT: '', JOBO_TIMEOUT_MS: '' }).temporal.uiPort).toBe(8233);
    const c = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', SANDBOX_PORT: '0', CI: 'true', LOG_LEVEL: 'DEBUG' });
    expect([c.temporal.address, c.sandbox.port, c.logLevel]).toEqual(['temporal:7233', 0, 'DEBUG']);
  });
});

describe('applyflow config (CLI)', () => {
  const exec = promisify(execFile);
  const cli = (env: Record<string, string>) =>
    exec(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/index.ts', 'config'], {
      cwd: resolve(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', ...env },
    });

  it('prints the effective configuration without secrets', async () => {
    const key = randomBytes(32).toString('base64');
    const { stdout } = await cli({
      JOBO_API_KEY: 'super-secret-key',
      APPLYFLOW_CODEC_KEYS: `k2025:${key}`,
      APPLYFLOW_API_KEYS: 'alice:af_secret_api_key_0123456789',
      APPLYFLOW_STORE: 'postgres',
      DATABASE_URL: 'postgres://app:hunter2@db:5432/applyflow',
      TEMPORAL_TASK_QUEUE: 'from-env',
    });
    const shown = JSON.parse(stdout);
    expect(shown.temporal.taskQueue).toBe('from-env');
    expect(shown.jobo.apiKey).toBe('(set)');
    expect(shown.codecKeys).toEqual(['k2025']);
    expect(shown.api.keys).toEqual(['alice']);
    for (const secret of ['super-secret-key', key, 'hunter2', 'af_secret_api_key_0123456789']) expect(stdout).not.toContain(secret);
  });

  it('exits 2 and names the bad variable', async () => {
    const err = await cli({ TEMPORAL_UI_PORT: 'ui' }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain('TEMPORAL_UI_PORT');
  });

  it('redacts in-process too', () => {
    const r = redactedConfig(loadConfig({ JOBO_API_KEY: 'x' }));
    expect(r.jobo.apiKey).toBe('(set)');
  });
});
