// The Webhooks store contract, run against each backend (notification.store.sqlite/postgres.test.ts).
import { randomBytes } from 'node:crypto';
import type { JobStore } from '../src/store/types';
import { webhooksFor, type Webhooks } from '../src/store/webhooks';
import { secretBoxFor } from '../src/notification/secrets';
import type { CampaignEventType } from '../src/notification/messages';

export interface OpenedStore {
  store: JobStore;
  /** The secret column as stored (ground truth for "encrypted at rest"). */
  rawSecret(webhookId: string): Promise<string>;
  close(): Promise<void>;
}

export function webhooksSuite(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Webhooks store (${name})`, () => {
    let opened: OpenedStore;
    let webhooks: Webhooks;
    const keys = [
      { id: 'k2', key: randomBytes(32) },
      { id: 'k1', key: randomBytes(32) },
    ];
    let n = 0;
    let campaignId: string;

    beforeAll(async () => {
      opened = await open();
      webhooks = await webhooksFor(opened.store, secretBoxFor(keys));
    });
    afterAll(async () => opened?.close());
    beforeEach(() => {
      campaignId = `camp_store_${++n}`;
    });

    const add = (
      url: string,
      events: CampaignEventType[] = ['question.waiting', 'run.completed'],
      secret = 'whsec_test_secret_0123456789',
    ) => webhooks.create(campaignId, 'alice', { url, events, secret });

    it('creates, lists, gets and removes webhooks within their campaign only', async () => {
      const a = await add('https://hooks.example.org/a');
      const b = await add('https://hooks.example.org/b', ['application.failed']);
      expect(a).toMatchObject({
        campaignId,
        userId: 'alice',
        url: 'https://hooks.example.org/a',
        events: ['question.waiting', 'run.completed'],
        status: 'active',
        disabledReason: null,
      });
      expect(a.id).toMatch(/^whk_[0-9a-f]{24}$/);
      expect((await webhooks.list(campaignId)).map((w) => w.id)).toEqual([a.id, b.id]);
      expect(await webhooks.list(`${campaignId}_other`)).toEqual([]);
      expect((await webhooks.get(campaignId, a.id))?.secret).toBe('whsec_test_secret_0123456789');
      // Another campaign's id cannot reach it.
      expect(await webhooks.get(`${campaignId}_other`, a.id)).toBeNull();
      expect(await webhooks.remove(`${campaignId}_other`, a.id)).toBe(false);
      expect(await webhooks.remove(campaignId, a.id)).toBe(true);
      expect(await webhooks.remove(campaignId, a.id)).toBe(false);
      expect((await webhooks.list(campaignId)).map((w) => w.id)).toEqual([b.id]);
    });

    it('stores the secret encrypted under the current codec key, and reads it with any configured key', async () => {
      const w = await add('https://hooks.example.org/sealed');
      const raw = await opened.rawSecret(w.id);
      expect(raw.startsWith('enc:k2:')).toBe(true);
      expect(raw).not.toContain('whsec_test_secret');
      // After a rotation (new key first, the old one kept) the secret still opens.
      const rotated = await webhooksFor(opened.store, secretBoxFor([{ id: 'k3', key: randomBytes(32) }, ...keys]));
      expect((await rotated.get(campaignId, w.id))?.secret).toBe('whsec_test_secret_0123456789');
      // Codec off: stored as given, and an encrypted one is refused by name rather than misread.
      const plain = await webhooksFor(opened.store, secretBoxFor([]));
      const p = await plain.create(campaignId, null, {
        url: 'https://hooks.example.org/plain',
        events: ['run.completed'],
        secret: 'plain-secret-0123456789',
      });
      expect(await opened.rawSecret(p.id)).toBe('plain:plain-secret-0123456789');
      await expect(plain.get(campaignId, w.id)).rejects.toThrow(/codec is off/);
    });

    it('answers the active webhooks subscribed to an event type; a disabled one is left out', async () => {
      const q = await add('https://hooks.example.org/q', ['question.waiting']);
      const both = await add('https://hooks.example.org/both', ['question.waiting', 'review.waiting']);
      await add('https://hooks.example.org/r', ['review.waiting']);
      expect((await webhooks.subscribed(campaignId, 'question.waiting')).map((w) => w.id)).toEqual([q.id, both.id]);
      await webhooks.disable(q.id, '410 Gone from the receiver');
      expect((await webhooks.subscribed(campaignId, 'question.waiting')).map((w) => w.id)).toEqual([both.id]);
      expect(await webhooks.get(campaignId, q.id)).toMatchObject({ status: 'disabled', disabledReason: '410 Gone from the receiver' });
      expect(await webhooks.subscribed(campaignId, 'run.completed')).toEqual([]);
    });

    it('records each (delivery, webhook) once; removing a webhook forgets its deliveries', async () => {
      const a = await add('https://hooks.example.org/d1');
      const b = await add('https://hooks.example.org/d2');
      const id = `${campaignId}/run.completed/run-1`;
      expect(await webhooks.deliveredTo(id)).toEqual(new Set());
      await webhooks.recordDelivery(id, a.id, 'run.completed', 200);
      await webhooks.recordDelivery(id, a.id, 'run.completed', 204); // a retried attempt that sent again
      await webhooks.recordDelivery(id, b.id, 'run.completed', 202);
      expect(await webhooks.deliveredTo(id)).toEqual(new Set([a.id, b.id]));
      await webhooks.remove(campaignId, a.id);
      expect(await webhooks.deliveredTo(id)).toEqual(new Set([b.id]));
    });
  });
}
