/**
 * `applyflow user …` run as the installed command would be (`bin/applyflow.js`, a real process) against a
 * SQLite store; what it did is read back from the database through the users store.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SqliteJobStore } from '../src/store/sqlite';
import { usersFor } from '../src/store/users';

const exec = promisify(execFile);
const BIN = resolve(__dirname, '..', 'bin', 'applyflow.js');
let dir: string;
let sqlitePath: string;

async function applyflow(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = { PATH: process.env.PATH, APPLYFLOW_SQLITE_PATH: sqlitePath, APPLYFLOW_DATA_DIR: dir };
  try {
    const { stdout, stderr } = await exec(BIN, args, { env, timeout: 60_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

async function inStore<T>(fn: (users: Awaited<ReturnType<typeof usersFor>>) => Promise<T>): Promise<T> {
  const store = new SqliteJobStore(sqlitePath);
  try {
    return await fn(await usersFor(store));
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'applyflow-user-cli-'));
  sqlitePath = join(dir, 'jobs.sqlite');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('create, update, key create/list/revoke and delete, each as stored; another operator sees nothing', async () => {
  const made = await applyflow(
    'user',
    'create',
    '--operator',
    'ops',
    '--external-id',
    'crm-9',
    '--name',
    'Ann',
    '--max-monthly',
    '10',
    '--json',
  );
  expect(made.code).toBe(0);
  const id = JSON.parse(made.out).id as string;
  expect(await inStore((u) => u.get('ops', id))).toMatchObject({
    externalUserId: 'crm-9',
    name: 'Ann',
    maxJobApplicationsPerMonth: 10,
    maxTotalJobApplications: 1000,
  });

  const bad = await applyflow(
    'user',
    'create',
    '--operator',
    'ops',
    '--external-id',
    'crm-10',
    '--max-total',
    '-3',
    '--timezone',
    'Nowhere/City',
  );
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--max-total');
  expect(bad.err).toContain('--timezone');
  expect(await inStore(async (u) => (await u.list('ops', { limit: 10, offset: 0 })).total)).toBe(1);

  expect((await applyflow('user', 'update', id, '--operator', 'ops', '--status', 'inactive')).code).toBe(0);
  expect((await inStore((u) => u.byId(id)))?.status).toBe('inactive');

  const key = await applyflow('user', 'key', 'create', id, '--operator', 'ops', '--json');
  const { id: keyId, secret } = JSON.parse(key.out) as { id: string; secret: string };
  expect((await inStore((u) => u.authenticate(secret)))?.user.id).toBe(id);
  const listed = await applyflow('user', 'key', 'list', id, '--operator', 'ops');
  expect(listed.out).toContain(keyId);
  expect(listed.out).not.toContain(secret);
  expect((await applyflow('user', 'key', 'revoke', id, keyId, '--operator', 'ops')).code).toBe(0);
  expect(await inStore((u) => u.authenticate(secret))).toBeNull();

  const foreign = await applyflow('user', 'get', id, '--operator', 'someone-else');
  expect([foreign.code, foreign.err.includes('not found')]).toEqual([1, true]);
  expect((await applyflow('user', 'delete', id, '--operator', 'someone-else')).code).toBe(1);
  expect((await applyflow('user', 'get', id, '--operator', 'ops')).out).toContain('used: 0 of 1000 total, 0 of 10 in ');
  expect((await applyflow('user', 'delete', id, '--operator', 'ops')).code).toBe(0);
  expect(await inStore((u) => u.byId(id))).toBeNull();
}, 120_000);

test('daily caps (ours): --max-daily and --max-daily-by-provider set, show and clear them; bad values are named', async () => {
  const made = await applyflow(
    'user',
    'create',
    '--operator',
    'ops',
    '--external-id',
    'crm-daily',
    '--max-daily-by-provider',
    'workday=30',
  );
  expect(made.code).toBe(0);
  expect(made.out).toContain('workday 30/day');
  const id = made.out.split(/\s+/)[0];
  expect(await inStore((u) => u.byId(id))).toMatchObject({
    maxJobApplicationsPerDay: null,
    maxJobApplicationsPerDayByProvider: { workday: 30 },
  });

  const changed = await applyflow(
    'user',
    'update',
    id,
    '--operator',
    'ops',
    '--max-daily',
    '4',
    '--max-daily-by-provider',
    'workday=2,lever=1',
  );
  expect(changed.code).toBe(0);
  expect(changed.out).toContain('4/day, workday 2/day, lever 1/day');
  expect(await inStore((u) => u.byId(id))).toMatchObject({
    maxJobApplicationsPerDay: 4,
    maxJobApplicationsPerDayByProvider: { workday: 2, lever: 1 },
  });
  expect((await applyflow('user', 'get', id, '--operator', 'ops')).out).toMatch(/, 0 on \d{4}-\d{2}-\d{2}/);

  const bad = await applyflow(
    'user',
    'update',
    id,
    '--operator',
    'ops',
    '--max-daily',
    'x',
    '--max-daily-by-provider',
    'taleo=3,workday=-1',
  );
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--max-daily: expected a whole number >= 0');
  expect(bad.err).toContain('taleo: not a provider');
  expect(bad.err).toContain('"workday=-1"');

  expect((await applyflow('user', 'update', id, '--operator', 'ops', '--max-daily', 'none', '--max-daily-by-provider', 'none')).code).toBe(
    0,
  );
  expect(await inStore((u) => u.byId(id))).toMatchObject({ maxJobApplicationsPerDay: null, maxJobApplicationsPerDayByProvider: {} });
}, 120_000);
