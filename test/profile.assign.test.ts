/**
 * `applyflow profile assign` run as the installed command would be (`bin/applyflow.js`, a real process)
 * against the sandbox and a SQLite store; the owner rows are read back from the database itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { version } from '../package.json';
import type { SandboxHandle } from '../sandbox/server';
import { JoboClient } from '../src/jobo/client';
import { APPLICANT } from './application.fixtures';
import { startSandbox } from './support/sandbox';

const exec = promisify(execFile);
const BIN = resolve(__dirname, '..', 'bin', 'applyflow.js');

let sandbox: SandboxHandle;
let jobo: JoboClient;
let dir: string;
let sqlitePath: string;

async function applyflow(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = {
    PATH: process.env.PATH,
    JOBO_BASE_URL: sandbox.url,
    JOBO_API_KEY: sandbox.apiKey,
    APPLYFLOW_SQLITE_PATH: sqlitePath,
    APPLYFLOW_DATA_DIR: dir,
  };
  try {
    const { stdout, stderr } = await exec(BIN, args, { env, timeout: 60_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

function ownerRow(profileId: string): string | null {
  if (!existsSync(sqlitePath)) return null; // nothing was ever written
  const db = new Database(sqlitePath, { readonly: true });
  try {
    return (
      (db.prepare('SELECT user_id FROM profile_owners WHERE profile_id = ?').get(profileId) as { user_id: string } | undefined)?.user_id ??
      null
    );
  } catch {
    return null; // no table yet
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, jobs: 10 });
  jobo = new JoboClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  dir = mkdtempSync(join(tmpdir(), 'applyflow-assign-'));
  sqlitePath = join(dir, 'jobs.sqlite');
});

afterAll(async () => {
  await jobo?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the bin runs the CLI', async () => {
  const r = await applyflow('--version');
  expect([r.code, r.out.trim()]).toEqual([0, version]);
});

test('assigns a profile to a user; an owned profile moves only with --reassign; unknown profiles and bad user ids are refused', async () => {
  const id = (await jobo.createProfile(APPLICANT)).id;

  const unknown = await applyflow('profile', 'assign', '00000000-0000-4000-8000-000000000000', '--user', 'alice');
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('does not exist upstream');
  expect(ownerRow('00000000-0000-4000-8000-000000000000')).toBeNull();

  const badUser = await applyflow('profile', 'assign', id, '--user', 'not a user!');
  expect([badUser.code, badUser.err]).toEqual([1, expect.stringContaining('--user: must be an API user id')]);
  expect(ownerRow(id)).toBeNull();

  const first = await applyflow('profile', 'assign', id, '--user', 'alice');
  expect([first.code, first.out.trim()]).toEqual([0, `profile ${id} now belongs to alice`]);
  expect(ownerRow(id)).toBe('alice');

  const again = await applyflow('profile', 'assign', id, '--user', 'alice');
  expect([again.code, again.out.trim()]).toEqual([0, `profile ${id} already belongs to alice`]);

  const taken = await applyflow('profile', 'assign', id, '--user', 'bob');
  expect(taken.code).toBe(1);
  expect(taken.err).toContain(`belongs to alice; add --reassign`);
  expect(ownerRow(id)).toBe('alice');

  const moved = await applyflow('profile', 'assign', id, '--user', 'bob', '--reassign');
  expect([moved.code, moved.out.trim()]).toEqual([0, `profile ${id} now belongs to bob (was alice)`]);
  expect(ownerRow(id)).toBe('bob');
});
