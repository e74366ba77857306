/**
 * No Docker engine runs here, so docker-compose.yml is checked as data: the services exist, images are pinned,
 * ports are published, start order and the wiring between services (addresses, keys, credentials) agree,
 * and every applyflow variable it sets is one src/config.ts actually reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

const root = resolve(__dirname, '..');
const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'));
const services: Record<string, any> = compose.services ?? {}; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

function env(service: string): Record<string, string> {
  const e = services[service]?.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv: string) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
}
function dependsOn(service: string): string[] {
  const d = services[service]?.depends_on ?? [];
  return Array.isArray(d) ? d : Object.keys(d);
}
/** "host:container" published ports as { host, container } numbers. */
function ports(service: string): { host: number; container: number }[] {
  return (services[service]?.ports ?? []).map((p: string | { published: number; target: number }) => {
    if (typeof p === 'object') return { host: Number(p.published), container: Number(p.target) };
    const parts = String(p).split(':');
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });
}
function command(service: string): string {
  const c = services[service]?.command;
  return Array.isArray(c) ? c.join(' ') : String(c ?? '');
}

test('has the Temporal, PostgreSQL, UI, sandbox, worker and API services', () => {
  expect(Object.keys(services).sort()).toEqual(['api', 'codec-server', 'postgresql', 'sandbox', 'temporal', 'temporal-ui', 'worker']);
});

test('third-party images are pinned to a version, never latest', () => {
  const expected = {
    postgresql: /^postgres:\d+(\.\d+)*$/,
    temporal: /^temporalio\/auto-setup:\d+\.\d+\.\d+$/,
    'temporal-ui': /^temporalio\/ui:\d+\.\d+\.\d+$/,
  };
  for (const [name, pattern] of Object.entries(expected)) {
    expect({ [name]: services[name].image }).toEqual({ [name]: expect.stringMatching(pattern) });
  }
  for (const s of Object.values(services)) if (s.image) expect(s.image).not.toMatch(/:latest$|^[^:]+$/);
});

test('worker, sandbox and API are built from the repo Dockerfile (node 20, npm ci) and run npm scripts that exist', () => {
  for (const name of ['worker', 'sandbox', 'api']) {
    const build = services[name].build;
    expect(build).toBeDefined();
    expect(existsSync(resolve(root, build.context ?? build, build.dockerfile ?? 'Dockerfile'))).toBe(true);
  }
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^FROM node:20(\.\d+)*(-[a-z]+)?\s*$/m);
  expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
  expect(command('sandbox')).toMatch(/npm run sandbox\b/);
  expect(command('worker')).toMatch(/npm run worker\b/);
  expect(command('api')).toMatch(/^npm run api$/);
  for (const script of ['sandbox', 'worker', 'cli', 'api']) expect(pkg.scripts[script]).toBeDefined();
});

test('publishes Temporal 7233, the UI and the sandbox', () => {
  expect(ports('temporal')).toContainEqual({ host: 7233, container: 7233 });
  expect(ports('temporal-ui').map((p) => p.container)).toEqual([8080]);
  expect([8080, 8233]).toContain(ports('temporal-ui')[0].host);
  expect(ports('sandbox')).toContainEqual({ host: 8787, container: Number(env('sandbox').SANDBOX_PORT) });
});

test('start order: PostgreSQL → Temporal → UI and worker; the worker also waits for the sandbox', () => {
  expect(dependsOn('temporal')).toContain('postgresql');
  expect(dependsOn('temporal-ui')).toContain('temporal');
  expect(dependsOn('worker').sort()).toEqual(['sandbox', 'temporal']);
});

test('Temporal uses the PostgreSQL service with its credentials', () => {
  const t = env('temporal');
  const pg = env('postgresql');
  expect(t.DB).toMatch(/^postgres/);
  expect(t.POSTGRES_SEEDS).toBe('postgresql');
  expect([t.POSTGRES_USER, t.POSTGRES_PWD]).toEqual([pg.POSTGRES_USER, pg.POSTGRES_PASSWORD]);
  expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
});

test('the worker points at Temporal and at the sandbox service with the sandbox key', () => {
  const w = env('worker');
  const sb = env('sandbox');
  expect(w.TEMPORAL_ADDRESS).toBe('temporal:7233');
  const jobo = new URL(w.JOBO_BASE_URL);
  expect([jobo.hostname, jobo.port]).toEqual(['sandbox', sb.SANDBOX_PORT]);
  expect(w.JOBO_API_KEY).toBe(sb.JOBO_API_KEY);
  expect(sb.SANDBOX_HOST).toBe('0.0.0.0'); // reachable from the worker container
});

test('every applyflow variable it sets is one src/config.ts reads, with a valid value', () => {
  // What a user exports for the required ones (`${VAR:?message}`: compose refuses to start without them).
  const userEnv: Record<string, string> = {
    APPLYFLOW_API_KEYS: 'alice:af_live_0123456789abcdef',
    APPLYFLOW_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    APPLYFLOW_CODEC_SERVER_SECRET: 'compose_secret_0123456789',
  };
  for (const name of ['worker', 'sandbox', 'api', 'codec-server']) {
    const e = env(name);
    for (const key of Object.keys(e)) expect(CONFIG_VARIABLES).toContain(key);
    // `${VAR:-}` interpolation is empty by default, which loadConfig treats as unset.
    const resolved = Object.fromEntries(
      Object.entries(e).map(([k, v]) => [
        k,
        v.replace(/\$\{[^}]+:-([^}]*)\}/g, '$1').replace(/\$\{([A-Z_]+):?\?[^}]*\}/g, (_, n: string) => userEnv[n]),
      ]),
    );
    expect(() => loadConfig(resolved)).not.toThrow();
  }
});

test('private by default: worker, API and codec server need codec keys from the user, or an explicit APPLYFLOW_CODEC=off', () => {
  for (const name of ['worker', 'api', 'codec-server']) {
    // `?` without `:`: unset stops `docker compose up`; set but empty (with APPLYFLOW_CODEC=off) runs in plain text.
    expect({ [name]: env(name).APPLYFLOW_CODEC_KEYS }).toEqual({ [name]: expect.stringMatching(/^\$\{APPLYFLOW_CODEC_KEYS\?[^}]+\}$/) });
    expect({ [name]: env(name).APPLYFLOW_CODEC }).toEqual({ [name]: '${APPLYFLOW_CODEC:-}' });
  }
});

describe('the API service', () => {
  const api = () => env('api');

  test('listens on all interfaces inside its container, published on a host port no other service uses', () => {
    expect(api().API_HOST).toBe('0.0.0.0');
    const published = ports('api');
    expect(published).toHaveLength(1);
    expect(published[0].container).toBe(Number(api().API_PORT));
    const others = Object.keys(services)
      .filter((s) => s !== 'api')
      .flatMap((s) => ports(s).map((p) => p.host));
    expect(others).toContain(ports('temporal-ui')[0].host);
    expect(others).not.toContain(published[0].host);
  });

  test("takes APPLYFLOW_API_KEYS from the user's environment, required, with no default secret", () => {
    const keys = api().APPLYFLOW_API_KEYS;
    expect(keys).toMatch(/^\$\{APPLYFLOW_API_KEYS:\?[^}]*\}$/); // `:?`: unset or empty stops `docker compose up`
    expect(keys).not.toMatch(/:-/);
    // Nothing that looks like a secret anywhere in the file.
    expect(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')).not.toMatch(
      /APPLYFLOW_API_KEYS[^\n]*[A-Za-z0-9_.-]+:[A-Za-z0-9._~+/-]{16,}/,
    );
  });

  test('reaches the same Temporal task queue, upstream and ledger as the worker, and starts after them', () => {
    const w = env('worker');
    for (const k of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'JOBO_BASE_URL',
      'JOBO_API_KEY',
      'APPLYFLOW_DATA_DIR',
      'APPLYFLOW_CODEC_KEYS',
    ]) {
      expect({ [k]: api()[k] }).toEqual({ [k]: w[k] });
    }
    const volume = (s: string) => (services[s].volumes as string[]).find((v) => v.endsWith(`:${w.APPLYFLOW_DATA_DIR}`));
    expect(volume('api')).toBeDefined();
    expect(volume('api')).toBe(volume('worker'));
    expect(dependsOn('api')).toEqual(expect.arrayContaining(['temporal', 'worker']));
    expect(services.api.restart).toBe('on-failure');
  });
});

test("the UI decodes through the codec server: its endpoint is the codec server's published port and secret path, CORS for the UI", () => {
  const cs = env('codec-server');
  expect(command('codec-server')).toBe('npm run codec-server');
  expect(pkg.scripts['codec-server']).toBeDefined();
  expect(cs.APPLYFLOW_CODEC_SERVER_HOST).toBe('0.0.0.0');
  expect(ports('codec-server')).toEqual([{ host: 8234, container: Number(cs.APPLYFLOW_CODEC_SERVER_PORT) }]);
  const ui = env('temporal-ui');
  const secretRef = cs.APPLYFLOW_CODEC_SERVER_SECRET;
  expect(secretRef).toMatch(/^\$\{APPLYFLOW_CODEC_SERVER_SECRET\?[^}]+\}$/);
  expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${ports('codec-server')[0].host}/${secretRef}`);
  expect(cs.APPLYFLOW_CODEC_UI_ORIGINS).toBe(`http://localhost:${ports('temporal-ui')[0].host}`);
  expect(cs.APPLYFLOW_CODEC_KEYS).toBe(env('worker').APPLYFLOW_CODEC_KEYS);
  expect(dependsOn('temporal-ui')).toContain('codec-server');
});
