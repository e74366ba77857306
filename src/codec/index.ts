/**
 * The one DataConverter the client (CLI, main job, API) and the worker share. Both sides must agree, or the
 * worker cannot read what the client wrote.
 */
import type { DataConverter } from '@temporalio/common';
import type { CodecKey, Config } from '../config';
import { EncryptionCodec } from './encryptionCodec';

export * from './encryptionCodec';

export function dataConverterFor(config: Pick<Config, 'codecKeys'>): DataConverter {
  return dataConverterForKeys(config.codecKeys);
}

export function dataConverterForKeys(keys: CodecKey[]): DataConverter {
  if (keys.length === 0) return {};
  return {
    payloadCodecs: [new EncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failureConverter'),
  };
}
