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
const services: Record<string, any> = compose.services ?? {};
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

test('has the Temporal, PostgreSQL, UI, sandbox and worker services', () => {
  expect(Object.keys(services).sort()).toEqual(['postgresql', 'sandbox', 'temporal', 'temporal-ui', 'worker']);
});

test('third-party images are pinned to a version, never latest', () => {
  const expected = { postgresql: /^postgres:\d+(\.\d+)*$/, temporal: /^temporalio\/auto-setup:\d+\.\d+\.\d+$/, 'temporal-ui': /^temporalio\/ui:\d+\.\d+\.\d+$/ };
  for (const [name, pattern] of Object.entries(expected)) {
    expect({ [name]: services[name].image }).toEqual({ [name]: expect.stringMatching(pattern) });
  }
  for (const s of Object.values(services)) if (s.image) expect(s.image).not.toMatch(/:latest$|^[^:]+$/);
});

test('worker and sandbox are built from the repo Dockerfile (node 20, npm ci) and run npm scripts that exist', () => {
  for (const name of ['worker', 'sandbox']) {
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
  for (const script of ['sandbox', 'worker', 'cli']) expect(pkg.scripts[script]).toBeDefined();
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
  for (const name of ['worker', 'sandbox']) {
    const e = env(name);
    for (const key of Object.keys(e)) expect(CONFIG_VARIABLES).toContain(key);
    // `${VAR:-}` interpolation is empty by default, which loadConfig treats as unset.
    const resolved = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v.replace(/\$\{[^}]+:-([^}]*)\}/g, '$1')]));
    expect(() => loadConfig(resolved)).not.toThrow();
  }
});
