// The receiver's side of the signature (verifySignature), and the activity's input checks, as pure functions.
import { createHmac } from 'node:crypto';
import { validateCampaignEvent, validateNewWebhook } from '../src/notification/input';
import { signatureHeader, verifySignature } from '../src/notification/signature';

const secret = 'whsec_unit_test_secret';
const body = '{"id":"d1","type":"run.completed","occurredAt":"2026-12-02T00:00:00.000Z","campaignId":"c1","data":{}}';
const at = new Date('2026-12-02T00:00:00Z');

describe('verifySignature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, as a receiver without our code computes it', () => {
    const header = signatureHeader(secret, body, at);
    const t = Math.floor(at.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifySignature(secret, header, body, 300, at)).toEqual({ ok: true, timestamp: t });
    expect(verifySignature(secret, header, Buffer.from(body), 300, new Date(at.getTime() + 299_000)).ok).toBe(true);
  });

  it('refuses a changed body, another secret, an old timestamp and a malformed header', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, header, body.replace('c1', 'c2'), 300, at)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifySignature('whsec_other', header, body, 300, at)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifySignature(secret, header, body, 300, new Date(at.getTime() + 301_000))).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    // A re-signed timestamp without the secret does not verify: t is inside the HMAC.
    const forged = header.replace(/t=\d+/, `t=${Math.floor(at.getTime() / 1000) + 60}`);
    expect(verifySignature(secret, forged, body, 300, at)).toEqual({ ok: false, reason: 'signature_mismatch' });
    for (const bad of [undefined, '', 'v1=abc', 't=1', `t=x,v1=${'0'.repeat(64)}`])
      expect(verifySignature(secret, bad, body, 300, at)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts any of several v1 entries (a secret being rotated)', () => {
    const t = Math.floor(at.getTime() / 1000);
    const old = createHmac('sha256', 'whsec_old').update(`${t}.${body}`).digest('hex');
    const header = `${signatureHeader(secret, body, at)},v1=${old}`;
    expect(verifySignature('whsec_old', header, body, 300, at).ok).toBe(true);
    expect(verifySignature(secret, header, body, 300, at).ok).toBe(true);
  });
});

describe('input checks name the field', () => {
  it('webhook registrations', () => {
    expect(validateNewWebhook({ url: 'https://hooks.example.org/x', events: ['run.completed'] })).toEqual([]);
    expect(validateNewWebhook({ url: 'ftp://x', events: ['run.finished' as never], secret: 'short' }).map((p) => p.field)).toEqual([
      'url',
      'events[0]',
      'secret',
    ]);
    expect(validateNewWebhook({ url: 'https://user:pw@hooks.example.org/x', events: [] }).map((p) => p.field)).toEqual(['url', 'events']);
  });

  it('events: ids, type, time, and no candidate PII in data', () => {
    const ok = {
      campaignId: 'c1',
      deliveryId: 'c1/run.completed/r1',
      type: 'run.completed' as const,
      occurredAt: at.toISOString(),
      data: { runId: 'r1', counts: { success: 3 }, fields: ['Date of birth'] },
    };
    expect(validateCampaignEvent(ok)).toEqual([]);
    expect(
      validateCampaignEvent({ ...ok, campaignId: 'bad id', deliveryId: '', type: 'nope' as never, occurredAt: 'soon' }).map((p) => p.field),
    ).toEqual(['campaignId', 'deliveryId', 'type', 'occurredAt']);
    expect(
      validateCampaignEvent({ ...ok, data: { candidate: { email: 'x' }, note: 'mail ada@example.org', answers: ['1990-01-01'] } }).map(
        (p) => p.field,
      ),
    ).toEqual(['data.candidate.email', 'data.note', 'data.answers']);
  });
});
