/**
 * Edge validation for notifications: a webhook registration (API, CLI) and a campaign event (the
 * activity's input). Each problem names its field; the activity turns them into a non-retryable failure.
 */
import { campaignIdProblem } from '../campaign/input';
import { InvalidInputError, type InputProblem } from '../shared/input';
import { CAMPAIGN_EVENT_TYPES, type CampaignEvent, type CampaignEventType } from './messages';

export const MAX_WEBHOOKS_PER_CAMPAIGN = 10;
export const WEBHOOK_URL_MAX = 2000;
export const SECRET_MIN = 16;
export const SECRET_MAX = 200;
/** An event's serialised `data` at most (they are ids and labels; anything bigger is a mistake). */
export const EVENT_DATA_MAX_BYTES = 16 * 1024;
export const DELIVERY_ID = /^[A-Za-z0-9_.:/-]{1,200}$/;
export const WEBHOOK_ID = /^whk_[0-9a-f]{24}$/;

export class InvalidWebhookInputError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('webhook', problems);
  }
}

export class InvalidCampaignEventError extends InvalidInputError {
  constructor(problems: InputProblem[]) {
    super('campaign event', problems);
  }
}

export interface NewWebhook {
  url: string;
  events: CampaignEventType[];
  /** The signing secret; generated when absent. */
  secret?: string;
}

export function webhookUrlProblem(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0) return 'required: an absolute http(s) URL';
  if (url.length > WEBHOOK_URL_MAX) return `must be at most ${WEBHOOK_URL_MAX} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an absolute http(s) URL';
  // Credentials in a URL end up in logs and lists; the signature is how a receiver knows the sender.
  if (parsed.username || parsed.password) return 'must not contain credentials (the signature authenticates us)';
  return null;
}

export function validateNewWebhook(input: Partial<NewWebhook>): InputProblem[] {
  const problems: InputProblem[] = [];
  const urlProblem = webhookUrlProblem(input.url);
  if (urlProblem) problems.push({ field: 'url', message: urlProblem });
  if (!Array.isArray(input.events) || input.events.length === 0) {
    problems.push({ field: 'events', message: `required: one or more of ${CAMPAIGN_EVENT_TYPES.join(', ')}` });
  } else {
    input.events.forEach((e, i) => {
      if (!CAMPAIGN_EVENT_TYPES.includes(e))
        problems.push({ field: `events[${i}]`, message: `expected one of ${CAMPAIGN_EVENT_TYPES.join(', ')}` });
    });
  }
  if (input.secret !== undefined) {
    if (typeof input.secret !== 'string' || input.secret.length < SECRET_MIN || input.secret.length > SECRET_MAX) {
      problems.push({ field: 'secret', message: `must be ${SECRET_MIN}-${SECRET_MAX} characters` });
    } else if (/\s/.test(input.secret) || [...input.secret].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
      problems.push({ field: 'secret', message: 'must not contain whitespace or control characters' });
    }
  }
  return problems;
}

// Keys that name candidate data; `data` is ids, URLs, statuses and labels. The labels themselves are fine.
const PII_KEY = /e-?mail|phone|first_?name|last_?name|full_?name|candidate_?name|address|birth|answer|resume|salary|ssn/i;
const EMAIL_VALUE = /[^\s@"]+@[^\s@"]+\.[a-z]{2,}/i;

function dataProblems(value: unknown, field: string, out: InputProblem[]): void {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    // Also refuses a URL with user@host in it: neither belongs in an event.
    if (EMAIL_VALUE.test(value)) out.push({ field, message: 'looks like an email address: events must not carry candidate PII' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => dataProblems(v, `${field}[${i}]`, out));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (PII_KEY.test(k))
        out.push({ field: `${field}.${k}`, message: 'names candidate data: events carry ids, URLs, statuses and field labels only' });
      else dataProblems(v, `${field}.${k}`, out);
    }
    return;
  }
  out.push({ field, message: 'expected a JSON value' });
}

export function validateCampaignEvent(e: Partial<CampaignEvent>): InputProblem[] {
  const problems: InputProblem[] = [];
  const idProblem = campaignIdProblem(e.campaignId);
  if (idProblem) problems.push({ field: 'campaignId', message: idProblem });
  if (typeof e.deliveryId !== 'string' || !DELIVERY_ID.test(e.deliveryId)) {
    problems.push({ field: 'deliveryId', message: 'expected 1-200 characters of [A-Za-z0-9_.:/-]' });
  }
  if (!CAMPAIGN_EVENT_TYPES.includes(e.type as CampaignEventType))
    problems.push({ field: 'type', message: `expected one of ${CAMPAIGN_EVENT_TYPES.join(', ')}` });
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt)))
    problems.push({ field: 'occurredAt', message: 'expected an ISO-8601 time' });
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
    problems.push({ field: 'data', message: 'expected an object' });
  } else {
    dataProblems(e.data, 'data', problems);
    if (Buffer.byteLength(JSON.stringify(e.data)) > EVENT_DATA_MAX_BYTES)
      problems.push({ field: 'data', message: `must be at most ${EVENT_DATA_MAX_BYTES} bytes as JSON` });
  }
  return problems;
}
