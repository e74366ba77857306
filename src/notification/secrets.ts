/**
 * Webhook signing secrets at rest. We must be able to sign with them, so they are encrypted, not hashed:
 * with the payload codec on, by its current key (the same AES-256-GCM codec and key id as workflow
 * payloads: `enc:<keyId>:<base64>`); rotation works as for payloads (keep retired keys after the current
 * one). With APPLYFLOW_CODEC=off they are stored as they are (`plain:<secret>`), as payloads are then.
 */
import { randomBytes } from 'node:crypto';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../codec';
import type { CodecKey } from '../config';

export interface SecretBox {
  seal(secret: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class SecretUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnreadableError';
  }
}

export function secretBoxFor(keys: CodecKey[]): SecretBox {
  const codec = keys.length ? new EncryptionCodec(keys) : null;
  return {
    async seal(secret) {
      if (!codec) return `plain:${secret}`;
      const [p] = await codec.encode([{ metadata: { encoding: utf8.encode('binary/plain') }, data: utf8.encode(secret) }]);
      const keyId = fromUtf8.decode(p.metadata![KEY_ID_METADATA]);
      return `enc:${keyId}:${Buffer.from(p.data!).toString('base64')}`;
    },
    async open(sealed) {
      if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
      const m = /^enc:([^:]+):([A-Za-z0-9+/=]+)$/.exec(sealed);
      if (!m) throw new SecretUnreadableError('a stored webhook secret has an unknown format');
      if (!codec) throw new SecretUnreadableError(`a webhook secret is encrypted with codec key "${m[1]}" and the codec is off`);
      const [p] = await codec.decode([
        {
          metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(m[1]) },
          data: Buffer.from(m[2], 'base64'),
        },
      ]);
      return fromUtf8.decode(p.data ?? new Uint8Array());
    },
  };
}

/** A new signing secret: 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
