/**
 * Webhook signatures, Stripe-style: `X-Applyflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" with the webhook's secret>`. The timestamp is signed with the body, so a receiver that
 * checks it against its clock refuses a captured request replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Applyflow-Signature';
export const DELIVERY_HEADER = 'X-Applyflow-Delivery';
export const EVENT_HEADER = 'X-Applyflow-Event';
/** How far a receiver should let a signature's timestamp be from its clock, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, t: number, body: string | Buffer) => createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

/** The header value for `body` (the exact bytes sent) at `now`. */
export function signatureHeader(secret: string, body: string | Buffer, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export type VerifyResult =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'timestamp_out_of_tolerance' | 'signature_mismatch' };

/**
 * For receivers: checks `header` (the X-Applyflow-Signature value) against the raw request body, as
 * received, before parsing it. Any `v1=` entry may match (several appear while a secret is rotated).
 * The comparison takes the same time whatever the bytes.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  now: Date = new Date(),
): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed' };
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v = ''] = part.trim().split('=', 2);
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  if (t === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  let match = false;
  for (const s of signatures) if (timingSafeEqual(expected, Buffer.from(s, 'hex'))) match = true;
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'signature_mismatch' };
}
