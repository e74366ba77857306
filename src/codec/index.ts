/**
 * The one DataConverter the client (CLI, main job, API) and the worker share. Both sides must agree, or the
 * worker cannot read what the client wrote.
 */
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type CodecKey, type Config } from '../config';
import { EncryptionCodec } from './encryptionCodec';

export * from './encryptionCodec';

/**
 * Private by default: without keys, only an explicit APPLYFLOW_CODEC=off gives plain payloads; otherwise
 * nothing connects (the main job makes its key first, see keyFile.ts).
 */
export function dataConverterFor(config: Pick<Config, 'codecKeys' | 'codecOff' | 'dataDir'>): DataConverter {
  if (config.codecKeys.length === 0 && !config.codecOff) {
    throw new ConfigError([
      {
        variable: 'APPLYFLOW_CODEC_KEYS',
        message: `required (payloads are encrypted by default): use the main job's key, APPLYFLOW_CODEC_KEYS=$(cat ${config.dataDir}/codec.key), or set APPLYFLOW_CODEC=off to run without encryption`,
      },
    ]);
  }
  return dataConverterForKeys(config.codecKeys);
}

export function dataConverterForKeys(keys: CodecKey[]): DataConverter {
  if (keys.length === 0) return {};
  return {
    payloadCodecs: [new EncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failureConverter'),
  };
}
