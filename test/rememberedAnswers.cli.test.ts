/**
 * `applyflow profile answers list|set|delete` run in-process (runCli, as bin/applyflow.js calls it) against a
 * SQLite store; what it did is read back from the database through the store, with the same codec key, and
 * raw at rest. In-process because each real process pays ts-node's start on a shared, loaded machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '../src/store/sqlite';
import { rememberedAnswersFor, type RememberedAnswers } from '../src/store/rememberedAnswers';
import { captureCli } from './support/cli';

const KEY = { id: 'cli-rem', key: randomBytes(32) };
const PROFILE = '8c5e6d0a-9f2b-4c1e-b7a3-2f4d5e6a7b8c';
const VARS = ['APPLYFLOW_SQLITE_PATH', 'APPLYFLOW_DATA_DIR', 'APPLYFLOW_CODEC_KEYS', 'APPLYFLOW_CODEC', 'APPLYFLOW_STORE'];
let dir: string;
let sqlitePath: string;

/** The CLI with only these variables set (the developer's environment is not read). */
async function applyflow(
  args: string[],
  env: Record<string, string> = { APPLYFLOW_CODEC_KEYS: `${KEY.id}:${KEY.key.toString('base64')}` },
) {
  const saved = VARS.map((v) => [v, process.env[v]] as const);
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, { APPLYFLOW_SQLITE_PATH: sqlitePath, APPLYFLOW_DATA_DIR: dir, ...env });
  try {
    return await captureCli(...args);
  } finally {
    for (const [v, value] of saved) {
      if (value === undefined) delete process.env[v];
      else process.env[v] = value;
    }
  }
}

async function inStore<T>(fn: (answers: RememberedAnswers, store: SqliteJobStore) => Promise<T>): Promise<T> {
  const store = new SqliteJobStore(sqlitePath);
  try {
    return await fn(await rememberedAnswersFor(store, { codecKeys: [KEY] }), store);
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'applyflow-remembered-cli-'));
  sqlitePath = join(dir, 'jobs.sqlite');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('set, list and delete, each as stored; values sealed with the codec key', async () => {
  const age = [
    'profile',
    'answers',
    'set',
    PROFILE,
    '--label',
    'Are you at least 18 years of age? *',
    '--type',
    'select',
    '--option',
    '1=Yes',
    '--option',
    '2=No',
    '--value',
    '1',
  ];
  const set = await applyflow(age);
  expect([set.code, set.out.trim()]).toEqual([0, 'remembered: select:are-you-at-least-18-years-of-age']);
  expect((await applyflow(age)).out.trim()).toBe('unchanged: select:are-you-at-least-18-years-of-age');
  const langs = await applyflow([
    'profile',
    'answers',
    'set',
    PROFILE,
    '--label',
    'Languages',
    '--type',
    'multi_select',
    '--option',
    'go',
    '--option',
    'ts',
    '--value',
    'go',
    '--value',
    'ts',
  ]);
  expect(langs.code).toBe(0);
  expect((await applyflow(['profile', 'answers', 'set', PROFILE, '--label', 'Years of Go', '--type', 'number', '--value', '6'])).code).toBe(
    0,
  );

  expect(await inStore(async (a) => (await a.list(PROFILE)).map((x) => [x.key, x.value, x.options?.map((o) => o.label) ?? null]))).toEqual([
    ['multi_select:languages', ['go', 'ts'], ['go', 'ts']],
    ['number:years-of-go', 6, null],
    ['select:are-you-at-least-18-years-of-age', '1', ['Yes', 'No']],
  ]);
  const raw = await inStore(async (_a, store) => store.db.prepare(`SELECT DISTINCT value_key_id FROM remembered_answers`).all());
  expect(raw).toEqual([{ value_key_id: KEY.id }]);

  const listed = await applyflow(['profile', 'answers', 'list', PROFILE, '--json']);
  expect(JSON.parse(listed.out).map((a: { key: string }) => a.key)).toEqual([
    'multi_select:languages',
    'number:years-of-go',
    'select:are-you-at-least-18-years-of-age',
  ]);
  const text = await applyflow(['profile', 'answers', 'list', PROFILE]);
  expect(text.out).toContain(
    'select:are-you-at-least-18-years-of-age\n  label:   Are you at least 18 years of age? *\n  value:   "1"\n  options: 1=Yes, 2=No',
  );

  expect((await applyflow(['profile', 'answers', 'delete', PROFILE, 'number:years-of-go'])).out.trim()).toBe(
    'forgotten: number:years-of-go',
  );
  expect(await inStore((a) => a.get(PROFILE, 'number:years-of-go'))).toBeNull();
  const again = await applyflow(['profile', 'answers', 'delete', PROFILE, 'number:years-of-go']);
  expect([again.code, again.err.trim()]).toEqual([1, `applyflow: no remembered answer number:years-of-go for profile ${PROFILE}`]);
});

test('bad input names the flag and stores nothing; without a codec decision nothing opens', async () => {
  const before = await inStore((a) => a.list(PROFILE));
  const bad = await applyflow([
    'profile',
    'answers',
    'set',
    PROFILE,
    '--label',
    'Date of birth',
    '--type',
    'date',
    '--value',
    '12/04/1990',
  ]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--value: expected a date as YYYY-MM-DD');
  const file = await applyflow(['profile', 'answers', 'set', PROFILE, '--label', 'Resume', '--type', 'file', '--value', 'x']);
  expect([file.code, file.err]).toEqual([1, expect.stringContaining('--type: file answers are not remembered')]);
  const notOffered = await applyflow([
    'profile',
    'answers',
    'set',
    PROFILE,
    '--label',
    'Team',
    '--type',
    'select',
    '--option',
    'eng',
    '--value',
    'sales',
  ]);
  expect(notOffered.err).toContain('--value: expected one of the options');
  expect(await inStore((a) => a.list(PROFILE))).toEqual(before);

  const noCodec = await applyflow(['profile', 'answers', 'list', PROFILE], {});
  expect(noCodec.code).toBe(2);
  expect(noCodec.err).toContain('APPLYFLOW_CODEC_KEYS');
});
