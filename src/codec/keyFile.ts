/**
 * Private by default: the main job's codec key. Without APPLYFLOW_CODEC_KEYS (and without an explicit
 * APPLYFLOW_CODEC=off) the main job makes a 32-byte key on first start, keeps it in `<data dir>/codec.key`
 * (mode 0600, the APPLYFLOW_CODEC_KEYS format, so `APPLYFLOW_CODEC_KEYS=$(cat .data/codec.key)` gives the
 * same key to a CLI, worker or API), and reuses it on every later start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseCodecKeys, type CodecKey, type Config } from '../config';

export const CODEC_KEY_FILE = 'codec.key';

export interface MainCodec {
  config: Config;
  /** Where the key came from, for the banner. */
  source: 'APPLYFLOW_CODEC_KEYS' | 'created' | 'reused' | 'off';
  path: string | null;
}

/** The key id is derived from the key, so the same file always shows the same id. */
const keyIdOf = (key: Buffer) => `local-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

function readKeyFile(path: string): CodecKey[] {
  const mode = statSync(path).mode & 0o777;
  // Like ssh with private keys: a key others can read is not used (and not silently "fixed").
  if (mode & 0o077) {
    throw new ConfigError([
      { variable: 'APPLYFLOW_DATA_DIR', message: `${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it` },
    ]);
  }
  try {
    return parseCodecKeys(readFileSync(path, 'utf8').trim());
  } catch (err) {
    if (err instanceof ConfigError)
      throw new ConfigError([{ variable: 'APPLYFLOW_DATA_DIR', message: `${path} is not a codec key file (keyId:base64 of 32 bytes)` }]);
    throw err;
  }
}

export function mainCodec(config: Config): MainCodec {
  if (config.codecOff) return { config, source: 'off', path: null };
  if (config.codecKeys.length) return { config, source: 'APPLYFLOW_CODEC_KEYS', path: null };
  mkdirSync(config.dataDir, { recursive: true });
  const path = resolve(config.dataDir, CODEC_KEY_FILE);
  let source: MainCodec['source'] = 'reused';
  try {
    // 'wx': only the first of two concurrent starts writes; the other reads what it wrote.
    const fd = openSync(path, 'wx', 0o600);
    try {
      const key = randomBytes(32);
      writeSync(fd, `${keyIdOf(key)}:${key.toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
    source = 'created';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return { config: { ...config, codecKeys: readKeyFile(path) }, source, path };
}
