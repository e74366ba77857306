/**
 * One signed POST to one webhook: the JSON body `{id, type, occurredAt, campaignId, data}`, the delivery,
 * event and signature headers, an undici request with a 10 s timeout and no redirects followed (a 3xx is
 * a failure: the receiver should give its final URL). The outcome says what happened; it never throws.
 */
import { Agent, request } from 'undici';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature';
import type { EventValue } from './messages';

export const REQUEST_TIMEOUT_MS = 10_000;

export interface OutgoingEvent {
  id: string;
  type: string;
  occurredAt: string;
  campaignId: string;
  data: { [key: string]: EventValue };
}

export type SendOutcome =
  | { kind: 'delivered'; statusCode: number }
  /** 410: the receiver asks never to be sent to again. */
  | { kind: 'gone'; statusCode: 410 }
  | { kind: 'failed'; statusCode: number | null; error: string };

export const eventBody = (e: OutgoingEvent) =>
  JSON.stringify({ id: e.id, type: e.type, occurredAt: e.occurredAt, campaignId: e.campaignId, data: e.data });

export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly timeoutMs = REQUEST_TIMEOUT_MS) {
    // Short keep-alive: receivers are many and each sees few requests.
    this.agent = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4_000 });
  }

  /** Signs `body` now (each attempt gets a fresh timestamp) and posts it. */
  async send(url: string, secret: string, event: OutgoingEvent, body = eventBody(event)): Promise<SendOutcome> {
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'applyflow-webhooks',
          [DELIVERY_HEADER]: event.id,
          [EVENT_HEADER]: event.type,
          [SIGNATURE_HEADER]: signatureHeader(secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body.dump().catch(() => undefined); // the answer's body is not read; free the socket
      if (res.statusCode >= 200 && res.statusCode < 300) return { kind: 'delivered', statusCode: res.statusCode };
      if (res.statusCode === 410) return { kind: 'gone', statusCode: 410 };
      return { kind: 'failed', statusCode: res.statusCode, error: `answered ${res.statusCode}` };
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      return { kind: 'failed', statusCode: null, error: `unreachable (${e.code ?? e.name ?? 'error'})` };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
