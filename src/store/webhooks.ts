/**
 * Campaign webhooks and their deliveries, beside the ledger on the job store's database (either backend).
 * A webhook belongs to one campaign (and records the API user who owned it when it was added). Its signing
 * secret is stored sealed by a SecretBox (src/notification/secrets.ts) and only opened to sign. A delivery
 * row says that one event (by delivery id) reached one webhook with a 2xx, so a retried activity does not
 * send it there again.
 */
import { randomBytes } from 'node:crypto';
import type { CampaignEventType } from '../notification/messages';
import type { SecretBox } from '../notification/secrets';
import type { JobStore } from './types';
import type { SqlRunner } from './users';

export type WebhookStatus = 'active' | 'disabled';

export interface WebhookRecord {
  id: string;
  campaignId: string;
  userId: string | null;
  url: string;
  events: CampaignEventType[];
  status: WebhookStatus;
  /** Why it was disabled (e.g. `410 Gone from the receiver`), or null. */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookWithSecret extends WebhookRecord {
  secret: string;
}

export interface Webhooks {
  /** Stores the webhook with `secret` sealed. */
  create(
    campaignId: string,
    userId: string | null,
    input: { url: string; events: CampaignEventType[]; secret: string },
  ): Promise<WebhookRecord>;
  /** The campaign's webhooks, oldest first (disabled ones too). */
  list(campaignId: string): Promise<WebhookRecord[]>;
  get(campaignId: string, id: string): Promise<WebhookWithSecret | null>;
  remove(campaignId: string, id: string): Promise<boolean>;
  /** Active webhooks of the campaign subscribed to `type`, with their secrets. */
  subscribed(campaignId: string, type: CampaignEventType): Promise<WebhookWithSecret[]>;
  disable(id: string, reason: string): Promise<void>;
  /** The webhook ids that already took this delivery. */
  deliveredTo(deliveryId: string): Promise<Set<string>>;
  /** Records that `webhookId` took `deliveryId` (idempotent). */
  recordDelivery(deliveryId: string, webhookId: string, type: string, statusCode: number): Promise<void>;
}

export const WEBHOOKS_SCHEMA = (time: string) => `
  CREATE TABLE IF NOT EXISTS campaign_webhooks (
    id              TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    user_id         TEXT,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    disabled_reason TEXT,
    created_at      ${time} NOT NULL,
    updated_at      ${time} NOT NULL
  );
  CREATE INDEX IF NOT EXISTS campaign_webhooks_campaign ON campaign_webhooks (campaign_id, created_at);
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id  TEXT NOT NULL,
    webhook_id   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    delivered_at ${time} NOT NULL,
    PRIMARY KEY (delivery_id, webhook_id)
  );
  CREATE INDEX IF NOT EXISTS webhook_deliveries_webhook ON webhook_deliveries (webhook_id);
`;

interface Row {
  id: string;
  campaign_id: string;
  user_id: string | null;
  url: string;
  events: string;
  secret: string;
  status: WebhookStatus;
  disabled_reason: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

// Ids sort by creation within a process (list order among webhooks added in the same millisecond).
let lastTick = 0;
function newWebhookId(): string {
  lastTick = Math.max(lastTick + 1, Date.now() * 1000);
  return `whk_${lastTick.toString(16).padStart(14, '0').slice(-14)}${randomBytes(5).toString('hex')}`;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

const toRecord = (r: Row): WebhookRecord => ({
  id: r.id,
  campaignId: r.campaign_id,
  userId: r.user_id,
  url: r.url,
  events: r.events.split(',').filter(Boolean) as CampaignEventType[],
  status: r.status,
  disabledReason: r.disabled_reason,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export class SqlWebhooks implements Webhooks {
  constructor(
    private readonly db: SqlRunner,
    private readonly box: SecretBox,
  ) {}

  private async withSecret(r: Row): Promise<WebhookWithSecret> {
    return { ...toRecord(r), secret: await this.box.open(r.secret) };
  }

  async create(
    campaignId: string,
    userId: string | null,
    input: { url: string; events: CampaignEventType[]; secret: string },
  ): Promise<WebhookRecord> {
    const id = newWebhookId();
    const now = new Date().toISOString();
    await this.db.run(
      `INSERT INTO campaign_webhooks (id, campaign_id, user_id, url, events, secret, status, disabled_reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'active', NULL, ?, ?)`,
      [id, campaignId, userId, input.url, [...new Set(input.events)].join(','), await this.box.seal(input.secret), now, now],
    );
    const [row] = await this.db.all<Row>(`SELECT * FROM campaign_webhooks WHERE id = ?`, [id]);
    return toRecord(row);
  }

  async list(campaignId: string): Promise<WebhookRecord[]> {
    return (await this.db.all<Row>(`SELECT * FROM campaign_webhooks WHERE campaign_id = ? ORDER BY created_at, id`, [campaignId])).map(
      toRecord,
    );
  }

  async get(campaignId: string, id: string): Promise<WebhookWithSecret | null> {
    const [row] = await this.db.all<Row>(`SELECT * FROM campaign_webhooks WHERE id = ? AND campaign_id = ?`, [id, campaignId]);
    return row ? this.withSecret(row) : null;
  }

  async remove(campaignId: string, id: string): Promise<boolean> {
    const changed = await this.db.run(`DELETE FROM campaign_webhooks WHERE id = ? AND campaign_id = ?`, [id, campaignId]);
    if (changed) await this.db.run(`DELETE FROM webhook_deliveries WHERE webhook_id = ?`, [id]);
    return changed > 0;
  }

  async subscribed(campaignId: string, type: CampaignEventType): Promise<WebhookWithSecret[]> {
    const rows = await this.db.all<Row>(
      `SELECT * FROM campaign_webhooks WHERE campaign_id = ? AND status = 'active' ORDER BY created_at, id`,
      [campaignId],
    );
    return Promise.all(rows.filter((r) => r.events.split(',').includes(type)).map((r) => this.withSecret(r)));
  }

  async disable(id: string, reason: string): Promise<void> {
    await this.db.run(`UPDATE campaign_webhooks SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ?`, [
      reason,
      new Date().toISOString(),
      id,
    ]);
  }

  async deliveredTo(deliveryId: string): Promise<Set<string>> {
    const rows = await this.db.all<{ webhook_id: string }>(`SELECT webhook_id FROM webhook_deliveries WHERE delivery_id = ?`, [deliveryId]);
    return new Set(rows.map((r) => r.webhook_id));
  }

  async recordDelivery(deliveryId: string, webhookId: string, type: string, statusCode: number): Promise<void> {
    await this.db.run(
      `INSERT INTO webhook_deliveries (delivery_id, webhook_id, event_type, status_code, delivered_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (delivery_id, webhook_id) DO NOTHING`,
      [deliveryId, webhookId, type, statusCode, new Date().toISOString()],
    );
  }
}

/** The webhooks store on the job store's own connection (the same SQLite handle or PostgreSQL pool). */
export async function webhooksFor(store: JobStore, box: SecretBox): Promise<Webhooks> {
  if (store.kind === 'postgres') {
    const [{ PostgresJobStore }, { openPostgresWebhooks }] = await Promise.all([import('./postgres'), import('./webhooksPostgres')]);
    if (!(store instanceof PostgresJobStore)) throw new TypeError('a postgres job store without its pool');
    return openPostgresWebhooks(store.pool, box);
  }
  const [{ SqliteJobStore }, { sqliteWebhooks }] = await Promise.all([import('./sqlite'), import('./webhooksSqlite')]);
  if (!(store instanceof SqliteJobStore)) throw new TypeError('a sqlite job store without its handle');
  return sqliteWebhooks(store.db, box);
}
