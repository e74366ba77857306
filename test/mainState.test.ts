/**
 * The state file's rules on real files: unset variables are filled, explicit ones win, a dead main job's
 * file is ignored, the sandbox's URL and key only come as a pair, the machine's keys are read from their
 * 0600 files (and refused when others can read them), and the local API key is made once and reused.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mainCodec } from '../src/codec/keyFile';
import { ConfigError, loadConfig } from '../src/config';
import { applyMainState, localApiKey, readMainState, removeMainState, writeMainState, type MainState } from '../src/mainState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'applyflow-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function stateFor(over: Partial<MainState> = {}): MainState {
  const codec = mainCodec(loadConfig({ APPLYFLOW_DATA_DIR: dir }));
  const local = localApiKey(dir);
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    temporal: { address: '127.0.0.1:17999', namespace: 'ns1', taskQueue: 'tq1', uiUrl: 'http://127.0.0.1:18999' },
    sandbox: { url: 'http://127.0.0.1:18787', apiKey: 'sandbox-key' },
    api: { url: 'http://127.0.0.1:18080', userId: 'local', keyFile: local.path },
    codec: { off: false, keyId: codec.config.codecKeys[0].id, keyFile: codec.path },
    store: { kind: 'sqlite', sqlitePath: join(dir, 'jobs.sqlite') },
    codecEndpoint: null,
    demoProfiles: [],
    ...over,
  };
}

test('fills what is unset, says which, and the result is a configuration the CLI accepts', () => {
  const state = stateFor();
  writeMainState(dir, state);
  expect(statSync(join(dir, 'main.json')).mode & 0o777).toBe(0o600);
  const env: NodeJS.ProcessEnv = { APPLYFLOW_DATA_DIR: dir };
  const note = applyMainState(env);
  expect(note).toBe(
    `applyflow: using the running main job (pid ${process.pid}, ${join(dir, 'main.json')}) for TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, JOBO_BASE_URL, JOBO_API_KEY, APPLYFLOW_CODEC_KEYS, APPLYFLOW_SQLITE_PATH, APPLYFLOW_API_KEYS`,
  );
  const config = loadConfig(env);
  expect(config.temporal).toMatchObject({ address: '127.0.0.1:17999', namespace: 'ns1', taskQueue: 'tq1' });
  expect(config.jobo).toMatchObject({ baseUrl: 'http://127.0.0.1:18787', apiKey: 'sandbox-key' });
  expect(config.codecKeys.map((k) => k.id)).toEqual([state.codec.off ? '' : state.codec.keyId]);
  expect(config.api.keys).toEqual([{ userId: 'local', key: readFileSync(join(dir, 'api.key'), 'utf8').trim().split(':')[1] }]);
});

test('explicit variables win, and the sandbox comes only as a pair', () => {
  writeMainState(dir, stateFor());
  const env: NodeJS.ProcessEnv = {
    APPLYFLOW_DATA_DIR: dir,
    TEMPORAL_ADDRESS: '10.0.0.1:7233',
    JOBO_BASE_URL: 'https://jobo.example.com',
    APPLYFLOW_CODEC: 'off',
  };
  const note = applyMainState(env);
  expect(note).toContain('for TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, APPLYFLOW_SQLITE_PATH, APPLYFLOW_API_KEYS');
  expect(env).toMatchObject({ TEMPORAL_ADDRESS: '10.0.0.1:7233', JOBO_BASE_URL: 'https://jobo.example.com', APPLYFLOW_CODEC: 'off' });
  // Never the sandbox's key next to someone else's URL.
  expect([env.JOBO_API_KEY, env.APPLYFLOW_CODEC_KEYS]).toEqual([undefined, undefined]);
});

test("a dead main job's file is ignored; removal leaves another process's file alone", () => {
  writeMainState(dir, stateFor({ pid: 2 ** 22 + 12345 }));
  expect(readMainState(dir)).toBeNull();
  expect(applyMainState({ APPLYFLOW_DATA_DIR: dir })).toBeNull();
  removeMainState(dir, process.pid);
  expect(() => statSync(join(dir, 'main.json'))).not.toThrow();
  writeMainState(dir, stateFor());
  removeMainState(dir, process.pid);
  expect(() => statSync(join(dir, 'main.json'))).toThrow();
});

test('a key file others can read is refused, naming it', () => {
  const state = stateFor();
  writeMainState(dir, state);
  chmodSync(join(dir, 'codec.key'), 0o644);
  expect(() => applyMainState({ APPLYFLOW_DATA_DIR: dir })).toThrow(ConfigError);
  expect(() => applyMainState({ APPLYFLOW_DATA_DIR: dir })).toThrow(`${join(dir, 'codec.key')} is readable by other users (mode 644)`);
});

test('the local API key is made once (0600) and reused; a damaged file is an error naming it', () => {
  const first = localApiKey(dir);
  expect(first.created).toBe(true);
  expect(statSync(first.path).mode & 0o777).toBe(0o600);
  expect(first.key.userId).toBe('local');
  // The key is one APPLYFLOW_API_KEYS accepts.
  expect(loadConfig({ APPLYFLOW_API_KEYS: `${first.key.userId}:${first.key.key}` }).api.keys).toEqual([first.key]);
  const second = localApiKey(dir);
  expect([second.created, second.key]).toEqual([false, first.key]);
  writeFileSync(first.path, 'nonsense\n', { mode: 0o600 });
  expect(() => localApiKey(dir)).toThrow(`${first.path} is not an API key file`);
});
