/**
 * How the CLI, `npm run worker` and `npm run api` find a running main job: the main job writes its endpoints
 * to `<data dir>/main.json` (0600) once it is up and removes it on a clean stop. Secrets in it are only the
 * sandbox's key; the machine's own secrets (codec key, local API key) are named by path, and read from
 * their 0600 files by whoever uses the state. Explicit variables always win over the file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type ApiKey } from './config';

export const MAIN_STATE_FILE = 'main.json';
export const LOCAL_API_KEY_FILE = 'api.key';
/** The API user the local key belongs to (and the demo profiles' owner). */
export const LOCAL_API_USER = 'local';

export interface MainState {
  pid: number;
  startedAt: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string | null };
  /** Present when the main job runs the sandbox (its key is the sandbox's, not a real credential). */
  sandbox: { url: string; apiKey: string } | null;
  api: { url: string; userId: string; keyFile: string | null };
  /** The codec: off, or the key file the main job made (null when keys came from APPLYFLOW_CODEC_KEYS). */
  codec: { off: true } | { off: false; keyId: string; keyFile: string | null };
  store: { kind: 'sqlite' | 'postgres'; sqlitePath: string | null };
  codecEndpoint: string | null;
  demoProfiles: { id: string; name: string }[];
}

export const mainStatePath = (dataDir: string) => resolve(dataDir, MAIN_STATE_FILE);

export function writeMainState(dataDir: string, state: MainState): string {
  const path = mainStatePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  // Written whole then renamed, so a reader never sees half a file.
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/** Removes the file only if it is still ours (a later start may have replaced it). */
export function removeMainState(dataDir: string, pid = process.pid): void {
  const path = mainStatePath(dataDir);
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as MainState;
    if (state.pid === pid) rmSync(path, { force: true });
  } catch {
    // absent or unreadable: nothing of ours to remove
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running main job's state, or null (no file, or its process is gone after an unclean stop). */
export function readMainState(dataDir: string): MainState | null {
  const path = mainStatePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let state: MainState;
  try {
    state = JSON.parse(text) as MainState;
  } catch {
    return null;
  }
  return typeof state.pid === 'number' && alive(state.pid) ? state : null;
}

function readSecretFile(path: string, variable: string): string {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new ConfigError([{ variable, message: `${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it` }]);
  return readFileSync(path, 'utf8').trim();
}

/**
 * Fills the variables that are unset in `env` from the running main job's state file and returns the one
 * line to tell the user (null when there is no running main job or nothing was taken from it).
 */
export function applyMainState(env: NodeJS.ProcessEnv = process.env): string | null {
  const dataDir = env.APPLYFLOW_DATA_DIR || '.data';
  const state = readMainState(dataDir);
  if (!state) return null;
  const taken: string[] = [];
  const fill = (name: string, value: () => string | null | undefined) => {
    if (env[name] !== undefined && env[name] !== '') return;
    const v = value();
    if (v === null || v === undefined) return;
    env[name] = v;
    taken.push(name);
  };
  fill('TEMPORAL_ADDRESS', () => state.temporal.address);
  fill('TEMPORAL_NAMESPACE', () => state.temporal.namespace);
  fill('TEMPORAL_TASK_QUEUE', () => state.temporal.taskQueue);
  // The sandbox as a pair: never its key next to someone's explicit JOBO_BASE_URL, or the reverse.
  if (state.sandbox && !env.JOBO_BASE_URL && !env.JOBO_API_KEY) {
    fill('JOBO_BASE_URL', () => state.sandbox!.url);
    fill('JOBO_API_KEY', () => state.sandbox!.apiKey);
  }
  if (!env.APPLYFLOW_CODEC_KEYS && !env.APPLYFLOW_CODEC) {
    if (state.codec.off) fill('APPLYFLOW_CODEC', () => 'off');
    else if (state.codec.keyFile) {
      const keyFile = state.codec.keyFile;
      fill('APPLYFLOW_CODEC_KEYS', () => readSecretFile(keyFile, 'APPLYFLOW_CODEC_KEYS'));
    }
  }
  if (state.store.kind === 'sqlite' && !env.APPLYFLOW_STORE && !env.DATABASE_URL)
    fill('APPLYFLOW_SQLITE_PATH', () => state.store.sqlitePath);
  if (state.api.keyFile) {
    const keyFile = state.api.keyFile;
    fill('APPLYFLOW_API_KEYS', () => readSecretFile(keyFile, 'APPLYFLOW_API_KEYS'));
  }
  if (taken.length === 0) return null;
  return `applyflow: using the running main job (pid ${state.pid}, ${mainStatePath(dataDir)}) for ${taken.join(', ')}`;
}

/**
 * This machine's API key: made once (`local:<secret>`, 0600) in the data folder and reused, so the banner's
 * curl lines keep working across restarts. APPLYFLOW_API_KEYS, when set, is used instead (by the caller).
 */
export function localApiKey(dataDir: string): { key: ApiKey; path: string; created: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(dataDir, LOCAL_API_KEY_FILE);
  let created = false;
  try {
    // 'wx': of two concurrent first starts only one writes; the other reads what it wrote.
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${LOCAL_API_USER}:aflocal-${randomBytes(24).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = readSecretFile(path, 'APPLYFLOW_DATA_DIR');
  const sep = text.indexOf(':');
  const key = { userId: text.slice(0, sep), key: text.slice(sep + 1) };
  if (sep <= 0 || !/^[A-Za-z0-9_.-]{1,64}$/.test(key.userId) || !/^[A-Za-z0-9._~+/-]{16,256}=*$/.test(key.key)) {
    throw new ConfigError([{ variable: 'APPLYFLOW_DATA_DIR', message: `${path} is not an API key file (userId:secret)` }]);
  }
  return { key, path, created };
}
